"""The HTTP probe: one request to a replica, and which replica answered.

Why a probe of our own: counting failed requests during an update is how a student *sees*
downtime, so a failed request must be an answer (``ok=False`` with the reason), not an exception.
The lookup (which container or service, is it running) and the reply are the same on both
backends; the last hop is the backend's (``lab.runtime``, :mod:`course.backends`): on a real
engine the request is made from inside the engine, never over the host's routes (Docker
Desktop, rootless Docker, a remote engine and the grading kernels have none); on the simulator
the simulated engine answers for the container.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import docker
import docker.models.services

from . import swarm_mode

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
    """GET ``path`` from one container (on one of its networks)."""
    name = container.name
    if container.status != "running" or container_address(container) is None:
        return Reply(False, None, replica=name, error=f"el contenedor está {container.status}")
    try:
        status, body = lab.runtime.container_get(container, port, path, timeout)
    except ConnectionError as error:
        return Reply(False, None, replica=name, error=str(error) or "conexión rechazada")
    return Reply(200 <= status < 300, status, body, replica=name)


def fetch_service(lab, service: str, path: str = "/", port: int = 80,
                  timeout: float = 2.0) -> Reply:
    """GET ``path`` from a Swarm service: one of its running and healthy tasks answers, in turn,
    as a client of a ``dnsrr`` service sees it (DNS lists only such tasks, rotated)."""
    try:
        status, body, name = lab.runtime.service_get(service, port, path, timeout)
    except LookupError:
        return Reply(False, None, replica=None, error=f"el servicio {service} no existe")
    except ConnectionError as error:
        return Reply(False, None, replica=None, error=str(error))
    return Reply(200 <= status < 300, status, body, replica=name)


def _is_service(lab, name: str) -> bool:
    if not swarm_mode.in_swarm(lab.client):
        return False
    try:
        lab.client.services.get(name)
        return True
    except docker.errors.APIError:  # 404, or 503 while another lab enters or leaves Swarm mode
        return False


def _name_of(target) -> str:
    return target if isinstance(target, str) else getattr(target, "name", str(target))
