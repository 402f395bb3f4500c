"""Simulator-only controls: join nodes, take them down and back, drain them, kill any task.

Why plain Python methods: the Engine API has no call for these (a real node joins with
``docker swarm join`` on its own machine, and fails by losing power), yet lessons on
self-healing and scheduling need them. They act on the same state the API reads, so after
``node_down`` a student sees, through docker-py only, the node ``down`` and its tasks replaced.

>>> from course.sim import Engine
>>> engine = Engine(seed=0)
>>> client = engine.client()
>>> _ = client.swarm.init(advertise_addr="127.0.0.1")
>>> w1 = engine.swarm.add_node("worker-1", cpus=2, memory_gb=4, labels={"zone": "a"})
>>> web = client.services.create("course/web:1", name="web",
...                              mode={"Replicated": {"Replicas": 4}})
>>> engine.advance(5)
>>> sorted({t["NodeID"] == w1.id for t in web.tasks()})
[False, True]
>>> engine.swarm.node_down("worker-1"); engine.advance(10)
>>> client.nodes.get("worker-1").attrs["Status"]["State"]
'down'
>>> len([t for t in web.tasks(filters={"desired-state": "running"})
...      if t["Status"]["State"] == "running"])
4
>>> engine.swarm.node_up("worker-1")
"""

from __future__ import annotations

from .ids import swarm_id
from .nodes import GIB, NANO, Node
from .scheduler import meets

RUN = ("running", "ready")


class SwarmError(ValueError):
    """A simulator-only call that cannot be done; the message says why and what to do."""


class NodeControls:
    """Mixed into :class:`~.cluster.Swarm` (``engine.swarm``)."""

    def _new_node(self, hostname: str, nano_cpus: int, memory: int, role: str = "worker",
                  labels: dict | None = None, addr: str = "") -> Node:
        if any(n.hostname == hostname for n in self.nodes):
            raise SwarmError(f"Ya existe un nodo llamado {hostname!r}: elige otro nombre.")
        now = self.clock.now
        node = Node(id=swarm_id(self.rng), hostname=hostname, order=len(self.nodes),
                    nano_cpus=nano_cpus, memory=memory, role=role, labels=dict(labels or {}),
                    addr=addr or f"10.10.0.{len(self.nodes) + 1}", created=now, updated=now)
        node.version = self.versions.bump()
        return self.nodes.add(node)

    def add_node(self, name: str, cpus: float = 2, memory_gb: float = 4,
                 labels: dict | None = None, role: str = "worker") -> Node:
        """Join a simulated node (the Engine API has no such call: a real node runs
        ``docker swarm join``). Global services get a task on it at once; pending tasks that
        fit on it are placed; running tasks do not move (Swarm does not rebalance).

        Args:
            name: the node's hostname (``node.hostname`` in constraints, ``nodes.get(name)``).
            cpus: CPUs the node offers to tasks' ``cpu_reservation``.
            memory_gb: GiB the node offers to tasks' ``mem_reservation``.
            labels: node labels (``node.labels.<key>`` in constraints).
            role: ``"worker"`` or ``"manager"``.

        Returns:
            The new node (``.id``, ``.hostname``); ``client.nodes.get(name)`` shows it too.

        Raises:
            SwarmError: not in Swarm mode, a taken name, or an unknown role.

        >>> from course.sim import Engine
        >>> engine = Engine(); _ = engine.client().swarm.init(advertise_addr="127.0.0.1")
        >>> engine.swarm.add_node("w1", cpus=4, memory_gb=8, labels={"disk": "ssd"}).hostname
        'w1'
        """
        self.require_active()
        if role not in ("worker", "manager"):
            raise SwarmError(f"role={role!r} no existe: usa 'worker' o 'manager'.")
        node = self._new_node(name, int(cpus * NANO), int(memory_gb * GIB), role, labels)
        self.engine.emit("node", "create", node.id, name=name)
        self.orchestrator.reconcile_all(global_only=True)
        self.orchestrator.retry_pending_soon()
        return node

    def node(self, ref: str) -> Node:
        """A node by id, hostname or unique id prefix (``SwarmError`` names the nodes there
        are when none matches)."""
        self.require_active()
        node = self.nodes.find(ref)
        if node is None:
            names = ", ".join(n.hostname for n in self.nodes)
            raise SwarmError(f"No hay ningún nodo {ref!r} en el swarm (nodos: {names}).")
        return node

    def node_down(self, ref: str) -> None:
        """The node stops answering (power cut, network lost): its tasks are rescheduled.

        ``nodes.get(ref).attrs["Status"]["State"]`` becomes ``"down"``; its tasks keep their
        last reported state with desired state ``shutdown``, and each replicated slot gets a
        new task on another node after the restart delay (5 s by default).

        Args:
            ref: the node's hostname, id or id prefix.

        Raises:
            SwarmError: the node is the engine's own (the only manager: a Swarm without a
                manager has no one left to reschedule anything), or no such node.

        >>> from course.sim import Engine
        >>> engine = Engine(); _ = engine.client().swarm.init(advertise_addr="127.0.0.1")
        >>> _ = engine.swarm.add_node("w1"); engine.swarm.node_down("w1")
        >>> engine.client().nodes.get("w1").attrs["Status"]["State"]
        'down'
        """
        node = self.node(ref)
        if node.id == self.local_node_id:
            raise SwarmError("El nodo del propio motor es el único manager: si cae, no queda "
                             "nadie que reprograme tareas. Tumba un nodo worker.")
        if node.state == "down":
            return
        node.state = "down"
        node.version, node.updated = self.versions.bump(), self.clock.now
        # the engine's own node event attributes (daemon/cluster: state.old / state.new)
        self.engine.emit("node", "update", node.id, name=node.hostname,
                         **{"state.old": "ready", "state.new": "down"})
        self.orchestrator.node_down(node)

    def node_up(self, ref: str) -> None:
        """The node answers again. Its old tasks shut down; nothing moves back to it (Swarm
        does not rebalance) except global services' tasks and tasks that were pending.

        Args:
            ref: the node's hostname, id or id prefix.
        """
        node = self.node(ref)
        if node.state == "ready":
            return
        node.state = "ready"
        node.version, node.updated = self.versions.bump(), self.clock.now
        self.engine.emit("node", "update", node.id, name=node.hostname,
                         **{"state.old": "down", "state.new": "ready"})
        self.orchestrator.node_up(node)

    def set_availability(self, ref: str, availability: str) -> None:
        """Set a node's availability, as ``node.update({... "Availability": ...})`` does.

        Args:
            ref: the node's hostname, id or id prefix.
            availability: ``active``; ``pause`` (keeps its tasks, takes no new ones); or
                ``drain`` (its tasks stop and are replaced on other nodes at once).
        """
        node = self.node(ref)
        if availability not in ("active", "pause", "drain"):
            raise SwarmError(f"availability={availability!r} no existe: usa 'active', "
                             "'pause' o 'drain'.")
        node.availability = availability
        node.version, node.updated = self.versions.bump(), self.clock.now
        if availability == "drain":
            for task in [t for t in node.tasks.values() if t.desired in RUN]:
                service = self.services.get(task.service_id)
                self.lifecycle.stop(task, "shutdown")
                if service is not None and not service.is_global:
                    self.orchestrator.replace_later(service, task.slot, "", 0.0)
        self.orchestrator.reconcile_all(global_only=True)
        self.orchestrator.retry_pending_soon()

    def kill_task(self, task_id: str, exit_code: int = 137) -> None:
        """Kill a task's container on any node: the task fails and its slot is restarted.

        On the engine's own node ``client.containers.get(...).kill()`` does the same; tasks on
        other nodes have no container visible to this engine (as on a real Swarm), hence this.

        Args:
            task_id: the task's id or a unique prefix (``service.tasks()[i]["ID"]``).
            exit_code: the exit code the task reports (``task: non-zero exit (137)``).

        Raises:
            SwarmError: no such task, or it is not starting or running.
        """
        self.require_active()
        task = self.tasks.by_id.get(task_id) or next(
            (t for i, t in self.tasks.by_id.items() if i.startswith(task_id)), None)
        if task is None or task.state not in ("starting", "running"):
            raise SwarmError(f"La tarea {task_id!r} no existe o no está en marcha.")
        self.runtime_for(task).kill(task, exit_code)

    def require_active(self) -> None:
        if not self.active:
            raise SwarmError("El motor no está en modo Swarm: llama antes a "
                             "client.swarm.init(advertise_addr='127.0.0.1').")

    def converged(self) -> bool:
        """Every service has its replicas running on their current spec and no rollout runs."""
        for service in self.services.values():
            rollout = self.updater.active.get(service.id)
            if rollout is not None and not rollout.done:
                return False
            running = 0
            for history in self.tasks.slots(service.id).values():
                if any(t.state == "running" and t.desired == "running" and t.key == service.key
                       for t in history):
                    running += 1
            wanted = service.replicas
            if wanted is None:
                rules = self.orchestrator.constraints(service)
                wanted = sum(1 for n in self.nodes if n.accepts_tasks and meets(n, rules))
            if running != wanted:
                return False
        return True
