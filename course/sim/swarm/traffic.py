"""The lab's HTTP probe for services: one request, answered by one healthy task, round-robin.

Why round-robin over running *and* healthy tasks: with ``endpoint_mode=dnsrr`` a client asks
DNS for the service name and gets every task's address, rotated at each query; Swarm lists only
tasks that are running and pass their health check. So a probe loop during a rolling update
shows which versions answer, and a request while no task qualifies fails (``ConnectionError``),
which is how a student counts downtime. Tasks on the engine's node answer through their
container (the core's web server); tasks on simulated workers answer as the lab image would.
"""

from __future__ import annotations

from ..images import BROKEN_WEB_VERSIONS, WEB_PORT
from .tasks import slot_order


class NoHealthyTask(ConnectionError):
    """No task of the service is running and healthy: nothing answers its name."""


def answering_tasks(cluster, service) -> list:
    """The tasks a dnsrr client reaches right now, in slot order."""
    tasks = []
    for key in sorted(cluster.tasks.slots(service.id), key=slot_order):
        for task in cluster.tasks.slot_history(service.id, key):
            if task.desired == "running" and task.state == "running" \
                    and cluster.runtime_for(task).healthy(task):
                node = cluster.nodes.by_id.get(task.node_id)
                if node is not None and node.ready:
                    tasks.append(task)
    return tasks


def _model_answer(cluster, task, port: int, path: str) -> tuple[int, str]:
    image = cluster.find_image(task.template["ContainerSpec"]["Image"])
    if image is None or image.web_version is None or port != WEB_PORT:
        raise ConnectionRefusedError(f"{task.name}:{port}: Connection refused")
    path = path.split("?", 1)[0] or "/"
    if path in ("/", "/index.html"):
        return 200, f"web v{image.web_version} {task.container_id[:12]}\n"
    if path == "/health" and image.web_version not in BROKEN_WEB_VERSIONS:
        return 200, "ok\n"
    from ..web import NOT_FOUND_PAGE

    return 404, NOT_FOUND_PAGE


def http_request(cluster, ref: str, port: int = 80, path: str = "/") -> tuple[int, str, str]:
    """``(status, body, container name)`` of one GET to the service ``ref``.

    Raises ``LookupError`` for an unknown service, :class:`NoHealthyTask` when no task answers.
    """
    service = cluster.find_service(ref) if cluster.active else None
    if service is None:
        raise LookupError(f"No existe el servicio {ref!r}.")
    tasks = answering_tasks(cluster, service)
    if not tasks:
        raise NoHealthyTask(f"{service.name}: ninguna tarea en marcha y sana responde")
    turn = cluster.rr_turns.get(service.id, 0)
    cluster.rr_turns[service.id] = turn + 1
    task = tasks[turn % len(tasks)]
    if task.node_id == cluster.local_node_id and cluster.local_runtime is not None:
        container = cluster.engine.containers.by_id.get(task.container_id)
        address = next((ep.ip for ep in container.endpoints.values() if ep.ip), "")
        status, body = cluster.engine.http_request(address, port, path)
        return status, body, container.name
    status, body = _model_answer(cluster, task, port, path)
    return status, body, task.name
