"""The HTTP probe: one request to a replica, and which replica answered.

Why a probe of our own: counting failed requests during an update is how a student *sees*
downtime, so a failed request must be an answer (``ok=False`` with the reason), not an exception.
On a real engine it is a plain HTTP GET to the container's address (Linux routes to bridge
networks); on the simulator the engine answers for the container with that address. Same lookup,
same parsing: only the last hop differs.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass

import docker
import docker.models.services

_BODY = re.compile(r"^web v(?P<version>\d+) (?P<hostname>\S+)")


@dataclass(frozen=True)
class Reply:
    """What one request got: ``ok`` (2xx), the status, the body, and who answered."""

    ok: bool
    status: int | None
    body: str = ""
    replica: str | None = None  # the container's name (without the leading "/")
    error: str | None = None

    @property
    def version(self) -> int | None:
        """The lab image version that answered (``web v2 ...`` → 2), if the body says."""
        match = _BODY.match(self.body)
        return int(match["version"]) if match else None

    @property
    def hostname(self) -> str | None:
        match = _BODY.match(self.body)
        return match["hostname"] if match else None


def container_address(container) -> str | None:
    """The first IP address of a running container on any of its networks."""
    networks = container.attrs.get("NetworkSettings", {}).get("Networks", {}) or {}
    for settings in networks.values():
        if settings.get("IPAddress"):
            return settings["IPAddress"]
    return container.attrs.get("NetworkSettings", {}).get("IPAddress") or None


def fetch(lab, target, path: str = "/", port: int = 80, timeout: float = 2.0) -> Reply:
    """GET ``path`` from a container or a Swarm service of ``lab`` (a model, a name or an id)."""
    if isinstance(target, docker.models.services.Service):
        return fetch_service(lab, target.name, path, port, timeout)
    ref = target if isinstance(target, str) else target.id
    try:
        container = lab.client.containers.get(ref)
    except docker.errors.NotFound:
        if isinstance(target, str) and _is_service(lab, target):
            return fetch_service(lab, target, path, port, timeout)
        return Reply(False, None, replica=_name_of(target), error="el contenedor no existe")
    return fetch_container(lab, container, path, port, timeout)


def fetch_container(lab, container, path: str = "/", port: int = 80,
                    timeout: float = 2.0) -> Reply:
    """GET ``path`` from one container (its first address)."""
    name = container.name
    address = container_address(container) if container.status == "running" else None
    if address is None:
        return Reply(False, None, replica=name, error=f"el contenedor está {container.status}")
    if lab.engine is not None:
        return _reply(lab.engine.http_request, address, port, path, name)
    return _reply(_real_get, address, port, path, name, timeout)


def fetch_service(lab, service: str, path: str = "/", port: int = 80,
                  timeout: float = 2.0) -> Reply:
    """GET ``path`` from a Swarm service: one of its running and healthy tasks answers, in turn,
    as a client of a ``dnsrr`` service sees it (DNS lists only such tasks, rotated)."""
    if lab.engine is not None:
        try:
            status, body, name = lab.engine.service_http_request(service, port, path)
        except LookupError:
            return Reply(False, None, replica=None, error=f"el servicio {service} no existe")
        except ConnectionError as error:
            return Reply(False, None, replica=None, error=str(error))
        return Reply(200 <= status < 300, status, body, replica=name)
    # On the engine, overlay addresses are not reachable from the host: ask from inside a task.
    tasks = _answering_task_containers(lab, service)
    if not tasks:
        return Reply(False, None, replica=None,
                     error=f"{service}: ninguna tarea en marcha y sana responde")
    turn = lab._service_turns.get(service, 0)
    lab._service_turns[service] = turn + 1
    container = tasks[turn % len(tasks)]
    return _reply(_exec_get, container, port, path, container.name, timeout)


def _answering_task_containers(lab, service: str) -> list:
    try:
        running = lab.client.containers.list(
            filters={"label": f"com.docker.swarm.service.name={service}", "status": "running"})
    except docker.errors.DockerException:
        return []
    healthy = [c for c in running if c.health in ("healthy", "unknown")]
    return sorted(healthy, key=lambda c: c.name)


def _exec_get(container, port: int, path: str, timeout: float) -> tuple[int, str]:
    url = f"http://127.0.0.1:{port}{path}"
    # Not wget's -T: Debian's static busybox wget dies with SIGSEGV (exit 139) when given it.
    try:
        seconds = str(max(1, int(timeout)))
        code, output = container.exec_run(["timeout", seconds, "wget", "-qO-", url])
    except docker.errors.APIError as error:  # the task stopped between listing and asking
        raise ConnectionError(error.explanation or str(error)) from error
    text = output.decode(errors="replace")
    if code == 0:
        return 200, text
    match = re.search(r"HTTP/\S+ (\d{3})", text)
    if match:
        return int(match.group(1)), text
    raise ConnectionError(text.strip() or f"wget salió con {code}")


def _is_service(lab, name: str) -> bool:
    if not lab._in_swarm():
        return False
    try:
        lab.client.services.get(name)
        return True
    except docker.errors.NotFound:
        return False


def _reply(get, address, port, path, name, *args) -> Reply:
    try:
        status, body = get(address, port, path, *args)
    except ConnectionError as error:
        return Reply(False, None, replica=name, error=str(error) or "conexión rechazada")
    return Reply(200 <= status < 300, status, body, replica=name)


def _real_get(address: str, port: int, path: str, timeout: float) -> tuple[int, str]:
    url = f"http://{address}:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except (TimeoutError, urllib.error.URLError, OSError) as error:
        raise ConnectionError(str(getattr(error, "reason", error))) from error


def _name_of(target) -> str:
    return target if isinstance(target, str) else getattr(target, "name", str(target))
