"""Who can reach whom, and the lab image's web server: the simulator's last network hop.

Why: the lab's HTTP probe, ``wget`` inside a container and the health check all end in "send
an HTTP request to an address and port". One function answers all three, with the engine's
rules: a container address answers only while that container runs; from another container it
is reachable only over a shared network (bridges are isolated from each other); a port nobody
listens on refuses the connection; a published host port forwards to its container. The server
is busybox ``httpd``: it serves the files under its document root, ``index.html`` for ``/``.
"""

from __future__ import annotations

LOOPBACK = ("127.0.0.1", "localhost", "0.0.0.0")

NOT_FOUND_PAGE = (
    "<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n<BODY><H1>404 Not Found</H1>\n"
    "The requested URL was not found\n</BODY></HTML>\n"
)


class HostUnreachable(ConnectionError):
    """No running container has that address (``No route to host``)."""


class ConnectTimeout(ConnectionError):
    """The address exists but the packets are dropped (another, isolated network)."""


def owner_of(engine, address: str):
    """The running container that holds ``address`` on one of its networks, if any."""
    cid = engine.ip_owner.get(address)
    return engine.containers.by_id.get(cid) if cid else None


def shares_network(source, target) -> bool:
    """Whether ``source`` reaches ``target`` directly (a network both are attached to)."""
    if source is target:
        return True
    return any(
        name in target.endpoints and target.endpoints[name].ip and ep.ip
        for name, ep in source.endpoints.items()
    )


def route(engine, address: str, source=None):
    """The container an address leads to, from ``source`` (a container) or from the host."""
    if address in LOOPBACK and source is not None:
        return source
    target = owner_of(engine, address)
    if target is None:
        raise HostUnreachable(f"{address}: No route to host")
    if source is not None and not shares_network(source, target):
        raise ConnectTimeout(f"{address}: Connection timed out")
    return target


def serve(container, root: str, path: str) -> tuple[int, str]:
    """busybox httpd: the file under ``root`` (``index.html`` for a directory), else 404."""
    path = path.split("?", 1)[0] or "/"
    full = root.rstrip("/") + path
    if container.view.is_dir(full):
        full = full.rstrip("/") + "/index.html"
    try:
        return 200, container.view.read(full).decode(errors="replace")
    except Exception:
        return 404, NOT_FOUND_PAGE


def http_request(engine, address: str, port: int, path: str = "/", source=None):
    """``(status, body)`` of ``GET path`` at ``address:port``.

    From the host (``source`` None) a loopback address reaches published ports. Raises
    ``ConnectionRefusedError``, :class:`HostUnreachable` or :class:`ConnectTimeout`.
    """
    if source is None and address in LOOPBACK:
        cid = engine.host_ports.get(("tcp", int(port)))
        target = engine.containers.by_id.get(cid) if cid else None
        if target is None:
            raise ConnectionRefusedError(f"{address}:{port}: Connection refused")
        port = target.published[("tcp", int(port))]
    else:
        target = route(engine, address, source)
    root = target.servers.get(int(port))
    if root is None or target.status != "running":
        raise ConnectionRefusedError(f"{address}:{port}: Connection refused")
    return serve(target, root, path)
