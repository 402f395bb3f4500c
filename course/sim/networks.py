"""Networks: the built-in ``bridge``, ``host`` and ``none``, user-defined bridges and their IPAM.

Why: what a student learns about networking on one host is which containers can reach which,
and by what name. The default ``bridge`` (172.17.0.0/16) gives addresses but no names;
user-defined bridges get the next free /16 of the engine's default pools (172.18, 172.19, ...)
and an embedded DNS (``dns``). Addresses are handed out in order, freed when a container stops,
and reused, as the engine's IPAM does. Overlay networks (Swarm) can extend ``Network`` with
another driver; ``user_defined`` is what decides whether the embedded DNS answers.
"""

from __future__ import annotations

import heapq
import ipaddress
from dataclasses import dataclass, field

from .errors import Invalid
from .naming import rfc3339

BUILTIN = ("bridge", "host", "none")


def default_pools():
    """The engine's default address pools: 172.17-31.0.0/16, then 192.168.0.0/16 in /20s."""
    for second in range(17, 32):
        yield ipaddress.ip_network(f"172.{second}.0.0/16")
    yield from ipaddress.ip_network("192.168.0.0/16").subnets(new_prefix=20)


@dataclass(eq=False)
class Network:
    """One network and the addresses it has handed out."""

    id: str
    name: str
    driver: str
    created: float
    subnet: ipaddress.IPv4Network | None = None
    labels: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    internal: bool = False
    attachable: bool = False
    ingress: bool = False  # Swarm's routing-mesh network (made by swarm init)
    ip_range: ipaddress.IPv4Network | None = None  # IPAM IPRange: where addresses come from
    gateway_ip: str = ""  # IPAM Gateway, when the user chose it
    aux_addresses: dict | None = None  # IPAM AuxiliaryAddresses (reserved, never handed out)
    containers: dict[str, str] = field(default_factory=dict)  # container id -> ip (running)
    dns: dict[str, list[str]] = field(default_factory=dict)  # name/alias/short id -> ids
    _next: int = 2  # .1 is the gateway
    _free: list[int] = field(default_factory=list)

    @property
    def user_defined(self) -> bool:
        """The embedded DNS answers only on networks the user created (any driver)."""
        return self.name not in BUILTIN and not self.ingress

    @property
    def scope(self) -> str:
        return "swarm" if self.driver == "overlay" else "local"

    @property
    def gateway(self) -> str:
        if self.gateway_ip:
            return self.gateway_ip
        return str(self.subnet.network_address + 1) if self.subnet else ""

    def reserve_range(self) -> None:
        """Hand out addresses from ``ip_range`` only, never the gateway or auxiliary ones."""
        if self.ip_range is not None:
            self._next = max(self._next, int(self.ip_range.network_address)
                             - int(self.subnet.network_address))

    @property
    def prefix_len(self) -> int:
        return self.subnet.prefixlen if self.subnet else 0

    def allocate(self) -> str:
        """The next free address (freed ones first, lowest first)."""
        if self.subnet is None:
            return ""
        taken = {self.gateway, *(self.aux_addresses or {}).values()}
        while True:
            if self._free:
                offset = heapq.heappop(self._free)
            else:
                offset, self._next = self._next, self._next + 1
                if offset >= self.subnet.num_addresses - 1:
                    raise RuntimeError(f"no free addresses in {self.subnet}")
            address = str(self.subnet.network_address + offset)
            if address not in taken:
                return address

    def release(self, ip: str) -> None:
        if self.subnet is not None and ip:
            heapq.heappush(self._free, int(ipaddress.ip_address(ip)) - int(self.subnet[0]))

    def inspect(self, containers_by_id=None) -> dict:
        """The body of ``GET /networks/{id}`` (``containers_by_id`` names the attached ones)."""
        attached = {}
        for cid, ip in self.containers.items():
            container = (containers_by_id or {}).get(cid)
            endpoint = container.endpoints.get(self.name) if container else None
            attached[cid] = {
                "Name": container.name if container else "",
                "EndpointID": endpoint.endpoint_id if endpoint else "",
                "MacAddress": endpoint.mac if endpoint else "",
                "IPv4Address": f"{ip}/{self.prefix_len}" if ip else "", "IPv6Address": "",
            }
        ipam = []
        if self.subnet is not None:
            ipam = [{"Subnet": str(self.subnet)}]
            if self.ip_range is not None:
                ipam[0]["IPRange"] = str(self.ip_range)
            if self.user_defined or self.ingress:
                ipam[0]["Gateway"] = self.gateway
            if self.aux_addresses:
                ipam[0]["AuxiliaryAddresses"] = dict(self.aux_addresses)
        return {
            "Name": self.name, "Id": self.id, "Created": rfc3339(self.created),
            "Scope": self.scope, "Driver": self.driver,
            "EnableIPv6": False,
            "IPAM": {"Driver": "default", "Options": None, "Config": ipam},
            "Internal": self.internal, "Attachable": self.attachable, "Ingress": self.ingress,
            "ConfigFrom": {"Network": ""}, "ConfigOnly": False, "Containers": attached,
            "Options": dict(self.options), "Labels": dict(self.labels),
        }


BRIDGE_OPTIONS = {
    "com.docker.network.bridge.default_bridge": "true",
    "com.docker.network.bridge.enable_icc": "true",
    "com.docker.network.bridge.enable_ip_masquerade": "true",
    "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
    "com.docker.network.bridge.name": "docker0",
    "com.docker.network.driver.mtu": "1500",
}


class NetworkStore:
    """The networks of one engine, found by id, id prefix or name.

    >>> import random
    >>> store = NetworkStore(random.Random(0))
    >>> str(store.find("bridge").subnet), store.create("lab", "bridge", 0.0).gateway
    ('172.17.0.0/16', '172.18.0.1')
    """

    missing = "network {ref} not found"  # errors.lookup's 404 for an unknown ref

    def __init__(self, rng):
        from .naming import new_id

        self._new_id = lambda: new_id(rng)
        self.by_id: dict[str, Network] = {}
        self._last_pool = 0  # the engine continues after the last pool it handed out
        self.by_id_add(Network(self._new_id(), "bridge", "bridge", 0.0,
                               ipaddress.ip_network("172.17.0.0/16"), options=BRIDGE_OPTIONS))
        self.by_id_add(Network(self._new_id(), "host", "host", 0.0))
        self.by_id_add(Network(self._new_id(), "none", "null", 0.0))

    def by_id_add(self, network: Network) -> None:
        self.by_id[network.id] = network

    def _next_subnet(self) -> ipaddress.IPv4Network:
        pools = list(default_pools())
        used = {n.subnet for n in self.by_id.values() if n.subnet is not None}
        for step in range(1, len(pools) + 1):
            index = (self._last_pool + step) % len(pools)
            if pools[index] not in used:
                self._last_pool = index
                return pools[index]
        raise RuntimeError("no free address pools")

    def create(self, name: str, driver: str, now: float, labels=None, options=None,
               internal=False, attachable=False, subnet: str | None = None,
               ipam: dict | None = None, ingress: bool = False,
               network_id: str | None = None) -> Network:
        """A new network; ``ipam`` is the first IPAM pool as sent (Subnet, IPRange, Gateway,
        AuxiliaryAddresses)."""
        ipam = dict(ipam or {})
        subnet = subnet or ipam.get("Subnet")
        network = Network(
            network_id or self._new_id(), name, driver, now,
            ipaddress.ip_network(subnet) if subnet else self._next_subnet(),
            labels=dict(labels or {}), options=dict(options or {}),
            internal=internal, attachable=attachable, ingress=ingress,
            ip_range=ipaddress.ip_network(ipam["IPRange"]) if ipam.get("IPRange") else None,
            gateway_ip=ipam.get("Gateway") or "", aux_addresses=ipam.get("AuxiliaryAddresses"),
        )
        network.reserve_range()
        self.by_id_add(network)
        return network

    def remove(self, network: Network) -> None:
        self.by_id.pop(network.id, None)

    def matching(self, ref: str) -> list[Network]:
        """The engine's lookup: exact id, then exact name, then id prefix (may be several)."""
        if ref in self.by_id:
            return [self.by_id[ref]]
        named = [n for n in self.by_id.values() if n.name == ref]
        if named:
            return named
        return [n for i, n in self.by_id.items() if i.startswith(ref)] if ref else []

    def find(self, ref: str) -> Network | None:
        found = self.matching(ref)
        return found[0] if len(found) == 1 else None

    def resolve(self, ref: str) -> Network | None:
        """``find``, but a ref several networks match is the caller's error (the engine's 400)."""
        found = self.matching(ref)
        if len(found) > 1:
            raise Invalid(f"{len(found)} matches found based on name: network {ref} is ambiguous")
        return found[0] if found else None

    def all(self) -> list[Network]:
        return list(self.by_id.values())
