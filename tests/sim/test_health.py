"""Health checks on the virtual clock, with the engine's rules."""

from __future__ import annotations

from course.sim import images

NS = 1_000_000_000


def health_at(engine, container, seconds):
    engine.advance(seconds - engine.clock.now)
    container.reload()
    state = container.attrs["State"]["Health"]
    return state["Status"], state["FailingStreak"]


def test_lab_image_carries_the_real_healthcheck(client):
    """Does the lab image declare the check course/images.py builds (1s/1s/2/1s, wget)?"""
    config = client.images.get("course/web:1").attrs["Config"]["Healthcheck"]
    assert config == images.WEB_HEALTHCHECK
    assert config["Test"] == ["CMD-SHELL", "wget -qO- http://127.0.0.1/health || exit 1"]


def test_broken_version_becomes_unhealthy_like_the_engine(engine, client):
    """Does v3 stay ``starting`` for 1 s, then fail twice and turn ``unhealthy`` by ~2 s?"""
    c = client.containers.run("course/web:3", detach=True)
    start = engine.clock.now
    assert health_at(engine, c, start + 0.5) == ("starting", 0)
    assert health_at(engine, c, start + 1.5) == ("starting", 1)
    assert health_at(engine, c, start + 2.5) == ("unhealthy", 2)
    log = c.attrs["State"]["Health"]["Log"][-1]
    assert log["ExitCode"] == 1
    assert log["Output"] == "wget: server returned error: HTTP/1.1 404 Not Found\n"


def test_good_version_is_healthy_and_log_keeps_five(engine, client):
    """Is v1 healthy after the first probe, with at most five log entries?"""
    c = client.containers.run("course/web:1", detach=True)
    assert health_at(engine, c, engine.clock.now + 10)[0] == "healthy"
    assert len(c.attrs["State"]["Health"]["Log"]) == 5


def test_custom_healthcheck_and_timeout(engine, client):
    """Does a probe slower than its timeout fail with exit code -1 and the engine's text?"""
    c = client.containers.run("busybox", ["sleep", "600"], detach=True, healthcheck={
        "test": ["CMD-SHELL", "sleep 5"], "interval": 1 * NS, "timeout": 2 * NS, "retries": 1})
    engine.advance(4)
    c.reload()
    log = c.attrs["State"]["Health"]["Log"][0]
    assert (log["ExitCode"], log["Output"]) == (-1, "Health check exceeded timeout (2s)")
    assert c.health == "unhealthy"


def test_fixing_the_page_heals_the_container(engine, client):
    """If a student writes /www/health into a v3 container, does it turn healthy (as on the
    engine, where the check only asks httpd for that file)?"""
    c = client.containers.run("course/web:3", detach=True)
    engine.advance(3)
    c.exec_run(["sh", "-c", "echo ok > /www/health"])
    engine.advance(2)
    c.reload()
    assert c.health == "healthy"


def test_stopped_container_reports_unhealthy(engine, client):
    """Does a stopped container with a health check report ``unhealthy``, as the engine does?"""
    c = client.containers.run("course/web:1", detach=True)
    engine.advance(3)
    c.stop(timeout=0)
    c.reload()
    assert (c.status, c.health) == ("exited", "unhealthy")


def test_health_events_on_change_only(engine, client):
    """Are ``health_status`` events emitted only when the status changes?"""
    c = client.containers.run("course/web:1", detach=True)
    engine.advance(10)
    actions = [e["Action"] for e in engine.events if e["Actor"]["ID"] == c.id]
    assert actions.count("health_status: healthy") == 1


def _health_history(monkeypatch, steady: bool):
    """A scenario that reads health while it is steady, breaks it with an exec, repairs it on a
    shared volume from another container and stops it: every inspect and every event."""
    from course.sim import Engine
    from course.sim import health as health_module

    monkeypatch.setattr(health_module, "STEADY", steady)
    engine = Engine(seed=3)
    client = engine.client()
    seen = []
    good = client.containers.run("course/web:1", detach=True, name="good",
                                 volumes={"www": {"bind": "/www", "mode": "rw"}})
    broken = client.containers.run("course/web:3", detach=True, name="broken")
    other = client.containers.run("busybox", ["sleep", "1000"], detach=True, name="other",
                                  volumes={"www": {"bind": "/data", "mode": "rw"}})
    for step in range(4):
        engine.advance(2.7)
        seen += [client.api.inspect_container(c.id)["State"] for c in (good, broken)]
        if step == 1:
            good.exec_run(["rm", "/www/health"])
        if step == 2:
            other.exec_run(["sh", "-c", "echo ok > /data/health"])
    good.kill()
    engine.advance(1.3)
    seen.append(client.api.inspect_container(good.id)["State"])
    return seen, engine.events, engine.clock.now


def test_untimed_steady_probes_write_the_history_timed_ones_write(monkeypatch):
    """Do containers whose probes repeat (no timer while steady) show the same health logs,
    streaks, statuses and events as when every probe runs on a timer?"""
    timed = _health_history(monkeypatch, steady=False)
    untimed = _health_history(monkeypatch, steady=True)
    assert untimed == timed
    statuses = [s["Health"]["Status"] for s in timed[0]]
    assert "healthy" in statuses and "unhealthy" in statuses  # the scenario moves both ways
