"""Tasks: one replica's attempt to run, its slot, its history and the engine's JSON for it.

Why slots and history: Swarm never restarts a task. A failed task stays in the list (desired
``shutdown``) and a *new* task takes its slot; ``service.tasks()`` shows up to five tasks per slot
(``TaskHistoryRetentionLimit``). Lessons grade on that history (which versions ran in each slot,
in which order), so the store keeps it per slot, oldest first, and indexes live tasks by service
and by node so that 10,000 tasks are found without scans.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..naming import rfc3339

# swarmkit's TaskState values: comparisons such as "state >= running" follow this order.
STATE_ORDER = {
    "new": 0, "pending": 64, "assigned": 192, "accepted": 256, "preparing": 320, "ready": 384,
    "starting": 448, "running": 512, "complete": 576, "shutdown": 640, "failed": 704,
    "rejected": 768, "remove": 800, "orphaned": 832,
}
RUNNING = STATE_ORDER["running"]
HISTORY_LIMIT = 5  # the cluster default TaskHistoryRetentionLimit


@dataclass(eq=False, slots=True)
class Task:
    """One task. ``template`` is the service's ``TaskTemplate`` it was made from (shared, never
    mutated), ``key`` its canonical text: a task is up to date when its key is the service's."""

    id: str
    service_id: str
    service_name: str
    slot: int  # 0 for a global service's task (its "slot" is its node)
    template: dict
    key: str
    created: float
    node_id: str = ""
    desired: str = "running"
    state: str = "new"
    message: str = "created"
    err: str = ""
    exit_code: int | None = None
    container_id: str = ""
    pid: int = 0
    updated: float = 0.0
    status_time: float = 0.0
    version: int = 0
    running_since: float | None = None
    ip: str = ""
    timer: Any = None
    reserved: tuple[int, int] = (0, 0)
    extra: dict = field(default_factory=dict)

    @property
    def order(self) -> int:
        return STATE_ORDER[self.state]

    @property
    def terminal(self) -> bool:
        """Past running: complete, shutdown, failed, rejected, remove or orphaned."""
        return STATE_ORDER[self.state] > RUNNING

    @property
    def live(self) -> bool:
        """Desired to run (or about to: ``ready``) and not finished yet."""
        return self.desired in ("running", "ready") and not self.terminal

    @property
    def name(self) -> str:
        """``<service>.<slot>.<id>`` (``<service>.<node id>.<id>`` for global services)."""
        middle = self.slot if self.slot else self.node_id
        return f"{self.service_name}.{middle}.{self.id}"

    def inspect(self) -> dict:
        """The body of ``GET /tasks/{id}``."""
        spec = {k: v for k, v in self.template.items() if k != "Runtime"}
        status: dict[str, Any] = {
            "Timestamp": rfc3339(self.status_time), "State": self.state, "Message": self.message,
        }
        if self.err:
            status["Err"] = self.err
        if self.node_id:
            status["ContainerStatus"] = {
                "ContainerID": self.container_id, "PID": self.pid,
                "ExitCode": self.exit_code if self.exit_code is not None else 0,
            }
        status["PortStatus"] = {}
        body = {
            "ID": self.id, "Version": {"Index": self.version},
            "CreatedAt": rfc3339(self.created), "UpdatedAt": rfc3339(self.updated),
            "Labels": {}, "Spec": spec, "ServiceID": self.service_id,
        }
        if self.slot:
            body["Slot"] = self.slot
        if self.node_id:
            body["NodeID"] = self.node_id
        body["Status"] = status
        body["DesiredState"] = self.desired
        if self.ip:
            body["NetworksAttachments"] = [{"Addresses": [f"{self.ip}/24"]}]
        return body


def slot_order(slot) -> tuple:
    """Sort key of slot keys: numbers in order (replicated), then node ids (global).

    >>> sorted([10, 2, 1], key=slot_order)
    [1, 2, 10]
    """
    return (0, slot, "") if isinstance(slot, int) else (1, 0, str(slot))


class TaskStore:
    """Every task, by id, and per service per slot (history oldest first).

    >>> store = TaskStore()
    >>> t = Task(id="t1", service_id="s", service_name="web", slot=1, template={}, key="",
    ...          created=0)
    >>> store.add(t); store.slot_history("s", 1) == [t], store.current("s", 1) is t
    (True, True)
    """

    missing = "task {ref} not found"  # errors.lookup's 404 for an unknown ref

    def __init__(self):
        self.by_id: dict[str, Task] = {}
        self.by_service: dict[str, dict[Any, list[Task]]] = {}

    def __len__(self) -> int:
        return len(self.by_id)

    def find(self, ref: str) -> Task | None:
        """By id, or by the first id it prefixes (the engine's task lookup)."""
        if ref in self.by_id:
            return self.by_id[ref]
        return next((t for i, t in self.by_id.items() if i.startswith(ref)), None)

    def add(self, task: Task) -> None:
        self.by_id[task.id] = task
        slots = self.by_service.setdefault(task.service_id, {})
        slots.setdefault(task.slot or task.node_id, []).append(task)

    def slots(self, service_id: str) -> dict[Any, list[Task]]:
        """Slot key (number, or node id for global services) -> history, oldest first."""
        return self.by_service.get(service_id, {})

    def slot_history(self, service_id: str, slot) -> list[Task]:
        return self.slots(service_id).get(slot, [])

    def current(self, service_id: str, slot) -> Task | None:
        """The newest task of a slot that is still desired to run, if any."""
        for task in reversed(self.slot_history(service_id, slot)):
            if task.desired in ("running", "ready"):
                return task
        return None

    def of_service(self, service_id: str) -> list[Task]:
        return [t for history in self.slots(service_id).values() for t in history]

    def delete(self, task: Task) -> None:
        self.by_id.pop(task.id, None)
        key = task.slot or task.node_id
        history = self.by_service.get(task.service_id, {}).get(key)
        if history is not None:
            if task in history:
                history.remove(task)
            if not history:
                del self.by_service[task.service_id][key]

    def drop_service(self, service_id: str) -> list[Task]:
        tasks = self.of_service(service_id)
        for task in tasks:
            self.by_id.pop(task.id, None)
        self.by_service.pop(service_id, None)
        return tasks

    def trim(self, service_id: str, slot, limit: int = HISTORY_LIMIT) -> list[Task]:
        """Keep at most ``limit`` tasks in a slot, deleting the oldest finished ones first;
        returns the deleted tasks."""
        history = self.slot_history(service_id, slot)
        excess = len(history) - limit
        deleted: list[Task] = []
        for task in list(history):
            if excess <= 0:
                break
            if task.terminal and task.desired not in ("running", "ready"):
                self.delete(task)
                deleted.append(task)
                excess -= 1
        return deleted
