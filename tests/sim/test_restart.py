"""Restart policies and the restart manager's backoff (moby ``restartmanager``)."""

from __future__ import annotations

import pytest

from course.sim import lifecycle


def restart_times(engine, container_id):
    return [e["time"] for e in engine.events
            if e["Actor"]["ID"] == container_id and e["Action"] == "start"]


def test_backoff_doubles_from_100ms(engine, client):
    """Are restarts 100 ms, 200 ms, 400 ms, ... apart after each exit (an instant crash)?"""
    c = client.containers.run("busybox", ["sh", "-c", "exit 1"], detach=True,
                              restart_policy={"Name": "always"})
    engine.advance(3.0)
    starts = restart_times(engine, c.id)
    gaps = [round(b - a, 3) for a, b in zip(starts, starts[1:], strict=False)]
    expected = [0.101, 0.201, 0.401, 0.801]
    assert gaps[:4] == expected, f"gaps between starts {gaps[:4]}, expected {expected}"


def test_backoff_is_capped_at_one_minute(engine, client):
    """Does the delay stop growing at 60 s?"""
    c = client.containers.run("busybox", ["sh", "-c", "exit 1"], detach=True,
                              restart_policy={"Name": "always"})
    engine.advance(600)
    container = engine.containers.find(c.id)
    assert container.backoff == lifecycle.BACKOFF_MAX


def test_backoff_resets_after_ten_seconds_running(engine, client):
    """After a run of at least 10 s, is the next delay back to 100 ms?"""
    c = client.containers.run("busybox", ["sh", "-c", "sleep 12; exit 1"], detach=True,
                              restart_policy={"Name": "always"})
    engine.advance(40)
    assert engine.containers.find(c.id).backoff == pytest.approx(0.1)


@pytest.mark.parametrize("policy, code, restarts", [
    ({"Name": "no"}, 1, 0),
    ({"Name": "on-failure", "MaximumRetryCount": 2}, 3, 2),
    ({"Name": "on-failure"}, 0, 0),
    ({"Name": "unless-stopped"}, 0, "many"),
])
def test_policies(engine, client, policy, code, restarts):
    """Does each policy restart exactly as the engine's restart manager decides?"""
    c = client.containers.run("busybox", ["sh", "-c", f"exit {code}"], detach=True,
                              restart_policy=policy)
    engine.advance(5)
    c.reload()
    count = c.attrs["RestartCount"]
    if restarts == "many":
        assert count >= 5
    else:
        assert count == restarts and c.status == "exited"
        assert c.attrs["State"]["ExitCode"] == code


def test_manual_stop_and_kill_never_restart(engine, client):
    """Does ``always`` leave a container stopped after an API ``stop`` or ``kill``?"""
    a = client.containers.run("busybox", ["sleep", "600"], detach=True,
                              restart_policy={"Name": "always"})
    a.kill()
    engine.advance(5)
    a.reload()
    assert (a.status, a.attrs["RestartCount"], a.attrs["State"]["ExitCode"]) == ("exited", 0, 137)


def test_unhealthy_alone_restarts_nothing(engine, client):
    """Is the broken image left running (unhealthy) even with ``restart_policy=always``?"""
    c = client.containers.run("course/web:3", detach=True, restart_policy={"Name": "always"})
    engine.advance(30)
    c.reload()
    assert (c.status, c.health, c.attrs["RestartCount"]) == ("running", "unhealthy", 0)


def test_stop_waits_its_timeout_then_kills(engine, client):
    """Does ``stop(timeout=3)`` take 3 virtual seconds and end with 137 (PID 1 ignores TERM)?"""
    c = client.containers.run("busybox", ["sleep", "600"], detach=True)
    before = engine.clock.now
    c.stop(timeout=3)
    c.reload()
    assert 3.0 <= engine.clock.now - before < 3.1
    assert (c.status, c.attrs["State"]["ExitCode"]) == ("exited", 137)


def test_the_lab_image_ends_on_sigterm(engine, client):
    """Does the lab image's start script stop at once on ``stop`` (exit 143) and on
    ``kill(signal="TERM")``, and is it not restarted after either (a manual stop)?"""
    for ask in (lambda c: c.stop(timeout=10), lambda c: c.kill(signal="SIGTERM")):
        c = client.containers.run("course/web:1", detach=True, restart_policy={"Name": "always"})
        before = engine.clock.now
        ask(c)
        engine.advance(1)
        c.reload()
        assert engine.clock.now - before < 1.5
        assert (c.status, c.attrs["State"]["ExitCode"], c.attrs["RestartCount"]) == (
            "exited", 143, 0)


def test_process_ending_before_stop_timeout_keeps_its_code(engine, client):
    """If the main process ends during the stop timeout, is its own exit code kept?"""
    c = client.containers.run("busybox", ["sh", "-c", "sleep 1; exit 5"], detach=True)
    c.stop(timeout=10)
    c.reload()
    assert c.attrs["State"]["ExitCode"] == 5


def test_wait_returns_the_exit_code_and_is_bounded(engine, client):
    """Does ``wait`` return the code, and refuse (501) a container that never ends?"""
    import docker

    done = client.containers.run("busybox", ["sh", "-c", "sleep 2; exit 4"], detach=True)
    assert done.wait() == {"StatusCode": 4, "Error": None}
    forever = client.containers.run("course/web:1", detach=True)
    with pytest.raises(docker.errors.APIError) as caught:
        forever.wait()
    assert caught.value.response.status_code == 501
