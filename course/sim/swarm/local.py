"""Tasks on the engine's own node run as real simulated containers.

Why: on a real Swarm the manager's ``docker ps`` shows the containers of the tasks placed on it,
named ``<service>.<slot>.<task id>`` and labelled ``com.docker.swarm.*``; a student can inspect,
``exec_run`` into and kill them, and killing one is a task failure the orchestrator repairs.
This runtime creates those containers through the simulator core (``creation``/``lifecycle``),
mounts the task's secrets at ``/run/secrets/<name>`` (files only: never in ``Env`` or ``Mounts``)
and listens to the core's events: ``health_status: healthy`` makes the task ``running``,
``health_status: unhealthy`` makes Swarm kill it, and ``die`` ends the task.
"""

from __future__ import annotations

from .. import lifecycle as core
from ..creation import create_container
from ..errors import SimError
from . import specs


def container_body(cluster, task) -> dict:
    """The ``POST /containers/create`` body the Swarm executor would send for ``task``."""
    spec = task.template["ContainerSpec"]
    service = cluster.services.get(task.service_id)
    labels = dict(spec.get("Labels") or {})
    labels.update({
        "com.docker.swarm.node.id": task.node_id,
        "com.docker.swarm.service.id": task.service_id,
        "com.docker.swarm.service.name": service.name if service else task.service_name,
        "com.docker.swarm.task": "",
        "com.docker.swarm.task.id": task.id,
        "com.docker.swarm.task.name": task.name,
    })
    body = {
        "Image": spec["Image"], "Labels": labels, "Env": spec.get("Env"),
        "Hostname": spec.get("Hostname"), "User": spec.get("User"),
        "HostConfig": {"RestartPolicy": {"Name": "no"}},
    }
    if spec.get("Command"):
        body["Entrypoint"] = spec["Command"]
    if spec.get("Args"):
        body["Cmd"] = spec["Args"]
    if spec.get("Healthcheck"):
        body["Healthcheck"] = spec["Healthcheck"]
    if spec.get("Mounts"):
        body["HostConfig"]["Mounts"] = spec["Mounts"]
    networks = cluster.task_networks(task)
    if networks:
        first, *_ = networks
        body["HostConfig"]["NetworkMode"] = first
        body["NetworkingConfig"] = {"EndpointsConfig": {
            net: {"Aliases": [task.service_name, f"tasks.{task.service_name}"]}
            for net in networks}}
    return body


class LocalRuntime:
    """Containers of the tasks placed on the engine's node."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.engine = cluster.engine
        self.lifecycle = cluster.lifecycle
        self.by_container: dict[str, object] = {}  # container id -> task
        self.stopping: set[str] = set()
        if not getattr(self.engine, "_swarm_listener", False):
            self.engine.subscribe(self._dispatch)
            self.engine._swarm_listener = True

    def _dispatch(self, event: dict) -> None:
        runtime = getattr(self.engine.swarm, "local_runtime", None)
        if runtime is not None:
            runtime.on_event(event)

    def _container(self, task):
        return self.engine.containers.by_id.get(task.container_id)

    def start(self, task) -> None:
        try:
            container = create_container(self.engine, container_body(self.cluster, task),
                                         name=task.name)
        except SimError as error:
            self.lifecycle.set_state(task, "rejected", "preparing", error.message)
            self.cluster.task_finished(task, failed=True)
            return
        task.container_id = container.id
        self.by_container[container.id] = task
        for path, data in self.cluster.secrets.files_for(task.template).items():
            container.view.root.write(path, data, make_parents=True)
        try:
            core.start(self.engine, container)
        except SimError as error:
            self.lifecycle.set_state(task, "rejected", "starting", error.message)
            self.cluster.task_finished(task, failed=True)
            return
        task.pid = 4000 + container.seq
        self._address(task, container)
        if container.health is None and container.status == "running":
            self.lifecycle.started(task)

    @staticmethod
    def _address(task, container) -> None:
        for endpoint in container.endpoints.values():
            if endpoint.ip:
                task.ip = endpoint.ip
                return

    def on_event(self, event: dict) -> None:
        if event.get("Type") != "container":
            return
        cid = event["Actor"]["ID"]
        task = self.by_container.get(cid)
        if task is None:
            return
        action = event["Action"]
        if action == "health_status: healthy":
            self.lifecycle.started(task)
        elif action == "health_status: unhealthy" and task.state == "starting" or \
                action == "health_status: unhealthy" and task.state == "running":
            task.extra["unhealthy"] = True  # Swarm shuts it down: a stop, as for an update
            grace = task.template["ContainerSpec"].get("StopGracePeriod")
            self.stop(task, (specs.STOP_GRACE_DEFAULT if grace is None else grace) / specs.SECOND)
        elif action == "die":
            code = int(event["Actor"]["Attributes"].get("exitCode", "0"))
            self.stopping.discard(task.id)
            task.pid = 0
            unhealthy = task.extra.pop("unhealthy", False)
            self.lifecycle.exited(task, code, unhealthy=unhealthy)

    def stop(self, task, grace: float) -> None:
        container = self._container(task)
        if container is None or not container.running:
            self.lifecycle.stopped(task, 0)
            return
        core.kill(self.engine, container, "TERM")  # the lab image exits; other PID 1s ignore it
        self.stopping.add(task.id)
        self.lifecycle.later(task, grace, lambda: self._force(task))

    def _force(self, task) -> None:
        task.timer = None
        container = self._container(task)
        if container is not None and container.running:
            core.kill(self.engine, container, "KILL")

    def kill(self, task, exit_code: int = 137) -> None:
        container = self._container(task)
        if container is not None and container.running:
            core.kill(self.engine, container, "KILL")

    def healthy(self, task) -> bool:
        container = self._container(task)
        return (task.state == "running" and container is not None and container.running
                and (container.health is None or container.health.status == "healthy"))

    def forget(self, task, now: bool = False) -> None:
        """The task left the store: its container goes too (as the task reaper does).

        Removal waits for the current event to finish (the container may be in the middle of
        its own removal, e.g. ``container.remove(force=True)`` killed it), unless ``now``.
        """
        self.by_container.pop(task.container_id, None)
        cid = task.container_id
        if now:
            self._remove(cid)
        else:
            self.cluster.clock.schedule(0.0, lambda: self._remove(cid))

    def _remove(self, cid: str) -> None:
        container = self.engine.containers.by_id.get(cid)
        if container is not None:
            core.remove(self.engine, container, force=True, volumes=True)

    def remove_all(self) -> None:
        for task in list(self.by_container.values()):
            self.cluster.clock.cancel(task.timer)
            self.forget(task, now=True)
