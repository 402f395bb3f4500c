"""What happens to a container: create, start, exit, restart policy, stop, kill, remove, wait.

Why one module: these transitions are one state machine, and the engine's rules live in how they
interact. A container's main process runs when it starts; when it ends the engine records the
exit code, and the restart policy decides (moby ``restartmanager``): ``no`` never restarts,
``always`` and ``unless-stopped`` always do, ``on-failure[:max]`` on a non-zero code up to
``max`` times; the delay starts at 100 ms and doubles up to one minute, back to 100 ms once a
run lasted 10 s. ``stop``/``kill`` from the API count as a manual stop: no restart follows.
Busybox programs run as PID 1 ignore SIGTERM, so ``stop`` waits its timeout and then kills
(exit code 137), exactly as on the engine; the lab image's /start.sh traps it and exits 143 at once.
A failing health check restarts nothing.

Hooks for later layers (Swarm tasks): ``engine.subscribe(callback)`` sees every event
(``die`` with ``exitCode``, ``health_status: ...``), and ``start``/``kill``/``remove`` are plain
functions of ``(engine, container)``.
"""

from __future__ import annotations

from . import attach, health, links
from .busybox import ExecutableNotFound, check_executable, oci_start_error, run_program
from .errors import Conflict, Invalid, NotSupported, SimError, TimedOut
from .process import Process, container_env

MIN_RUN = 0.001  # virtual seconds even an instant command takes
TERM_EXIT_AFTER = 0.01  # virtual seconds a process that traps SIGTERM takes to exit
AUTO_REMOVE_AFTER = 0.1  # virtual seconds between an exit and the removal AutoRemove asks for
BACKOFF_START, BACKOFF_MAX, BACKOFF_RESET_AFTER = 0.1, 60.0, 10.0
DEFAULT_STOP_TIMEOUT = 10
WAIT_LIMIT = 24 * 3600.0  # virtual seconds ``wait`` lets pass before it gives up
SIGNALS = {"KILL": 9, "TERM": 15, "INT": 2, "HUP": 1, "QUIT": 3, "USR1": 10, "USR2": 12,
           "STOP": 19, "CONT": 18}
NOT_MODIFIED = "not modified"  # start/stop of a container already so (the API answers 304)


def argv_of(container) -> list[str]:
    return list(container.config.get("Entrypoint") or []) + list(container.config.get("Cmd") or [])


def _not_running(container) -> Conflict:
    return Conflict(f"Container {container.id} is not running")


# -- start and exit ------------------------------------------------------------------------------
def start(engine, container, manual: bool = True):
    """Start (the API's ``start``: resets the restart count) or restart after a policy delay."""
    if container.status in ("running", "paused", "restarting"):
        return NOT_MODIFIED
    argv = argv_of(container)
    if not argv:
        raise Invalid("No command specified")
    try:
        check_executable(container, argv[0])
    except ExecutableNotFound as missing:
        container.exit_code = 126 if missing.reason == "permission denied" else 127
        container.error = oci_start_error(missing)
        raise Invalid(container.error) from None
    container.link_env = links.environment(engine, container)
    if manual:
        engine.clock.cancel(container.timers.pop("restart", None))
        container.restart_count, container.backoff = 0, 0.0
        container.manually_stopped = False
    try:
        attach.plug(engine, container)
    except SimError as error:
        attach.unplug(engine, container)
        container.exit_code, container.error = 128, error.message
        raise
    container.status, container.exit_code, container.error = "running", 0, ""
    container.started_at = engine.clock.now
    engine.emit("container", "start", container.id, **_attributes(container))
    health.wake_sharing(engine, container)  # its main command may write to shared volumes
    health.start_monitor(engine, container)
    _run_main(engine, container, argv)
    return None


def _run_main(engine, container, argv) -> None:
    process = Process(engine, container, container_env(container), main=True)
    try:
        code = run_program(process, argv)
    except SimError:
        _exit_now(engine, container, 1)
        raise
    container.logs.extend(process.chunks)
    container.term_exit = process.term_exit
    if process.blocked:
        return
    container.timers["exit"] = engine.clock.schedule(
        max(MIN_RUN, process.duration), lambda: exited(engine, container, code))


def exited(engine, container, code: int) -> None:
    """The main process ended with ``code``: record it, then apply the restart policy."""
    if container.status not in ("running", "paused"):
        return
    engine.clock.cancel(container.timers.pop("exit", None))
    container.finished_at = engine.clock.now
    container.exit_code = code
    container.servers.clear()
    health.stop_monitor(engine, container)
    attach.unplug(engine, container)
    engine.emit("container", "die", container.id, exitCode=str(code), **_attributes(container))
    delay = _restart_delay(container)
    if delay is None:
        container.status = "exited"
        if container.host_config.get("AutoRemove"):
            # the daemon removes it a moment after the exit: long enough for the client that
            # followed its logs to look at it and wait for it (docker-py's containers.run does)
            container.timers["remove"] = engine.clock.schedule(
                AUTO_REMOVE_AFTER, lambda: _auto_remove(engine, container))
        return
    container.status = "restarting"
    container.restart_count += 1
    container.timers["restart"] = engine.clock.schedule(delay, lambda: _restart_now(engine,
                                                                                    container))


def _auto_remove(engine, container) -> None:
    container.timers.pop("remove", None)
    if container.status == "exited" and engine.containers.by_id.get(container.id) is container:
        remove(engine, container, force=True, volumes=True)


def _restart_now(engine, container) -> None:
    container.timers.pop("restart", None)
    if container.status != "restarting":
        return
    container.status = "exited"  # start() wants a stopped container
    try:
        start(engine, container, manual=False)
    except SimError:
        container.status = "exited"


def _restart_delay(container) -> float | None:
    """The restart manager's decision: ``None`` (stay stopped) or the delay before restarting."""
    policy = container.host_config.get("RestartPolicy") or {}
    name = policy.get("Name") or "no"
    if name == "no" or container.manually_stopped:
        return None
    ran = (container.finished_at or 0.0) - (container.started_at or 0.0)
    if ran >= BACKOFF_RESET_AFTER:
        container.backoff = 0.0
    container.backoff = BACKOFF_START if container.backoff == 0 else \
        min(container.backoff * 2, BACKOFF_MAX)
    if name in ("always", "unless-stopped"):
        return container.backoff
    if name == "on-failure":
        limit = policy.get("MaximumRetryCount") or 0
        if container.exit_code != 0 and (limit == 0 or container.restart_count < limit):
            return container.backoff
    return None


def _exit_now(engine, container, code: int) -> None:
    container.status = "running"
    exited(engine, container, code)


# -- stop, kill, restart -------------------------------------------------------------------------
def parse_signal(signal) -> int:
    text = str(signal or "KILL").upper()
    if text.isdigit():
        return int(text)
    number = SIGNALS.get(text[3:] if text.startswith("SIG") else text)
    if number is None:
        raise Invalid(f"Invalid signal: {signal}")
    return number


def kill(engine, container, signal="KILL"):
    number = parse_signal(signal)
    if not container.running:
        raise Conflict(f"Cannot kill container: {container.id}: Container {container.id} "
                       "is not running")
    container.manually_stopped = True
    engine.emit("container", "kill", container.id, signal=str(number), **_attributes(container))
    if container.status == "restarting":
        engine.clock.cancel(container.timers.pop("restart", None))
        container.status = "exited"
    elif number == 9:
        exited(engine, container, 128 + 9)
    elif number == 15 and container.term_exit is not None:
        _exit_on_term(engine, container)
    # Any other signal: busybox programs running as PID 1 have no handler, so it is ignored.


def _exit_on_term(engine, container) -> None:
    code = container.term_exit
    engine.clock.cancel(container.timers.pop("exit", None))
    container.timers["exit"] = engine.clock.schedule(TERM_EXIT_AFTER,
                                                     lambda: exited(engine, container, code))


def stop(engine, container, timeout=None):
    """SIGTERM (ignored by PID 1 unless it traps it), wait up to ``timeout`` virtual seconds for
    the exit, then SIGKILL."""
    if not container.running:
        return NOT_MODIFIED
    timeout = DEFAULT_STOP_TIMEOUT if timeout is None else max(0, int(timeout))
    container.manually_stopped = True
    if container.status == "restarting":
        engine.clock.cancel(container.timers.pop("restart", None))
        container.status = "exited"
    else:
        engine.emit("container", "kill", container.id, signal="15", **_attributes(container))
        if container.term_exit is not None:
            _exit_on_term(engine, container)
        deadline = engine.clock.now + timeout
        while container.status == "running" and engine.clock.peek() <= deadline:
            engine.clock.step()  # the process may end on its own before the timeout
        engine.clock.run(until=max(engine.clock.now, deadline) if container.status == "running"
                         else engine.clock.now)
        if container.running:
            engine.emit("container", "kill", container.id, signal="9", **_attributes(container))
            exited(engine, container, 128 + 9)
    engine.emit("container", "stop", container.id, **_attributes(container))
    return None


def restart(engine, container, timeout=None):
    if container.running:
        stop(engine, container, timeout)
    start(engine, container)
    engine.emit("container", "restart", container.id, **_attributes(container))


# -- remove and wait -----------------------------------------------------------------------------
def remove(engine, container, force: bool = False, volumes: bool = False) -> None:
    if container.running:
        if not force:
            raise Conflict(
                f"You cannot remove a running container {container.id}. Stop the container "
                "before attempting removal or force remove")
        kill(engine, container, "KILL")
    for timer in container.timers.values():
        engine.clock.cancel(timer)
    container.timers.clear()
    for endpoint in container.endpoints.values():
        attach.detach_endpoint(engine, container, endpoint)
    for mount in container.mounts:
        volume = engine.volumes.get(mount.get("Name") or "")
        if volume is None:
            continue
        volume.users.discard(container.id)
        if volumes and volume.anonymous and not volume.users:
            engine.volumes.remove(volume)
            engine.emit("volume", "destroy", volume.name, driver="local")
    for exec_id in container.exec_ids:
        engine.execs.pop(exec_id, None)
    engine.containers.discard(container)
    container.status = "removing"
    engine.emit("container", "destroy", container.id, **_attributes(container))


def wait(engine, container, condition: str = "not-running", limit: float | None = None) -> dict:
    """Let virtual time pass until the container stops (bounded: never hangs); ``limit``: the
    virtual seconds the caller waits at most (``wait(timeout=5)``: the client gives up)."""
    if condition not in ("not-running", "next-exit", "removed", ""):
        raise Invalid(f"invalid condition: {condition}")
    if condition == "next-exit" and not container.running:
        raise NotSupported("wait(condition='next-exit') sobre un contenedor parado")
    deadline = engine.clock.now + (WAIT_LIMIT if limit is None else limit)
    while container.running or (condition == "removed" and container.status != "removing"):
        if engine.clock.peek() > deadline and limit is not None:
            engine.clock.run(until=deadline)
            raise TimedOut(f"SimAdapter(engine.sim.invalid): Read timed out. "
                                 f"(read timeout={limit:g})")
        if engine.clock.peek() > deadline:
            raise NotSupported(
                f"esperar a '{container.name}', que no termina nunca (su proceso principal "
                "sigue en marcha). En un motor real wait() se quedaría bloqueado: para el "
                "contenedor (stop/kill) antes de esperar")
        engine.clock.step()
    return {"StatusCode": container.exit_code, "Error": None}


def _attributes(container) -> dict:
    return {"image": container.image_ref, "name": container.name, **container.labels}
