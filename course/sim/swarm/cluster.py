"""``engine.swarm``: the simulated Swarm's state and the engine-side operations on it.

Why a facade: the API routes, the orchestrator, the updater and the lessons all reach the same
state (nodes, services, tasks, secrets) through one object, the way a manager owns its Raft
store. What the Engine API cannot express (adding nodes, taking one down) lives in
``controls.py`` and is mixed in here, so lessons find it on the same object.

>>> from course.sim import Engine
>>> engine = Engine(seed=0)
>>> client = engine.client()
>>> _ = client.swarm.init(advertise_addr="127.0.0.1")
>>> web = client.services.create("course/web:1", name="web",
...                              mode={"Replicated": {"Replicas": 2}})
>>> engine.advance(3)
>>> sorted(t["Status"]["State"] for t in web.tasks())
['running', 'running']
"""

from __future__ import annotations

from ..errors import EngineFailure, Unavailable
from ..images import ImageStore
from . import specs
from .controls import NodeControls
from .ids import VersionCounter, swarm_id
from .lifecycle import Lifecycle
from .nodes import GIB, NANO, NodeSet
from .orchestrator import Orchestrator
from .runtime import ModelRuntime
from .secrets import SecretStore
from .services import Service
from .tasks import TaskStore
from .updater import Updater

NOT_MANAGER = ("This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm "
               "join\" to connect this node to swarm and try again.")
RUN = ("running", "ready")


class Swarm(NodeControls):
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
            raise Unavailable(NOT_MANAGER)

    def init(self, advertise_addr: str = "127.0.0.1", labels: dict | None = None) -> str:
        """``swarm.init``: this engine becomes the single manager node."""
        if self.active:
            raise Unavailable("This node is already part of a swarm. Use \"docker swarm "
                                "leave\" to leave this swarm and join another one.")
        self._reset_state()
        self.active = True
        self.engine.swarm_active = True  # what the core's overlay-network check reads
        self.id = swarm_id(self.rng)
        self.labels = dict(labels or {})  # Spec.Labels, as given to init
        self.created = self.clock.now
        ncpu, memory = 2, 24 * GIB
        node = self._new_node("sim", ncpu * NANO, memory, role="manager", addr=advertise_addr)
        node.leader = True
        self.local_node_id = node.id
        if hasattr(self.engine, "containers"):
            from .local import LocalRuntime

            self.local_runtime = LocalRuntime(self)
        self._create_ingress()
        self.engine.emit("node", "create", node.id, name=node.hostname)
        return node.id

    def _create_ingress(self) -> None:
        """Swarm init makes the routing mesh's ``ingress`` network (its id from the swarm's,
        so the engine's random draws, and every id after them, stay as they were)."""
        networks = getattr(self.engine, "networks", None)
        if networks is None or networks.find("ingress") is not None:
            return
        import hashlib

        network_id = hashlib.sha256(f"ingress:{self.id}".encode()).hexdigest()[:25]
        networks.create("ingress", "overlay", self.clock.now, subnet="10.0.0.0/24",
                        ingress=True, network_id=network_id)

    def leave(self, force: bool = False) -> None:
        """``swarm.leave``: a manager must force; every service, task and secret goes away."""
        if not self.active:
            raise Unavailable("This node is not part of a swarm")
        if not force:
            raise Unavailable("You are attempting to leave the swarm on a node that is "
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
                raise EngineFailure(f"rpc error: code = FailedPrecondition desc = service "
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
