"""``engine.swarm``: the simulated Swarm, and the simulator-only controls lessons use.

Why a facade: the API routes, the orchestrator, the updater and the lessons all reach the same
state (nodes, services, tasks, secrets) through one object, the way a manager owns its Raft
store. It also holds what the Engine API cannot express, as plain Python methods: adding worker
nodes with a capacity and labels, taking a node down and bringing it back, failing a task on a
node whose containers the engine cannot see.

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
>>> len(web.tasks(filters={"desired-state": "running"}))
4
"""

from __future__ import annotations

from ..images import ImageStore
from ..transport import ApiError
from . import specs
from .ids import VersionCounter, swarm_id
from .lifecycle import Lifecycle
from .nodes import GIB, NANO, Node, NodeSet
from .orchestrator import Orchestrator
from .runtime import ModelRuntime
from .secrets import SecretStore
from .services import Service
from .tasks import TaskStore
from .updater import Updater

NOT_MANAGER = ("This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm "
               "join\" to connect this node to swarm and try again.")
RUN = ("running", "ready")


class SwarmError(ValueError):
    """A simulator-only call that cannot be done; the message says why and what to do."""


class Swarm:
    """The Swarm of one simulated engine (inactive until ``swarm.init``)."""

    def __init__(self, engine):
        self.engine = engine
        self.clock = engine.clock
        self.rng = engine.rng
        self.active = False
        self.id = ""
        self.created = 0.0
        self.versions = VersionCounter()
        self._reset_state()

    def _reset_state(self) -> None:
        self.nodes = NodeSet()
        self.tasks = TaskStore()
        self.services: dict[str, Service] = {}
        self.secrets = SecretStore()
        self.restarts: dict = {}
        self.rr_turns: dict[str, int] = {}  # service id -> requests answered (round-robin)
        self.local_node_id = ""
        self.lifecycle = Lifecycle(self)
        self.model_runtime = ModelRuntime(self)
        self.local_runtime = None  # set by local.py when the engine runs containers
        self.orchestrator = Orchestrator(self)
        self.updater = Updater(self)

    # -- the engine side ------------------------------------------------------------------------
    def require_manager(self) -> None:
        if not self.active:
            raise ApiError(503, NOT_MANAGER)

    def init(self, advertise_addr: str = "127.0.0.1") -> str:
        """``swarm.init``: this engine becomes the single manager node."""
        if self.active:
            raise ApiError(503, "This node is already part of a swarm. Use \"docker swarm "
                                "leave\" to leave this swarm and join another one.")
        self._reset_state()
        self.active = True
        self.engine.swarm_active = True  # what the core's overlay-network check reads
        self.id = swarm_id(self.rng)
        self.created = self.clock.now
        ncpu, memory = 2, 24 * GIB
        node = self._new_node("sim", ncpu * NANO, memory, role="manager", addr=advertise_addr)
        node.leader = True
        self.local_node_id = node.id
        if hasattr(self.engine, "containers"):
            from .local import LocalRuntime

            self.local_runtime = LocalRuntime(self)
        self.engine.emit("node", "create", node.id, name=node.hostname)
        return node.id

    def leave(self, force: bool = False) -> None:
        """``swarm.leave``: a manager must force; every service, task and secret goes away."""
        if not self.active:
            raise ApiError(503, "This node is not part of a swarm")
        if not force:
            raise ApiError(503, "You are attempting to leave the swarm on a node that is "
                                "participating as a manager. Removing the last manager erases "
                                "all current state of the swarm. Use `--force` to ignore this "
                                "message.")
        for service in list(self.services.values()):
            self.remove_service(service)
        for task in self.tasks.by_id.values():
            self.clock.cancel(task.timer)
        if self.local_runtime is not None:
            self.local_runtime.remove_all()
        networks = getattr(self.engine, "networks", None)
        for network in list(networks.all()) if networks is not None else []:
            if network.driver == "overlay" and not network.containers:
                networks.remove(network)  # swarm-scoped networks go with the swarm
        self.active = False
        self.engine.swarm_active = False
        self._reset_state()

    def find_image(self, ref: str):
        images = getattr(self.engine, "images", None)
        if images is None:
            images = self.__dict__.setdefault("_images", ImageStore())
        return images.find(ref)

    def new_container_id(self) -> str:
        return f"{self.rng.getrandbits(256):064x}"

    def runtime_for(self, task):
        if task.node_id == self.local_node_id and self.local_runtime is not None:
            return self.local_runtime
        return self.model_runtime

    def trim(self, service_id: str, slot) -> None:
        """Keep five tasks per slot (the reaper); deleted tasks take their containers along."""
        for task in self.tasks.trim(service_id, slot):
            self.forget(task)

    def forget(self, task) -> None:
        if self.local_runtime is not None and task.node_id == self.local_node_id:
            self.local_runtime.forget(task)

    def task_networks(self, task) -> list[str]:
        """Names of the overlay networks a task attaches to (its template's ``Networks``)."""
        store = getattr(self.engine, "networks", None)
        names = []
        for attachment in task.template.get("Networks") or []:
            network = store.find(attachment.get("Target", "")) if store is not None else None
            if network is not None:
                names.append(network.name)
        return names

    def touch(self, service) -> None:
        service.version = self.versions.bump()
        service.updated = self.clock.now

    # -- services -------------------------------------------------------------------------------
    def find_service(self, ref: str) -> Service | None:
        if ref in self.services:
            return self.services[ref]
        named = [s for s in self.services.values() if s.name == ref]
        if named:
            return named[0]
        prefixed = [s for i, s in self.services.items() if i.startswith(ref)] if ref else []
        return prefixed[0] if len(prefixed) == 1 else None

    def create_service(self, spec: dict) -> Service:
        spec = specs.normalize(spec)
        if not spec.get("Name"):
            spec["Name"] = f"{self.rng.choice(('eager', 'jolly', 'keen'))}_{swarm_id(self.rng)[:6]}"
        service = Service(id=swarm_id(self.rng), spec=spec, created=self.clock.now)
        self.touch(service)
        self.services[service.id] = service
        self.engine.emit("service", "create", service.id, name=service.name)
        self.orchestrator.reconcile(service)
        return service

    def update_service(self, service: Service, spec: dict | None, rollback: bool) -> None:
        """A new spec (``PreviousSpec`` := the old one), or a manual rollback (swap them)."""
        if rollback:
            if service.previous_spec is None:
                raise ApiError(500, f"rpc error: code = FailedPrecondition desc = service "
                                    f"{service.id} does not have a previous spec")
            current = service.spec
            service.set_spec(service.previous_spec)
            service.previous_spec = current
            self.updater.reset(service)
            service.update_status = {"State": "rollback_started", "StartedAt": self.clock.now,
                                     "Message": "manually requested rollback"}
        else:
            service.previous_spec = service.spec
            service.set_spec(specs.normalize(spec))
            self.updater.reset(service)
            service.update_status = None
        self.touch(service)
        self.engine.emit("service", "update", service.id, name=service.name)
        self.orchestrator.reconcile(service)

    def remove_service(self, service: Service) -> None:
        self.updater.forget(service)
        del self.services[service.id]
        for task in self.tasks.drop_service(service.id):
            self.orchestrator.pending.pop(task.id, None)
            if task.terminal:
                self.forget(task)
                continue
            self.lifecycle.stop(task, "remove")
        self.engine.emit("service", "remove", service.id, name=service.name)
        self.orchestrator.retry_pending_soon()

    # -- callbacks from the lifecycle -----------------------------------------------------------
    def _release(self, task) -> None:
        node = self.nodes.by_id.get(task.node_id)
        if node is not None:
            node.release(task, *task.reserved)

    def task_running(self, task) -> None:
        self.updater.on_running(task)
        service = self.services.get(task.service_id)
        if service is None or task.key != service.key:
            return
        for other in self.tasks.slot_history(task.service_id, task.slot or task.node_id):
            if other is not task and other.desired in RUN and other.created < task.created:
                self.lifecycle.stop(other, "shutdown")

    def task_finished(self, task, failed: bool) -> None:
        """The task failed, completed or was rejected on its own."""
        self._release(task)
        self.orchestrator.pending.pop(task.id, None)
        if failed:
            self.updater.on_failed(task)
        if task.desired == "ready" and task.extra.get("delayed"):
            pass  # still inside its restart delay: the slot restarts when the delay ends
        elif task.desired in RUN and task.id in self.tasks.by_id:
            service = self.services.get(task.service_id)
            slot = task.slot or task.node_id
            served = service is not None and any(
                t is not task and t.desired in RUN and not t.terminal and t.key == service.key
                for t in self.tasks.slot_history(task.service_id, slot))
            if served:
                task.desired = "shutdown"
            else:
                self.orchestrator.restart(task, failed)
        self.orchestrator.retry_pending_soon()

    def task_stopped(self, task) -> None:
        self._release(task)
        if task.desired == "remove":
            self.tasks.delete(task)
            self.forget(task)
        self.updater.on_stopped(task)
        self.orchestrator.retry_pending_soon()

    def http_request(self, ref: str, port: int = 80, path: str = "/") -> tuple[int, str, str]:
        """One HTTP GET to a service, answered round-robin by its running, healthy tasks:
        ``(status, body, container name)``; ``ConnectionError`` when no task answers."""
        from .traffic import http_request

        return http_request(self, ref, port, path)

    # -- simulator-only controls ----------------------------------------------------------------
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
        ``docker swarm join``). Global services get a task on it at once.

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
        self.require_active()
        node = self.nodes.find(ref)
        if node is None:
            names = ", ".join(n.hostname for n in self.nodes)
            raise SwarmError(f"No hay ningún nodo {ref!r} en el swarm (nodos: {names}).")
        return node

    def node_down(self, ref: str) -> None:
        """The node stops answering (power cut, network lost): its tasks are rescheduled.

        The engine's own node cannot go down: it is the only manager, and a Swarm without a
        manager has no one left to reschedule anything (Raft needs a quorum).
        """
        node = self.node(ref)
        if node.id == self.local_node_id:
            raise SwarmError("El nodo del propio motor es el único manager: si cae, no queda "
                             "nadie que reprograme tareas. Tumba un nodo worker.")
        if node.state == "down":
            return
        node.state = "down"
        node.version, node.updated = self.versions.bump(), self.clock.now
        self.engine.emit("node", "update", node.id, name=node.hostname, state="down")
        self.orchestrator.node_down(node)

    def node_up(self, ref: str) -> None:
        """The node answers again. Its old tasks shut down; nothing moves back to it (Swarm
        does not rebalance) except global services' tasks and tasks that were pending."""
        node = self.node(ref)
        if node.state == "ready":
            return
        node.state = "ready"
        node.version, node.updated = self.versions.bump(), self.clock.now
        self.engine.emit("node", "update", node.id, name=node.hostname, state="ready")
        self.orchestrator.node_up(node)

    def set_availability(self, ref: str, availability: str) -> None:
        """``active``, ``pause`` (keep tasks, take no new ones) or ``drain`` (move tasks off)."""
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
        """Kill a task's container on any node (on the engine's own node, killing the container
        with ``container.kill()`` does the same)."""
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
                wanted = sum(1 for n in self.nodes if n.accepts_tasks)
            if running != wanted:
                return False
        return True
