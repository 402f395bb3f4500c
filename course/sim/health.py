"""Health checks on the virtual clock, with the engine's rules (moby ``daemon/health.go``).

Why: "healthy" is not "running", and a failing health check alone restarts nothing on plain
Docker (only Swarm replaces unhealthy tasks). The engine runs the probe ``Interval`` after the
container starts and then ``Interval`` after each probe ends; a probe slower than ``Timeout``
fails with exit code -1; a failure inside ``StartPeriod`` (while still ``starting``) does not
count; ``Retries`` consecutive failures make it ``unhealthy``; one success makes it ``healthy``
again. The log keeps the last five results. When the container stops, the status becomes
``unhealthy``. Subscribers see ``health_status: healthy|unhealthy`` events.
"""

from __future__ import annotations

from .containers import Health
from .naming import rfc3339

NS = 1_000_000_000
DEFAULT_INTERVAL = 30.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
MAX_LOG_ENTRIES = 5
MAX_OUTPUT = 4096


def settings(container) -> dict | None:
    """The effective health check (``None`` when the container has none or ``NONE``)."""
    check = container.config.get("Healthcheck")
    test = (check or {}).get("Test") or []
    if not test or test[0] == "NONE":
        return None
    return {
        "test": test,
        "interval": (check.get("Interval") or 0) / NS or DEFAULT_INTERVAL,
        "timeout": (check.get("Timeout") or 0) / NS or DEFAULT_TIMEOUT,
        "retries": check.get("Retries") or DEFAULT_RETRIES,
        "start_period": (check.get("StartPeriod") or 0) / NS,
    }


def start_monitor(engine, container) -> None:
    """At start: status ``starting`` and the first probe one interval later."""
    check = settings(container)
    if check is None:
        container.health = None
        return
    previous = container.health.log if container.health else []
    container.health = Health(status="starting", log=previous)
    _schedule(engine, container, check["interval"])


def stop_monitor(engine, container) -> None:
    """At exit: no more probes; the engine reports a stopped container as unhealthy."""
    engine.clock.cancel(container.timers.pop("health", None))
    if container.health is not None:
        container.health.status = "unhealthy"


def _schedule(engine, container, delay: float) -> None:
    container.timers["health"] = engine.clock.schedule(delay, lambda: probe(engine, container))


def probe(engine, container) -> None:
    """Run the check command once in the container and apply the result."""
    check = settings(container)
    if check is None or container.status != "running" or container.health is None:
        return
    from .execs import run_in_container

    test = check["test"]
    argv = ["/bin/sh", "-c", test[1]] if test[0] == "CMD-SHELL" else list(test[1:])
    start = engine.clock.now
    code, output, duration = run_in_container(engine, container, argv)
    if duration > check["timeout"]:
        code, duration = -1, check["timeout"]
        output = f"Health check exceeded timeout ({check['timeout']:g}s)".encode()
    health = container.health
    health.log = [*health.log, {
        "Start": rfc3339(start), "End": rfc3339(start + duration),
        "ExitCode": code, "Output": output.decode(errors="replace")[:MAX_OUTPUT],
    }][-MAX_LOG_ENTRIES:]
    before = health.status
    if code == 0:
        health.failing_streak = 0
        health.status = "healthy"
    else:
        in_start_period = (health.status == "starting"
                           and start - (container.started_at or 0.0) < check["start_period"])
        if not in_start_period:
            health.failing_streak += 1
            if health.failing_streak >= check["retries"]:
                health.status = "unhealthy"
    if health.status != before:
        engine.emit("container", f"health_status: {health.status}", container.id,
                    name=container.name, image=container.image_ref)
    _schedule(engine, container, duration + check["interval"])
