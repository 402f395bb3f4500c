"""Rolling updates and rollbacks: replace stale tasks slot by slot, watching for failures.

Why it is written like swarmkit's updater: lessons measure a rollout (how many tasks ran at each
moment, which version answered) and its outcome (``UpdateStatus``), so the order of operations
is the engine's:

1. The slots whose task is stale (its template differs from the spec) are queued. ``parallelism``
   lanes (0 = all at once) each take a slot, update it, wait ``delay``, take the next.
2. Updating a slot: **stop-first** stops the old task, and the new one starts once the old has
   stopped; **start-first** starts the new task and stops the old one once the new is running.
   The lane moves on when the new task reaches running *or fails*.
3. A new task that fails before running, or within ``monitor`` of running, is a failure. When
   failures / queued slots > ``max_failure_ratio``, ``failure_action`` applies: ``pause``
   (``UpdateStatus`` paused), ``continue``, or ``rollback`` (spec := ``PreviousSpec``, state
   ``rollback_started``, then a rollout with ``RollbackConfig``; a failing rollback pauses).
4. After the last slot, one more ``monitor`` period; then ``completed`` (``rollback_completed``).
"""

from __future__ import annotations

from . import specs
from .tasks import slot_order

RUN = ("running", "ready")


class Rollout:
    """One update (or rollback) of one service in progress."""

    def __init__(self, updater, service, config: specs.Rollout, rollback: bool):
        self.updater = updater
        self.cluster = updater.cluster
        self.service = service
        self.config = config
        self.rollback = rollback
        self.key = service.key
        slots = self.cluster.tasks.slots(service.id)
        self.queue = [s for s in sorted(slots, key=slot_order) if self._stale(s)]
        self.queue.reverse()  # pop() from the end takes the lowest slot first
        self.total = len(self.queue)
        self.lanes = self.total if config.parallelism == 0 else min(config.parallelism,
                                                                    max(self.total, 1))
        self.busy = 0  # lanes updating a slot or waiting out the delay
        self.inflight: dict[str, object] = {}  # new task id -> slot
        self.waiting_stop: dict[str, list] = {}  # new task id -> old tasks still stopping
        self.replaced_by: dict[str, str] = {}  # stop-first: old task id -> its new task id
        self.created: dict[str, float | None] = {}  # new task id -> when it ran (None: not yet)
        self.failures = 0
        self.done = False
        self.timers: list = []

    def _stale(self, slot) -> bool:
        """swarmkit's isSlotDirty: more than one task desired to run, or one of another spec.

        The first case is why a rollback visits the slot whose new task just failed (at that
        moment the failed task is still desired to run next to the old one): it keeps the old
        task, stops the other and, like any rollout, waits ``monitor`` before completing."""
        runnable = [t for t in self.cluster.tasks.slot_history(self.service.id, slot)
                    if t.desired in RUN]
        return len(runnable) > 1 or any(not t.terminal and t.key != self.key for t in runnable)

    # -- lanes ----------------------------------------------------------------------------------
    def begin(self) -> None:
        self._fill()

    def _fill(self) -> None:
        """Give every free lane the next stale slot; with none left, start the last monitor."""
        if self.done:
            return
        while self.busy < self.lanes and self.queue:
            slot = self.queue.pop()
            if self._stale(slot):
                self.busy += 1
                self._update_slot(slot)
        if self.busy == 0 and not self.queue:
            self._all_slots_done()

    def _update_slot(self, slot) -> None:
        history = self.cluster.tasks.slot_history(self.service.id, slot)
        old = [t for t in history if t.desired in RUN]
        orch, lifecycle = self.cluster.orchestrator, self.cluster.lifecycle
        node_id = slot if self.service.is_global else ""
        start_first = self.config.order == "start-first"
        running_old = [t for t in old if not t.terminal]
        current = [t for t in running_old if t.key == self.key]
        if current:  # swarmkit's useExistingTask: keep the task of this spec, stop the others
            for task in old:
                if task is not current[0]:
                    lifecycle.stop(task, "shutdown")
            self.inflight[current[0].id] = slot
            self.timers.append(self.cluster.clock.schedule(
                0, lambda: self._slot_finished(current[0].id)))
            return
        new = orch.new_task(self.service, slot if not self.service.is_global else 0,
                            node_id=node_id,
                            desired="running" if start_first or not running_old else "ready")
        self.inflight[new.id] = slot
        self.created[new.id] = None
        if start_first:
            self.waiting_stop[new.id] = old  # stopped once the new one runs
            orch.place(self.service, [new])
        else:
            for task in old:
                lifecycle.stop(task, "shutdown")
            self.waiting_stop[new.id] = [t for t in old if not t.terminal]
            for stopping in self.waiting_stop[new.id]:
                self.replaced_by[stopping.id] = new.id
            orch.place(self.service, [new])
            self._maybe_release(new.id)

    def _maybe_release(self, new_id: str) -> None:
        """stop-first: the new task may run once every old task of its slot has stopped."""
        olds = self.waiting_stop.get(new_id)
        if olds is None or self.config.order == "start-first":
            return
        if all(t.terminal for t in olds):
            del self.waiting_stop[new_id]
            new = self.cluster.tasks.by_id.get(new_id)
            if new is not None:
                self.cluster.lifecycle.release_to_run(new)

    def _slot_finished(self, new_id: str) -> None:
        if self.inflight.pop(new_id, None) is None or self.done:
            return
        if self.config.delay > 0:
            self.timers.append(self.cluster.clock.schedule(self.config.delay, self._lane_free))
        else:
            self._lane_free()

    def _lane_free(self) -> None:
        self.busy -= 1
        self._fill()

    def _all_slots_done(self) -> None:
        if self.done or self.inflight:
            return
        if self.config.monitor > 0:
            self.timers.append(self.cluster.clock.schedule(self.config.monitor, self._complete))
        else:
            self._complete()

    def _complete(self) -> None:
        if self.done:
            return
        self.done = True
        if self.total == 0 and self.service.update_status is None:
            return
        state, message = ("rollback_completed", "rollback completed") if self.rollback \
            else ("completed", "update completed")
        self.updater.set_status(self.service, state, message, completed=True)

    def cancel(self) -> None:
        self.done = True
        for timer in self.timers:
            self.cluster.clock.cancel(timer)

    # -- events ---------------------------------------------------------------------------------
    def on_running(self, task) -> None:
        if task.id in self.created:
            self.created[task.id] = self.cluster.clock.now
        if task.id in self.inflight:
            if self.config.order == "start-first":
                for old in self.waiting_stop.pop(task.id, []):
                    if old.desired in RUN:
                        self.cluster.lifecycle.stop(old, "shutdown")
            self._slot_finished(task.id)

    def on_failed(self, task) -> None:
        if task.id in self.created and not self.done:
            since = self.created[task.id]
            if since is None or self.cluster.clock.now - since <= self.config.monitor:
                self.failures += 1
                if self.failures / max(self.total, 1) > self.config.max_failure_ratio:
                    if self._failure_action(task):
                        return
        self.waiting_stop.pop(task.id, None)
        self._slot_finished(task.id)

    def on_stopped(self, task) -> None:
        new_id = self.replaced_by.pop(task.id, None)
        if new_id is not None:
            self._maybe_release(new_id)

    def on_lost(self, task) -> None:
        """A task of a node that went down: its slot is replaced by the orchestrator."""
        self.waiting_stop.pop(task.id, None)
        self._slot_finished(task.id)
        self.on_stopped(task)

    def _failure_action(self, task) -> bool:
        action = self.config.failure_action
        why = f"failure or early termination of task {task.id}"
        if action == "continue":
            return False
        self.cancel()
        if action == "pause" or self.rollback:
            state = "rollback_paused" if self.rollback else "paused"
            verb = "rollback" if self.rollback else "update"
            self.updater.set_status(self.service, state, f"{verb} paused due to {why}")
            return True
        self.updater.roll_back(self.service, f"update rolled back due to {why}")
        return True


class Updater:
    """Starts, replaces and reports rollouts; ``cluster`` is the :class:`~.cluster.Swarm`."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.active: dict[str, Rollout] = {}  # service id -> rollout in progress (or last)

    def ensure(self, service) -> None:
        """Start a rollout when the service's spec is new to the updater and tasks are stale."""
        current = self.active.get(service.id)
        if current is not None and current.key == service.key:
            return
        if current is not None:
            current.cancel()
        status = service.update_status or {}
        rollback = status.get("State") == "rollback_started"
        config = specs.Rollout.from_spec(
            service.spec.get("RollbackConfig" if rollback else "UpdateConfig"))
        rollout = Rollout(self, service, config, rollback)
        self.active[service.id] = rollout
        if rollout.total == 0:
            if status.get("State") in ("updating", "rollback_started"):
                rollout._complete()
            rollout.done = True
            return
        if not rollback:
            service.update_status = {"State": "updating", "StartedAt": self.cluster.clock.now,
                                     "Message": "update in progress"}
            self.cluster.touch(service)
        rollout.begin()

    def forget(self, service) -> None:
        rollout = self.active.pop(service.id, None)
        if rollout is not None:
            rollout.cancel()

    def reset(self, service) -> None:
        """A new spec was written (not a rollback): the next ``ensure`` starts afresh."""
        rollout = self.active.pop(service.id, None)
        if rollout is not None:
            rollout.cancel()

    def set_status(self, service, state: str, message: str, completed: bool = False) -> None:
        status = dict(service.update_status or {"StartedAt": self.cluster.clock.now})
        status["State"], status["Message"] = state, message
        if completed:
            status["CompletedAt"] = self.cluster.clock.now
        service.update_status = {k: status[k] for k in ("State", "StartedAt", "CompletedAt",
                                                        "Message") if k in status}
        self.cluster.touch(service)

    def roll_back(self, service, message: str) -> None:
        """failure_action rollback: the previous spec becomes the spec (and is forgotten)."""
        if service.previous_spec is None:
            self.set_status(service, "paused", message + " (no previous spec to roll back to)")
            return
        service.set_spec(service.previous_spec)
        service.previous_spec = None
        self.set_status(service, "rollback_started", message)
        self.cluster.orchestrator.reconcile(service)

    # -- events from the lifecycle --------------------------------------------------------------
    def _rollout(self, task) -> Rollout | None:
        return self.active.get(task.service_id)

    def on_running(self, task) -> None:
        rollout = self._rollout(task)
        if rollout is not None:
            rollout.on_running(task)

    def on_failed(self, task) -> None:
        rollout = self._rollout(task)
        if rollout is not None:
            rollout.on_failed(task)

    def on_stopped(self, task) -> None:
        rollout = self._rollout(task)
        if rollout is not None:
            rollout.on_stopped(task)

    def on_lost(self, task) -> None:
        rollout = self._rollout(task)
        if rollout is not None:
            rollout.on_lost(task)
