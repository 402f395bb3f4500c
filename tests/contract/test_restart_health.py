"""Restart policies and health checks: same outcomes, same order of states."""

from __future__ import annotations

NS = 1_000_000_000


def test_on_failure_restarts_up_to_max(kit):
    """Does ``on-failure:2`` restart a failing command twice, then leave it exited?"""
    c = kit.run(1, "crash", command=["sh", "-c", "echo out; exit 3"],
                restart_policy={"Name": "on-failure", "MaximumRetryCount": 2})
    seen = []

    def settled():
        c.reload()
        status = c.status
        if not seen or seen[-1] != status:
            seen.append(status)
        return status == "exited" and c.attrs["RestartCount"] == 2

    kit.wait_until(settled, timeout=10, step=0.02)
    assert c.attrs["State"]["ExitCode"] == 3
    assert c.logs() == b"out\nout\nout\n"
    # (the 100 ms and 200 ms "restarting" windows are easy to miss when polling a loaded
    # engine; test_restart_events_in_order checks the order through the event log instead)
    assert set(seen) <= {"running", "restarting", "exited"} and seen[-1] == "exited", seen


def test_restart_events_in_order(kit):
    """Does ``client.events`` show create, then start/die three times, for ``on-failure:2``?"""
    since = kit.now()
    c = kit.run(1, "events", command=["sh", "-c", "exit 1"],
                restart_policy={"Name": "on-failure", "MaximumRetryCount": 2})
    kit.wait_until(lambda: c.reload() or (c.status == "exited" and c.attrs["RestartCount"] == 2),
                   timeout=10, step=0.05)
    actions = kit.events(since, kit.now() + 0.5, type="container", container=c.id)
    lifecycle = [a for a in actions if a in ("create", "start", "die", "restart")]
    assert lifecycle == ["create", "start", "die", "start", "die", "start", "die"], actions


def test_stop_events_in_order(kit):
    """Does ``stop`` emit kill (SIGTERM), kill (SIGKILL), die, stop in that order for a PID 1
    that ignores SIGTERM, and kill, die, stop for the lab image, which ends on it?"""
    deaf = kit.run(1, "stopev", command=["sleep", "600"], healthcheck={"test": ["NONE"]})
    web = kit.run(1, "stopweb")
    for c, expected in ((deaf, ["kill", "kill", "die", "stop"]), (web, ["kill", "die", "stop"])):
        since = kit.now()
        c.stop(timeout=1)
        actions = kit.events(since, kit.now() + 0.5, type="container", container=c.id)
        assert [a for a in actions if a in ("kill", "die", "stop")] == expected, (c.name, actions)


def test_success_is_not_a_failure(kit):
    """Does ``on-failure`` leave a command that exits 0 alone?"""
    c = kit.run(1, "ok", command=["sh", "-c", "exit 0"], restart_policy={"Name": "on-failure"})
    c.wait()
    kit.sleep(0.5)
    c.reload()
    assert (c.status, c.attrs["RestartCount"]) == ("exited", 0)


def test_kill_is_a_manual_stop(kit):
    """After ``kill()``, does ``always`` leave the container exited (137, no restart)?"""
    c = kit.run(1, "always", restart_policy={"Name": "always"})
    c.kill()
    kit.sleep(0.5)
    c.reload()
    assert (c.status, c.attrs["State"]["ExitCode"], c.attrs["RestartCount"]) == (
        "exited", 137, 0)


def test_health_of_good_and_broken_versions(kit):
    """Does v1 turn healthy and v3 unhealthy (2 failures, busybox's 404 text), still running,
    and does the ``health`` filter find them?"""
    good = kit.run(1, "good")
    broken = kit.run(3, "broken", restart_policy={"Name": "always"})
    good.reload()
    assert good.health == "starting"

    def decided():
        good.reload()
        broken.reload()
        return good.health == "healthy" and broken.health == "unhealthy"

    kit.wait_until(decided, timeout=15, step=0.2)
    health = broken.attrs["State"]["Health"]
    assert health["FailingStreak"] >= 2
    assert health["Log"][-1]["ExitCode"] == 1
    assert health["Log"][-1]["Output"] == "wget: server returned error: HTTP/1.1 404 Not Found\n"
    assert (broken.status, broken.attrs["RestartCount"]) == ("running", 0)
    scope = f"course.test={kit.test_id}"
    unhealthy = kit.client.containers.list(filters={"label": scope, "health": "unhealthy"})
    assert [c.id for c in unhealthy] == [broken.id]


def test_custom_healthcheck(kit):
    """Does a health check passed to ``run`` replace the image's?"""
    c = kit.run(1, "custom", healthcheck={"test": ["CMD-SHELL", "exit 1"], "interval": NS // 2,
                                          "timeout": NS, "retries": 1})
    c.reload()
    assert c.attrs["Config"]["Healthcheck"]["Test"] == ["CMD-SHELL", "exit 1"]
    kit.wait_until(lambda: c.reload() or c.health == "unhealthy", timeout=10, step=0.2)


def test_stop_reports_unhealthy(kit):
    """Once stopped, does a container with a health check report ``unhealthy``?"""
    c = kit.run(1, "stopped")
    c.stop(timeout=1)
    c.reload()
    assert (c.status, c.health, c.attrs["State"]["ExitCode"]) == ("exited", "unhealthy", 143)
