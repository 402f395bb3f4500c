"""Volumes: named ones that outlive containers, anonymous ones that die with ``remove(v=True)``.

Why: the lesson's point is *where data lives*. A named volume owns its own in-memory
``Filesystem``; mounting it into a container makes that filesystem visible at the mount point,
so a file written there survives when the container is replaced. Everything else a container
writes lives in its own layer and disappears with it. docker-py sends mounts as
``HostConfig.Binds`` (``volumes={'name': {'bind': '/data', 'mode': 'rw'}}`` or
``['name:/data']``) or as ``HostConfig.Mounts`` (``docker.types.Mount``); both are parsed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .filesystem import Filesystem, normalize
from .naming import rfc3339

MOUNTPOINT = "/var/lib/docker/volumes/{name}/_data"


@dataclass(eq=False)
class Volume:
    """A volume and its files."""

    name: str
    created: float
    labels: dict = field(default_factory=dict)
    driver: str = "local"
    anonymous: bool = False
    fs: Filesystem = field(default_factory=Filesystem)
    users: set[str] = field(default_factory=set)  # ids of containers that mount it

    def inspect(self) -> dict:
        return {
            "CreatedAt": rfc3339(self.created, nanos=False), "Driver": self.driver,
            "Labels": dict(self.labels) or None, "Mountpoint": MOUNTPOINT.format(name=self.name),
            "Name": self.name, "Options": None, "Scope": "local",
        }


@dataclass(frozen=True)
class MountSpec:
    """One mount a container asked for: a volume (``name`` None: anonymous) or a tmpfs."""

    destination: str
    name: str | None = None
    mode: str = ""
    read_only: bool = False
    kind: str = "volume"


def parse_bind(spec: str) -> MountSpec:
    """One ``HostConfig.Binds`` entry.

    >>> parse_bind("datos:/data:ro")
    MountSpec(destination='/data', name='datos', mode='ro', read_only=True, kind='volume')
    >>> parse_bind("/anon").name is None
    True
    """
    parts = spec.split(":")
    if len(parts) == 1:
        return MountSpec(normalize(parts[0]))
    source, destination = parts[0], parts[1]
    mode = parts[2] if len(parts) > 2 else ""
    if source.startswith("/") or source.startswith("."):
        return MountSpec(normalize(destination), source, mode, "ro" in mode.split(","), "bind")
    return MountSpec(normalize(destination), source, mode, "ro" in mode.split(","))


def parse_mount(mount: dict) -> MountSpec:
    """One ``HostConfig.Mounts`` entry (``docker.types.Mount``)."""
    kind = (mount.get("Type") or "volume").lower()
    return MountSpec(normalize(mount["Target"]), mount.get("Source") or None, "",
                     bool(mount.get("ReadOnly")), kind)


class VolumeStore:
    """The volumes of one engine, by name.

    >>> store = VolumeStore()
    >>> store.create("datos", now=0.0).inspect()["Mountpoint"]
    '/var/lib/docker/volumes/datos/_data'
    """


    def __init__(self):
        self.by_name: dict[str, Volume] = {}

    def create(self, name: str, now: float, labels=None, driver: str = "local",
               anonymous: bool = False) -> Volume:
        """Create, or return the existing volume of that name (the engine's behaviour)."""
        if name in self.by_name:
            return self.by_name[name]
        volume = Volume(name, now, dict(labels or {}), driver or "local", anonymous)
        self.by_name[name] = volume
        return volume

    def get(self, name: str) -> Volume | None:
        return self.by_name.get(name)

    def remove(self, volume: Volume) -> None:
        self.by_name.pop(volume.name, None)

    def all(self) -> list[Volume]:
        return list(self.by_name.values())
