"""Swarm nodes: capacity, labels, availability and readiness, and what runs on each.

Why a model of its own: the scheduler needs, for every node and in O(1), whether it accepts new
tasks (ready *and* active), how much CPU and memory its tasks reserve, and how many tasks of each
service it holds (the spread rule). The first node is the engine itself, created by ``swarm.init``
with the machine's resources, as on a real single-node Swarm; lessons add workers on the
simulator (``engine.swarm.add_node``) because the Engine API has no call for that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..naming import rfc3339

GIB = 1 << 30
NANO = 1_000_000_000


@dataclass(eq=False)
class Node:
    """One node of the simulated Swarm.

    >>> n = Node(id="n1", hostname="worker-1", order=1, nano_cpus=2 * NANO, memory=4 * GIB)
    >>> n.accepts_tasks, n.free_cpus
    (True, 2000000000)
    """

    id: str
    hostname: str
    order: int  # join order: the tie-break between equally loaded nodes
    nano_cpus: int
    memory: int
    role: str = "worker"
    availability: str = "active"  # active | pause | drain
    state: str = "ready"  # ready | down
    labels: dict[str, str] = field(default_factory=dict)
    addr: str = "127.0.0.1"
    created: float = 0.0
    updated: float = 0.0
    version: int = 0
    reserved_cpus: int = 0
    reserved_memory: int = 0
    tasks: dict = field(default_factory=dict)  # task id -> Task, tasks that hold resources here
    per_service: dict[str, int] = field(default_factory=dict)  # service id -> tasks here
    leader: bool = False
    lost: list = field(default_factory=list)  # tasks given up while the node was down

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    @property
    def accepts_tasks(self) -> bool:
        """Swarm's ReadyFilter: the node is up and its availability is ``active``."""
        return self.state == "ready" and self.availability == "active"

    @property
    def free_cpus(self) -> int:
        return self.nano_cpus - self.reserved_cpus

    @property
    def free_memory(self) -> int:
        return self.memory - self.reserved_memory

    def fits(self, cpus: int, memory: int) -> bool:
        return cpus <= self.free_cpus and memory <= self.free_memory

    def hold(self, task, cpus: int, memory: int) -> None:
        """Account a task placed here (its reservations and the per-service count)."""
        self.tasks[task.id] = task
        self.reserved_cpus += cpus
        self.reserved_memory += memory
        self.per_service[task.service_id] = self.per_service.get(task.service_id, 0) + 1

    def release(self, task, cpus: int, memory: int) -> None:
        if self.tasks.pop(task.id, None) is None:
            return
        self.reserved_cpus -= cpus
        self.reserved_memory -= memory
        left = self.per_service[task.service_id] - 1
        if left:
            self.per_service[task.service_id] = left
        else:
            del self.per_service[task.service_id]

    def inspect(self, engine_version: str = "20.10.24+dfsg1") -> dict:
        """The body of ``GET /nodes/{id}``."""
        body = {
            "ID": self.id, "Version": {"Index": self.version},
            "CreatedAt": rfc3339(self.created), "UpdatedAt": rfc3339(self.updated),
            "Spec": {"Labels": dict(self.labels), "Role": self.role,
                     "Availability": self.availability},
            "Description": {
                "Hostname": self.hostname,
                "Platform": {"Architecture": "x86_64", "OS": "linux"},
                "Resources": {"NanoCPUs": self.nano_cpus, "MemoryBytes": self.memory},
                "Engine": {"EngineVersion": engine_version, "Plugins": []},
            },
            "Status": {"State": self.state, "Addr": self.addr},
        }
        if self.state == "down":
            body["Status"]["Message"] = "heartbeat failure"
        if self.role == "manager":
            body["ManagerStatus"] = {
                "Leader": self.leader,
                "Reachability": "reachable" if self.ready else "unreachable",
                "Addr": f"{self.addr}:2377",
            }
        return body


class NodeSet:
    """The nodes of a Swarm by id and hostname, in join order.

    >>> nodes = NodeSet()
    >>> _ = nodes.add(Node(id="a", hostname="m", order=0, nano_cpus=NANO, memory=GIB))
    >>> nodes.find("m").id, nodes.find("a").hostname, nodes.find("zz")
    ('a', 'm', None)
    """

    missing = "node {ref} not found"  # errors.lookup's 404 for an unknown ref

    def __init__(self):
        self.by_id: dict[str, Node] = {}

    def __iter__(self):
        return iter(self.by_id.values())

    def __len__(self) -> int:
        return len(self.by_id)

    def add(self, node: Node) -> Node:
        self.by_id[node.id] = node
        return node

    def remove(self, node: Node) -> None:
        self.by_id.pop(node.id, None)

    def find(self, ref: str) -> Node | None:
        """By id, by hostname, then by a unique id prefix (the engine's lookups)."""
        if ref in self.by_id:
            return self.by_id[ref]
        named = [n for n in self.by_id.values() if n.hostname == ref]
        if len(named) == 1:
            return named[0]
        prefixed = [n for i, n in self.by_id.items() if i.startswith(ref)] if ref else []
        return prefixed[0] if len(prefixed) == 1 else None
