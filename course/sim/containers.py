"""Containers: their state, and the store that finds them by id, name and label.

Why a store with indexes: a lesson (and the benchmark) may create thousands of containers, and
docker-py looks each one up again after every call (``containers.list`` inspects every match).
Lookups by full id, name and label therefore go through dictionaries, never a scan, so 10,000
containers cost linear time overall. What happens *to* a container (start, exit, restart policy)
lives in ``lifecycle``; this module only holds state and renders it as the engine's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .filesystem import ContainerView
from .images import Image
from .naming import rfc3339

STATUSES = ("created", "restarting", "running", "removing", "paused", "exited", "dead")


@dataclass(eq=False, slots=True)
class Endpoint:
    """A container's attachment to one network (``NetworkSettings.Networks[name]``)."""

    network: Any  # networks.Network
    aliases: list[str] = field(default_factory=list)  # what the user asked for
    endpoint_id: str = ""
    ip: str = ""  # empty while the container is not running
    mac_address: str = ""  # what the user asked for (``MacAddress``); else made from the address
    driver_opts: dict | None = None  # ``DriverOpts`` as asked (kept, shown by inspect)
    links: list[str] = field(default_factory=list)  # network-scoped links, "name:alias"

    @property
    def mac(self) -> str:
        if self.mac_address:
            return self.mac_address
        if not self.ip:
            return ""
        return "02:42:" + ":".join(f"{int(part):02x}" for part in self.ip.split("."))

    def settings(self, container: Container) -> dict:
        aliases = list(self.aliases) or None
        if self.network.user_defined and self.ip:  # the engine adds the short id when it runs
            aliases = [*self.aliases, container.id[:12]]
        return {
            "IPAMConfig": None, "Links": list(self.links) or None, "Aliases": aliases,
            "NetworkID": self.network.id, "EndpointID": self.endpoint_id if self.ip else "",
            "Gateway": self.network.gateway if self.ip else "", "IPAddress": self.ip,
            "IPPrefixLen": self.network.prefix_len if self.ip else 0, "IPv6Gateway": "",
            "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "MacAddress": self.mac,
            "DriverOpts": self.driver_opts,
        }


@dataclass(eq=False, slots=True)
class Health:
    """``State.Health``: status, failing streak and the last five probe results."""

    status: str = "starting"
    failing_streak: int = 0
    log: list[dict] = field(default_factory=list)
    last_result: tuple | None = None  # (exit code, output, duration) of the last probe
    steady: dict | None = None  # set while its probes repeat untimed (course/sim/health.py)
    catch_up: Any = None  # writes the untimed probes due by now into the log

    def as_json(self) -> dict:
        if self.steady is not None and self.catch_up is not None:
            self.catch_up()
        return {"Status": self.status, "FailingStreak": self.failing_streak, "Log": list(self.log)}


@dataclass(eq=False, slots=True)
class Container:
    """One container: configuration (fixed at create) and state (changed by ``lifecycle``)."""

    id: str
    name: str
    seq: int  # creation order: the engine lists newest first
    created: float
    image: Image
    image_ref: str  # what the user asked for (``Config.Image``)
    config: dict
    host_config: dict
    endpoints: dict[str, Endpoint] = field(default_factory=dict)  # by network name
    mounts: list[dict] = field(default_factory=list)  # inspect ``Mounts``
    status: str = "created"
    exit_code: int = 0
    error: str = ""
    started_at: float | None = None
    finished_at: float | None = None
    restart_count: int = 0
    manually_stopped: bool = False
    backoff: float = 0.0  # the restart manager's current delay (seconds)
    health: Health | None = None
    view: ContainerView | None = None  # its files (own layer + volumes), made at create
    logs: list[tuple[int, bytes]] = field(default_factory=list)  # (stream, data) in order
    servers: dict[int, str] = field(default_factory=dict)  # port -> document root (httpd)
    term_exit: int | None = None  # the main process's exit code on SIGTERM; None: it ignores it
    host_ports: list[tuple[str, str, int]] = field(default_factory=list)  # (80/tcp, ip, port)
    published: dict[tuple[str, int], int] = field(default_factory=dict)  # host -> private
    timers: dict[str, Any] = field(default_factory=dict)  # exit / restart / health
    exec_ids: list[str] = field(default_factory=list)
    link_env: list[str] = field(default_factory=list)  # links' variables (course/sim/links.py)

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def running(self) -> bool:
        """The engine's ``State.Running``: true while running, paused or restarting."""
        return self.status in ("running", "paused", "restarting")

    @property
    def hostname(self) -> str:
        return self.config.get("Hostname") or self.short_id

    @property
    def labels(self) -> dict[str, str]:
        return self.config.get("Labels") or {}

    @property
    def health_text(self) -> str:
        return self.health.status if self.health else "none"

    def state_json(self) -> dict:
        state = {
            "Status": self.status, "Running": self.running, "Paused": self.status == "paused",
            "Restarting": self.status == "restarting", "OOMKilled": False,
            "Dead": self.status == "dead",
            "Pid": 4000 + self.seq if self.status == "running" else 0,
            "ExitCode": self.exit_code, "Error": self.error,
            "StartedAt": rfc3339(self.started_at), "FinishedAt": rfc3339(self.finished_at),
        }
        if self.health is not None:
            state["Health"] = self.health.as_json()
        return state

    def ports_json(self) -> dict:
        """``NetworkSettings.Ports``: bound host ports while running, ``{}`` otherwise."""
        if self.status not in ("running", "paused"):
            return {}
        ports: dict[str, Any] = {p: None for p in self.config.get("ExposedPorts") or {}}
        for key, host_ip, host_port in self.host_ports:
            bindings = ports.get(key) or []
            for ip in ([host_ip] if host_ip else ["0.0.0.0", "::"]):
                bindings.append({"HostIp": ip, "HostPort": str(host_port)})
            ports[key] = bindings
        return ports

    def inspect(self) -> dict:
        """The body of ``GET /containers/{id}/json``."""
        networks = {name: ep.settings(self) for name, ep in self.endpoints.items()}
        first = next((ep for ep in self.endpoints.values() if ep.network.name == "bridge"), None)
        cmd = self.config.get("Cmd") or []
        return {
            "Id": self.id, "Created": rfc3339(self.created),
            "Path": cmd[0] if cmd else "", "Args": list(cmd[1:]),
            "State": self.state_json(), "Image": self.image.id,
            "ResolvConfPath": "", "HostnamePath": "", "HostsPath": "", "LogPath": "",
            "Name": "/" + self.name, "RestartCount": self.restart_count, "Driver": "overlay2",
            "Platform": "linux", "MountLabel": "", "ProcessLabel": "", "AppArmorProfile": "",
            "ExecIDs": list(self.exec_ids) or None, "HostConfig": self.host_config,
            "GraphDriver": {"Name": "overlay2", "Data": None}, "Mounts": list(self.mounts),
            "Config": self.config,
            "NetworkSettings": {
                "Bridge": "", "SandboxID": "", "HairpinMode": False,
                "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0,
                "Ports": self.ports_json(), "SandboxKey": "",
                "SecondaryIPAddresses": None, "SecondaryIPv6Addresses": None,
                "EndpointID": first.endpoint_id if first and first.ip else "",
                "Gateway": first.network.gateway if first and first.ip else "",
                "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
                "IPAddress": first.ip if first else "",
                "IPPrefixLen": first.network.prefix_len if first and first.ip else 0,
                "IPv6Gateway": "", "MacAddress": first.mac if first else "",
                "Networks": networks,
            },
        }


class ContainerStore:
    """Every container of one engine, indexed by id, name and label.

    >>> store = ContainerStore()
    >>> len(store), store.find("nosuch") is None
    (0, True)
    """

    missing = "No such container: {ref}"  # errors.lookup's 404 for an unknown ref

    def __init__(self):
        self.by_id: dict[str, Container] = {}  # insertion order = creation order
        self.by_name: dict[str, str] = {}
        self.by_label_key: dict[str, set[str]] = {}
        self.by_label: dict[tuple[str, str], set[str]] = {}
        self._seq = 0

    def __len__(self) -> int:
        return len(self.by_id)

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def add(self, container: Container) -> None:
        self.by_id[container.id] = container
        self.by_name[container.name] = container.id
        for key, value in container.labels.items():
            self.by_label_key.setdefault(key, set()).add(container.id)
            self.by_label.setdefault((key, value), set()).add(container.id)

    def discard(self, container: Container) -> None:
        self.by_id.pop(container.id, None)
        if self.by_name.get(container.name) == container.id:
            del self.by_name[container.name]
        for key, value in container.labels.items():
            self.by_label_key.get(key, set()).discard(container.id)
            self.by_label.get((key, value), set()).discard(container.id)

    def rename(self, container: Container, new_name: str) -> None:
        del self.by_name[container.name]
        container.name = new_name
        self.by_name[new_name] = container.id

    def find(self, ref: str) -> Container | None:
        """By full id, by name (with or without ``/``), or by a unique id prefix (the engine's
        order of lookups)."""
        if ref in self.by_id:
            return self.by_id[ref]
        cid = self.by_name.get(ref.lstrip("/"))
        if cid:
            return self.by_id[cid]
        if ref and all(c in "0123456789abcdef" for c in ref):
            matches = [c for i, c in self.by_id.items() if i.startswith(ref)]
            if len(matches) == 1:
                return matches[0]
        return None

    def with_label(self, key: str, value: str | None = None) -> set[str]:
        if value is None:
            return set(self.by_label_key.get(key, ()))
        return set(self.by_label.get((key, value), ()))

    def newest_first(self, ids=None) -> list[Container]:
        if ids is None:
            return list(reversed(self.by_id.values()))
        return sorted((self.by_id[i] for i in ids), key=lambda c: -c.seq)
