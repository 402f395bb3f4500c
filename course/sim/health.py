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
STEADY = True  # probes that repeat run untimed (see "steady state"); False: every probe timed


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
    catch_up(engine, container)
    engine.clock.cancel(container.timers.pop("health", None))
    if container.health is not None:
        container.health.steady = None
        container.health.status = "unhealthy"


def _schedule(engine, container, delay: float) -> None:
    container.timers["health"] = engine.clock.schedule(delay, lambda: probe(engine, container))


# -- steady state: probes nobody needs to run ------------------------------------------------------
# A probe that gave the same result as the one before, changed nothing (no status change, no
# event, no random draw) and read nothing but its own container gives that result again at every
# interval until the container changes. Such a container keeps no timer: its probes are written
# into the log when someone reads it (``catch_up``), and it goes back to timed probes when it
# changes (``wake``: an exec in it, a container that shares a volume with it starting, its
# exit). So the cost of a call does not grow with the number of healthy containers, and the
# history is the one the timed probes would have written.

def catch_up(engine, container) -> None:
    """Write the steady probes due by now into the log (those at now too, unless a timer is
    firing: a tie with a timer scheduled earlier, such as the exit, goes to that timer)."""
    health = container.health
    if health is None or health.steady is None:
        return
    steady = health.steady
    now = engine.clock.now
    due, count = [], 0  # the log keeps the last few: only those are written out
    while steady["next"] < now or (steady["next"] == now and not engine.clock.firing):
        due = [*due[1 - MAX_LOG_ENTRIES:], steady["next"]]
        count += 1
        steady["next"] += max(0.0, steady["duration"] + steady["interval"])
    for start in due:
        _record(health, start, steady["code"], steady["output"], steady["duration"])
    if steady["code"] != 0:
        health.failing_streak += count


def wake(engine, container) -> None:
    """The container may change: its next probe runs on a timer again."""
    health = container.health
    if health is None or health.steady is None:
        return
    catch_up(engine, container)
    at = health.steady["next"]
    health.steady = None
    container.timers["health"] = engine.clock.schedule_at(at, lambda: probe(engine, container))


def wake_sharing(engine, container) -> None:
    """``container`` is about to change: wake it and every container that shares a volume."""
    wake(engine, container)
    for volume_name in {m.get("Name") for m in container.mounts if m.get("Name")}:
        volume = engine.volumes.get(volume_name)
        for other_id in sorted(volume.users) if volume is not None else []:
            other = engine.containers.by_id.get(other_id)
            if other is not None and other is not container:
                wake(engine, other)


def _record(health, start, code, output, duration) -> None:
    health.log = [*health.log, {
        "Start": rfc3339(start), "End": rfc3339(start + duration),
        "ExitCode": code, "Output": output,
    }][-MAX_LOG_ENTRIES:]


def probe(engine, container) -> None:
    """Run the check command once in the container and apply the result."""
    check = settings(container)
    if check is None or container.status != "running" or container.health is None:
        return
    from .execs import run_in_container
    from .process import Process, container_env

    test = check["test"]
    argv = ["/bin/sh", "-c", test[1]] if test[0] == "CMD-SHELL" else list(test[1:])
    start = engine.clock.now
    rng_before, events_before = engine.rng.getstate(), len(engine.events)
    process = Process(engine, container, container_env(container))
    code, output, duration = run_in_container(engine, container, argv, process=process)
    if duration > check["timeout"]:
        code, duration = -1, check["timeout"]
        output = f"Health check exceeded timeout ({check['timeout']:g}s)".encode()
    health = container.health
    text = output.decode(errors="replace")[:MAX_OUTPUT]
    _record(health, start, code, text, duration)
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
    result = (code, text, duration)
    repeats = (STEADY and result == health.last_result and health.status == before
               and health.status in ("healthy", "unhealthy") and not process.outside
               and len(engine.events) == events_before and engine.rng.getstate() == rng_before)
    health.last_result = result
    if repeats:
        health.steady = {"next": start + max(0.0, duration + check["interval"]), "code": code,
                         "output": text, "duration": duration, "interval": check["interval"]}
        health.catch_up = lambda: catch_up(engine, container)
        container.timers.pop("health", None)
        return
    _schedule(engine, container, duration + check["interval"])
