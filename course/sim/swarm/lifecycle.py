"""A task's life on its node: assigned → preparing → (ready) → starting → running → stopped.

Why on the virtual clock, with the engine's messages: lessons watch tasks move through these
states (``docker service ps``) and the autograder compares histories, so every transition
happens at a reproducible virtual time and says what the engine says (``scheduler assigned task
to node``, ``prepared``, ``starting``, ``started``, ``task: non-zero exit (137)``, ``No such
image``). What a *container* does (health checks, being killed) is asked of the node's runtime;
this module only turns the answers into task states and tells the orchestrator and the updater.

Timing, in virtual seconds: preparing takes ``PREPARE``; a task with a health check is ``starting``
until its first probe passes (one interval), or fails after ``retries`` intervals; stopping a
running task is a SIGTERM: the lab image's start script exits 143 at once; a command that ignores
it (busybox programs as PID 1) is killed with exit code 137 when its stop grace period ends (10 s
by default), as on the real engine.
"""

from __future__ import annotations

from . import specs
from .tasks import RUNNING, STATE_ORDER, Task

PREPARE = 0.5  # assigned → prepared (the engine checks the image and creates the container)
UNHEALTHY_ERR = "task: non-zero exit ({code}): dockerexec: unhealthy container"


class _Token:
    """A task's pending action; ``Clock.cancel`` marks it cancelled like a clock timer."""

    __slots__ = ("cancelled",)

    def __init__(self):
        self.cancelled = False


class Lifecycle:
    """Moves tasks through their states; ``cluster`` is the :class:`~.cluster.Swarm`."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.clock = cluster.clock
        self._due: dict[float, list] = {}

    # -- bookkeeping --------------------------------------------------------------------------
    def set_state(self, task: Task, state: str, message: str, err: str = "") -> None:
        now = self.clock.now
        task.state, task.message, task.status_time, task.updated = state, message, now, now
        if err:
            task.err = err
        task.version = self.cluster.versions.bump()

    def later(self, task: Task, delay: float, action) -> None:
        """Run ``action`` after ``delay`` unless the task's timer is cancelled or replaced.

        Tasks placed together reach their next state together, so actions due at the same
        virtual time share one clock timer (a rolling update of 10,000 tasks needs hundreds of
        timers, not tens of thousands). ``clock.cancel(task.timer)`` still cancels one task's.
        """
        self.clock.cancel(task.timer)
        token = _Token()
        task.timer = token
        due = round(self.clock.now + max(0.0, delay), 9)
        batch = self._due.get(due)
        if batch is None:
            batch = self._due[due] = []
            self.clock.schedule(due - self.clock.now, lambda: self._fire(due))
        batch.append((task, token, action))

    def _fire(self, due: float) -> None:
        for task, token, action in self._due.pop(due, ()):
            if not token.cancelled and task.timer is token:
                task.timer = None
                action()

    _later = later

    # -- placement ----------------------------------------------------------------------------
    def pending(self, task: Task, why: str) -> None:
        if task.state != "pending" or task.err != why:
            self.set_state(task, "pending", "pending task scheduling", why)

    def assign(self, task: Task, node) -> None:
        """The scheduler picked ``node``: reserve its resources and start preparing."""
        task.node_id = node.id
        task.err = ""
        node.hold(task, *task.reserved)
        self.set_state(task, "assigned", "scheduler assigned task to node")
        self._later(task, PREPARE, lambda: self._prepared(task))

    def _prepared(self, task: Task) -> None:
        task.timer = None
        if task.desired not in ("running", "ready"):
            return
        image = self.cluster.find_image(task.template["ContainerSpec"]["Image"])
        if image is None:
            ref = task.template["ContainerSpec"]["Image"]
            self.set_state(task, "rejected", "preparing", f"No such image: {ref}")
            self.cluster.task_finished(task, failed=True)
            return
        self.set_state(task, "ready", "prepared")
        if task.desired == "running":
            self._start(task)

    def release_to_run(self, task: Task) -> None:
        """``desired`` becomes ``running`` (after a restart delay, or when an update allows)."""
        if task.desired != "ready":
            return
        task.desired = "running"
        task.version = self.cluster.versions.bump()
        if task.state == "ready":
            self._start(task)

    # -- running ------------------------------------------------------------------------------
    def _start(self, task: Task) -> None:
        self.set_state(task, "starting", "starting")
        task.exit_code = 0
        self.cluster.runtime_for(task).start(task)

    def started(self, task: Task) -> None:
        """The runtime reports the container running (and healthy, if it has a health check)."""
        if task.state != "starting" or task.desired not in ("running", "ready"):
            return
        self.set_state(task, "running", "started")
        task.running_since = self.clock.now
        self.cluster.task_running(task)

    def exited(self, task: Task, exit_code: int, unhealthy: bool = False) -> None:
        """The container stopped on its own (or was killed): the task fails (or completes)."""
        if task.terminal:
            return
        self.clock.cancel(task.timer)
        task.timer = None
        task.exit_code = exit_code
        if task.desired in ("shutdown", "remove") and task.order >= STATE_ORDER["starting"]:
            self._stopped(task)
            return
        if unhealthy:
            self.set_state(task, "failed", task.message, UNHEALTHY_ERR.format(code=exit_code))
        elif exit_code == 0:
            self.set_state(task, "complete", "finished")
        else:
            self.set_state(task, "failed", task.message, f"task: non-zero exit ({exit_code})")
        self.cluster.task_finished(task, failed=exit_code != 0 or unhealthy)

    # -- stopping -----------------------------------------------------------------------------
    def stop(self, task: Task, desired: str = "shutdown") -> None:
        """Ask a task to stop (``desired`` is ``shutdown`` or ``remove``)."""
        if task.desired == desired:
            return
        task.desired = desired
        task.version = self.cluster.versions.bump()
        if task.terminal:
            self.cluster.task_stopped(task)
            return
        if task.order < STATE_ORDER["starting"]:  # never started: nothing to stop
            self.clock.cancel(task.timer)
            task.timer = None
            self.set_state(task, "shutdown", "shutdown")
            self.cluster.task_stopped(task)
            return
        grace = task.template["ContainerSpec"].get("StopGracePeriod")
        grace = specs.STOP_GRACE_DEFAULT if grace is None else grace
        self.cluster.runtime_for(task).stop(task, grace / specs.SECOND)

    def _stopped(self, task: Task) -> None:
        self.set_state(task, "shutdown", "shutdown")
        self.cluster.task_stopped(task)

    def stopped(self, task: Task, exit_code: int) -> None:
        """The runtime reports a container stopped because the task was asked to stop."""
        if task.terminal:
            return
        task.exit_code = exit_code
        self._stopped(task)

    @staticmethod
    def reached_running(task: Task) -> bool:
        """swarmkit's "state >= RUNNING": running, or past it (failed, rejected, ...)."""
        return task.order >= RUNNING
