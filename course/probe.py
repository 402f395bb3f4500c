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


def fetch_container(lab, target, path: str = "/", port: int = 80, timeout: float = 2.0) -> Reply:
    """GET ``path`` from a container of ``lab`` (a model, a name or an id)."""
    try:
        container = lab.client.containers.get(target if isinstance(target, str) else target.id)
    except docker.errors.NotFound:
        return Reply(False, None, replica=_name_of(target), error="el contenedor no existe")
    name = container.name
    address = container_address(container) if container.status == "running" else None
    if address is None:
        return Reply(False, None, replica=name, error=f"el contenedor está {container.status}")
    if lab.engine is not None:
        return _reply(lab.engine.http_request, address, port, path, name)
    return _reply(_real_get, address, port, path, name, timeout)


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
