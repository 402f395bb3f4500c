"""Plugging a container into its networks: addresses, DNS names and published ports.

Why: the engine gives a container its addresses when it starts and takes them back when it
stops (a restarted container may get another address), registers its name, aliases and short
id with the embedded DNS of each user-defined network, and binds its published host ports.
Both ``lifecycle`` (start/exit) and the network API (``connect``/``disconnect`` of a running
container) need exactly this, and a future overlay driver only has to reuse it.
"""

from __future__ import annotations

from . import dns
from .errors import EngineFailure
from .naming import new_id

EPHEMERAL_PORTS = (49153, 65535)  # the engine's range for ``ports={'80/tcp': None}``


def attach_endpoint(engine, container, endpoint) -> None:
    """Give a running container an address on one network (and its DNS names there)."""
    network = endpoint.network
    if network.subnet is None or endpoint.ip:
        return
    endpoint.ip = network.allocate()
    endpoint.endpoint_id = new_id(engine.rng)
    network.containers[container.id] = endpoint.ip
    engine.ip_owner[endpoint.ip] = container.id
    if network.user_defined:
        dns.register(network, container.id, dns.names_of(container, endpoint))
    engine.emit("network", "connect", network.id, container=container.id, name=network.name,
                type=network.driver)


def detach_endpoint(engine, container, endpoint) -> None:
    """Take the address back (container stopped or disconnected)."""
    network = endpoint.network
    if not endpoint.ip:
        return
    if network.user_defined:
        dns.unregister(network, container.id, dns.names_of(container, endpoint))
    network.containers.pop(container.id, None)
    engine.ip_owner.pop(endpoint.ip, None)
    network.release(endpoint.ip)
    endpoint.ip = ""
    engine.emit("network", "disconnect", network.id, container=container.id,
                name=network.name, type=network.driver)


def connect(engine, container, network, aliases=()) -> None:
    """Attach ``container`` to ``network`` with ``aliases`` (the API's ``connect``, and the
    internal way to give a container more than the one network ``create`` allows); a running
    container gets its address and DNS names at once."""
    from .containers import Endpoint

    endpoint = Endpoint(network, list(aliases))
    container.endpoints[network.name] = endpoint
    if container.status in ("running", "paused"):
        attach_endpoint(engine, container, endpoint)
        _write_etc(container)


def disconnect(engine, container, network) -> None:
    """Detach ``container`` from ``network`` (its address and names there go at once)."""
    endpoint = container.endpoints.pop(network.name)
    detach_endpoint(engine, container, endpoint)
    if container.status in ("running", "paused"):
        _write_etc(container)


def bind_ports(engine, container) -> None:
    """Bind the published host ports, or raise the engine's 500 when one is taken."""
    wanted = []
    for key, bindings in (container.host_config.get("PortBindings") or {}).items():
        key = key if "/" in key else f"{key}/tcp"
        private, proto = key.split("/")
        for binding in bindings or [{}]:
            host_ip = (binding or {}).get("HostIp") or ""
            host_port = str((binding or {}).get("HostPort") or "")
            wanted.append((key, proto, int(private), host_ip, host_port))
    taken: list[tuple[str, str, int]] = []
    for key, proto, private, host_ip, host_port in wanted:
        if host_port:
            port = int(host_port.split("-")[0])
            holder = engine.host_ports.get((proto, port))
            if holder is not None or any(t[2] == port for t in taken):
                endpoint = new_id(engine.rng)
                raise EngineFailure(
                    f"driver failed programming external connectivity on endpoint "
                    f"{container.name} ({endpoint}): Bind for {host_ip or '0.0.0.0'}:{port} "
                    "failed: port is already allocated",
                )
        else:
            port = _free_port(engine, taken)
        taken.append((key, host_ip, port))
        container.published[(proto, port)] = private
    for key, _, port in taken:
        engine.host_ports[(key.split("/")[1], port)] = container.id
    container.host_ports = taken


def _free_port(engine, taken) -> int:
    low, high = EPHEMERAL_PORTS
    used = {p for (_, p) in engine.host_ports} | {t[2] for t in taken}
    for port in range(low, high + 1):
        if port not in used:
            return port
    raise EngineFailure("no free host ports")


def unbind_ports(engine, container) -> None:
    for key, _, port in container.host_ports:
        if engine.host_ports.get((key.split("/")[1], port)) == container.id:
            del engine.host_ports[(key.split("/")[1], port)]
    container.host_ports = []
    container.published = {}


def plug(engine, container) -> None:
    """Everything a starting container needs on the network side (ports first: they can fail)."""
    bind_ports(engine, container)
    for endpoint in container.endpoints.values():
        attach_endpoint(engine, container, endpoint)
    _write_etc(container)


def unplug(engine, container) -> None:
    for endpoint in container.endpoints.values():
        detach_endpoint(engine, container, endpoint)
    unbind_ports(engine, container)


def _write_etc(container) -> None:
    """``/etc/hostname``, ``/etc/hosts`` and ``/etc/resolv.conf`` as the engine writes them."""
    view = container.view
    own = [ep.ip for ep in container.endpoints.values() if ep.ip]
    hosts = ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
             "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
             "ff02::2\tip6-allrouters\n")
    if own:
        hosts += f"{own[0]}\t{container.hostname}\n"
    server = dns.server_for(container)
    resolv = f"nameserver {server}\n" + ("options ndots:0\n" if server == dns.EMBEDDED_DNS else "")
    view.write("/etc/hostname", f"{container.hostname}\n".encode())
    view.write("/etc/hosts", hosts.encode())
    view.write("/etc/resolv.conf", resolv.encode())
