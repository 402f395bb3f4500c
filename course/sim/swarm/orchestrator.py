"""The reconcile loop: make the tasks match each service's spec, all the time.

Why event-driven: Swarm's orchestrator reacts to changes (a spec written, a task failed, a node
lost) and converges; on the virtual clock the same reactions run the moment the change happens,
which is both exact and cheap (no polling of 10,000 tasks). The rules, as swarmkit applies them:

1. **Replicated**: slots ``1..N``. Missing slots get new tasks (lowest free numbers first); extra
   slots are removed preferring nodes that hold the most copies, running tasks kept first.
2. **Global**: one task per node that is ready, ``active`` and meets the constraints.
3. **Restart policy** (condition any, delay 5 s by default): a failed task is never restarted; a
   new task takes its slot at once with desired state ``ready``, and runs after the delay.
4. **Node down**: its tasks are given up (desired ``shutdown``) and replaced elsewhere; Swarm
   does not move them back when the node returns (no rebalancing).
5. **Pending**: a task no node can take waits, and is placed when capacity appears.
"""

from __future__ import annotations

from . import scheduler, specs
from .ids import swarm_id
from .tasks import Task

RUN = ("running", "ready")


class Orchestrator:
    """Reconciles services; ``cluster`` is the :class:`~.cluster.Swarm`."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.tasks = cluster.tasks
        self.lifecycle = cluster.lifecycle
        self.pending: dict[str, Task] = {}
        self._retry_timer = None
        self._place_timer = None
        self._to_place: dict[str, list[Task]] = {}
        self._constraints: dict[str, list] = {}

    # -- tasks --------------------------------------------------------------------------------
    def new_task(self, service, slot: int, node_id: str = "", desired: str = "running") -> Task:
        now = self.cluster.clock.now
        task = Task(
            id=swarm_id(self.cluster.rng), service_id=service.id, service_name=service.name,
            slot=slot, template=service.template, key=service.key, created=now,
            desired=desired, updated=now, status_time=now,
            reserved=specs.reservations(service.template),
        )
        task.node_id = node_id  # global tasks know their node before placement
        task.version = self.cluster.versions.bump()
        self.tasks.add(task)
        self.cluster.trim(service.id, slot or node_id)
        return task

    def constraints(self, service) -> list:
        parsed = self._constraints.get(service.key)
        if parsed is None:
            parsed = [scheduler.parse_constraint(c) for c in specs.constraints(service.template)]
            self._constraints[service.key] = parsed
        return parsed

    def place(self, service, batch: list[Task]) -> None:
        """Queue new tasks for placement; the queue is placed in one batch per service once
        the current change is done (at the same virtual time). Batching is what keeps a
        rolling update of 10,000 tasks from scanning 1,000 nodes once per task."""
        if not batch:
            return
        self._to_place.setdefault(service.id, []).extend(batch)
        if self._place_timer is None:
            self._place_timer = self.cluster.clock.schedule(0.0, self._flush)

    def _flush(self) -> None:
        self._place_timer = None
        queued, self._to_place = self._to_place, {}
        for service_id, batch in queued.items():
            service = self.cluster.services.get(service_id)
            live = [t for t in batch if t.desired in RUN and t.state == "new"]
            if service is not None and live:
                self._place_now(service, live)

    def _place_now(self, service, batch: list[Task]) -> None:
        """Assign a batch of new tasks of one service to nodes (or leave them pending)."""
        rules = self.constraints(service)
        cpus, memory = specs.reservations(service.template)
        if service.is_global:
            for task in batch:
                node = self.cluster.nodes.find(task.node_id)
                if node and node.accepts_tasks and node.fits(cpus, memory):
                    self.pending.pop(task.id, None)
                    self.lifecycle.assign(task, node)
                else:
                    self._wait(task, scheduler.explain([node] if node else [], rules, cpus, memory))
            return
        nodes = scheduler.candidates(self.cluster.nodes, rules)
        chosen = scheduler.spread(len(batch), service.id, nodes, cpus, memory)
        for task, node in zip(batch, chosen, strict=False):
            self.pending.pop(task.id, None)
            self.lifecycle.assign(task, node)
        if len(chosen) < len(batch):
            why = scheduler.explain(self.cluster.nodes, rules, cpus, memory)
            for task in batch[len(chosen):]:
                self._wait(task, why)

    def _wait(self, task: Task, why: str) -> None:
        self.lifecycle.pending(task, why)
        self.pending[task.id] = task

    def retry_pending_soon(self) -> None:
        """Capacity may have appeared: place pending tasks once the current change is done."""
        if self.pending and self._retry_timer is None:
            self._retry_timer = self.cluster.clock.schedule(0.0, self._retry_pending)

    def _retry_pending(self) -> None:
        self._retry_timer = None
        by_service: dict[str, list[Task]] = {}
        for task in list(self.pending.values()):
            if task.desired in RUN and task.state == "pending":
                by_service.setdefault(task.service_id, []).append(task)
            else:
                self.pending.pop(task.id, None)
        for service_id, batch in by_service.items():
            service = self.cluster.services.get(service_id)
            if service is not None:
                self._place_now(service, batch)

    # -- reconcile ----------------------------------------------------------------------------
    def reconcile(self, service) -> None:
        """Converge one service's tasks to its spec, then let the updater handle stale ones."""
        if service.is_global:
            self._reconcile_global(service)
        else:
            self._reconcile_replicated(service)
        self.cluster.updater.ensure(service)

    def _occupied(self, service) -> dict:
        """Slot -> its newest task desired to run (slots without one are free)."""
        occupied = {}
        for slot, history in self.tasks.slots(service.id).items():
            for task in reversed(history):
                if task.desired in RUN:
                    occupied[slot] = task
                    break
        return occupied

    def _reconcile_replicated(self, service) -> None:
        occupied = self._occupied(service)
        wanted = service.replicas
        if len(occupied) < wanted:
            batch, slot = [], 0
            for _ in range(wanted - len(occupied)):
                slot += 1
                while slot in occupied:
                    slot += 1
                batch.append(self.new_task(service, slot))
            self.place(service, batch)
        elif len(occupied) > wanted:
            for slot in self._victims(occupied, len(occupied) - wanted):
                for task in self.tasks.slot_history(service.id, slot):
                    if task.desired in RUN:
                        self.lifecycle.stop(task, "remove")

    @staticmethod
    def _victims(occupied: dict, count: int) -> list:
        """Slots to remove on scale-down: swarmkit keeps running tasks first, then balances
        nodes (the n-th copy on a node goes before the (n-1)-th); ties keep low slots."""
        ordered = sorted(occupied, key=lambda s: (occupied[s].state != "running", s))
        copies: dict[str, int] = {}
        ranked = []
        for slot in ordered:
            node = occupied[slot].node_id
            copies[node] = copies.get(node, 0) + 1
            ranked.append((copies[node], slot))
        ranked.sort()
        return [slot for _, slot in ranked[len(ranked) - count:]]

    def _reconcile_global(self, service) -> None:
        rules = self.constraints(service)
        occupied = self._occupied(service)
        batch = []
        for node in self.cluster.nodes:
            eligible = node.accepts_tasks and scheduler.meets(node, rules)
            if eligible and node.id not in occupied:
                batch.append(self.new_task(service, 0, node_id=node.id))
            elif not eligible and node.id in occupied and node.availability != "pause":
                self.lifecycle.stop(occupied[node.id], "shutdown")
        self.place(service, batch)

    # -- failures -----------------------------------------------------------------------------
    def restart(self, task: Task, failed: bool) -> None:
        """A task of a slot ended on its own: apply the restart policy to its slot."""
        service = self.cluster.services.get(task.service_id)
        task.desired = "shutdown"
        task.version = self.cluster.versions.bump()
        if service is None:
            return
        policy = specs.RestartPolicy.from_spec(service.template)
        if policy.condition == "none" or (policy.condition == "on-failure" and not failed):
            return
        slot_key = task.slot or task.node_id
        if policy.max_attempts:
            attempts = self.cluster.restarts.get((service.id, slot_key), 0)
            if attempts >= policy.max_attempts:
                return
            self.cluster.restarts[(service.id, slot_key)] = attempts + 1
        if service.is_global:
            node = self.cluster.nodes.find(task.node_id)
            if node is None or not (node.accepts_tasks and
                                    scheduler.meets(node, self.constraints(service))):
                return
        self.replace_later(service, task.slot, task.node_id if service.is_global else "",
                           policy.delay)

    def replace_later(self, service, slot: int, node_id: str, delay: float) -> Task:
        """A new task for ``slot`` now (desired ``ready``), allowed to run after ``delay``."""
        new = self.new_task(service, slot, node_id=node_id, desired="ready")
        new.extra["delayed"] = True
        self.place(service, [new])
        self.cluster.clock.schedule(delay, lambda: self._release(new))
        return new

    def _release(self, task: Task) -> None:
        """The restart delay is over: run the task or, if it already ended while waiting
        (an image that is not there is rejected during the delay), restart its slot now."""
        task.extra.pop("delayed", None)
        if task.desired != "ready" or task.id not in self.tasks.by_id:
            return
        if task.terminal:
            self.restart(task, failed=task.state != "complete")
        else:
            self.lifecycle.release_to_run(task)

    # -- nodes --------------------------------------------------------------------------------
    def node_down(self, node) -> None:
        """Give up the node's tasks (their last state stays as reported) and replace them."""
        lost = [t for t in node.tasks.values() if t.desired in RUN]
        node.lost.extend(node.tasks.values())
        for task in list(node.tasks.values()):
            self.cluster.clock.cancel(task.timer)
            task.timer = None
            node.release(task, *task.reserved)
            task.desired = "shutdown"
            task.version = self.cluster.versions.bump()
            self.cluster.updater.on_lost(task)
        by_service: dict[str, list[Task]] = {}
        for task in lost:
            by_service.setdefault(task.service_id, []).append(task)
        for service_id, tasks in by_service.items():
            service = self.cluster.services.get(service_id)
            if service is None or service.is_global:
                continue
            delay = specs.RestartPolicy.from_spec(service.template).delay
            batch = [self.new_task(service, t.slot, desired="ready") for t in tasks]
            self.place(service, batch)
            self.cluster.clock.schedule(delay, lambda b=batch: [self._release(t) for t in b])
        self.reconcile_all(global_only=True)

    def node_up(self, node) -> None:
        """The node's agent is back: the tasks it still ran are told to shut down."""
        for task in node.lost:
            if not task.terminal:
                self.lifecycle.set_state(task, "shutdown", "shutdown")
                task.exit_code = 137
        node.lost.clear()
        self.reconcile_all(global_only=True)
        self.retry_pending_soon()

    def reconcile_all(self, global_only: bool = False) -> None:
        for service in list(self.cluster.services.values()):
            if service.is_global or not global_only:
                self.reconcile(service)
