"""What a task's container does on a node, when that node is not the engine itself.

Why two runtimes: on a real Swarm the manager's API shows only the containers of its own node;
the other nodes' containers exist but are out of sight. So tasks placed on the engine's own node
run as simulated *containers* (``containers.list()`` shows them, killing one fails the task; see
``local.py``), while tasks on simulated workers run in this lighter model, which needs no
container, keeps 10,000 tasks cheap, and follows the same rules: the image's health check (the
broken ``course/web:3`` never passes it), and a stop as the container's PID 1 takes it: the lab
image's start script exits 143 at once on SIGTERM; any other command ignores it, waits out the
grace period and is killed (exit code 137). Swarm stops an unhealthy task the same way.
"""

from __future__ import annotations

from ..images import BROKEN_WEB_VERSIONS, WEB_TERM_EXIT
from ..lifecycle import TERM_EXIT_AFTER
from . import specs


def health_plan(cluster, task) -> tuple[float, bool] | None:
    """``(seconds until decided, healthy?)`` from the image and the spec, or ``None`` when the
    container has no health check (it counts as running as soon as it starts).

    >>> class C:
    ...     def find_image(self, ref): return None
    >>> health_plan(C(), type("T", (), {"template": {"ContainerSpec": {"Image": "x"}}})())
    """
    container = task.template["ContainerSpec"]
    image = cluster.find_image(container["Image"])
    check = dict((image.healthcheck or {}) if image is not None else {})
    check.update({k: v for k, v in (container.get("Healthcheck") or {}).items() if v})
    test = check.get("Test") or []
    if not test or test[0] == "NONE":
        return None
    interval = (check.get("Interval") or 30 * specs.SECOND) / specs.SECOND
    retries = int(check.get("Retries") or 3)
    broken = image is not None and image.web_version in BROKEN_WEB_VERSIONS
    return (interval * retries, False) if broken else (interval, True)


def term_exit(cluster, task) -> int | None:
    """The exit code of the task's main process on SIGTERM, ``None`` if it ignores it: only the
    lab image's own start script (no ``Command``/``Args`` in the spec) traps it."""
    container = task.template["ContainerSpec"]
    image = cluster.find_image(container["Image"])
    if image is None or image.web_version is None or container.get("Command") \
            or container.get("Args"):
        return None
    return WEB_TERM_EXIT


class ModelRuntime:
    """Containers of remote nodes: timers on the virtual clock, no container objects."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.clock = cluster.clock
        self.lifecycle = cluster.lifecycle
        self._plans: dict[str, tuple | None] = {}  # template key -> health plan

    def _later(self, task, delay: float, action) -> None:
        self.lifecycle.later(task, delay, action)

    def start(self, task) -> None:
        if not task.container_id:
            task.container_id = self.cluster.new_container_id()
            task.pid = 1000 + len(self.cluster.tasks)
        plan = self._plans.get(task.key, False)
        if plan is False:
            plan = self._plans[task.key] = health_plan(self.cluster, task)
        if plan is None:
            self.lifecycle.started(task)
            return
        delay, healthy = plan
        if healthy:
            self._later(task, delay, lambda: self.lifecycle.started(task))
        else:
            # Swarm stops the unhealthy container: SIGTERM, then SIGKILL after the grace period
            code = term_exit(self.cluster, task) or 137
            self._later(task, delay, lambda: self.lifecycle.exited(task, code, unhealthy=True))

    def stop(self, task, grace: float) -> None:
        code = term_exit(self.cluster, task)
        if code is None:  # SIGTERM ignored: killed when the grace period ends
            self._later(task, grace, lambda: self.lifecycle.stopped(task, 137))
        else:
            self._later(task, min(grace, TERM_EXIT_AFTER),
                        lambda: self.lifecycle.stopped(task, code))

    def kill(self, task, exit_code: int = 137) -> None:
        self.clock.cancel(task.timer)
        task.timer = None
        task.pid = 0
        self.lifecycle.exited(task, exit_code)

    def healthy(self, task) -> bool:
        """Whether a running task answers its health check (model tasks: running means yes)."""
        return task.state == "running"
