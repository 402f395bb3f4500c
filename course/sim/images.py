"""The simulator's image catalogue: busybox and the lab images ``course/web:<version>``.

Why: no registry exists for the simulator either, so it knows a fixed set of images, described
with the same facts the real images carry (``course/images.py`` builds them for the engine):
command, environment, exposed port and health check. Those facts live here, in ONE place, and
the container model reads them from here. An image outside the catalogue behaves as an image
that is not on the engine: 404 ``No such image`` on create, and a pull that fails.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from .errors import Conflict, lookup
from .filesystem import Filesystem

PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SECOND_NS = 1_000_000_000

# The lab image's HEALTHCHECK: --interval=1s --timeout=1s --retries=2 --start-period=1s
WEB_HEALTHCHECK = {
    "Test": ["CMD-SHELL", "wget -qO- http://127.0.0.1/health || exit 1"],
    "Interval": 1 * SECOND_NS, "Timeout": 1 * SECOND_NS,
    "StartPeriod": 1 * SECOND_NS, "Retries": 2,
}
WEB_VERSIONS = (1, 2, 3)
BROKEN_WEB_VERSIONS = (3,)  # /health answers 404, so the health check fails
WEB_PORT = 80
WEB_ROOT = "/www"
WEB_TERM_EXIT = 143  # /start.sh's `trap 'exit 143' TERM` (course/images.py START_SH)
WEB_START = "/start.sh"  # writes index.html (and health unless broken), then runs httpd

_BASE_DIRS = ("/bin", "/dev", "/etc", "/proc", "/sys")


@dataclass(frozen=True)
class Image:
    """One image: its tags and the configuration a container inherits from it."""

    repo_tags: tuple[str, ...]
    cmd: tuple[str, ...]
    env: tuple[str, ...] = (PATH_ENV,)
    exposed_ports: tuple[str, ...] = ()
    healthcheck: dict | None = None
    dirs: tuple[str, ...] = _BASE_DIRS
    files: dict = field(default_factory=dict)
    size: int = 1_985_553
    web_version: int | None = None  # set for course/web images: what /start.sh serves
    entrypoint: tuple[str, ...] | None = None
    labels: dict = field(default_factory=dict)
    digest: str = ""  # a built image's content digest (course/sim/build.py)

    @property
    def id(self) -> str:
        """Content-addressed like the engine's: a built image's digest, a catalogue image's
        from its first tag (stable across seeds)."""
        return "sha256:" + (self.digest or hashlib.sha256(self.repo_tags[0].encode()).hexdigest())

    def rootfs(self) -> Filesystem:
        """A fresh copy of the image's files: the start of a container's own layer (it shares
        the image's tables until it writes: ``Filesystem.copy``)."""
        return self._layer.copy()

    @cached_property
    def _layer(self) -> Filesystem:  # never handed out: only its copies are
        return Filesystem(dict(self.files), dirs=self.dirs)

    def config(self) -> dict:
        """The image's ``Config`` (what ``docker image inspect`` shows under ``Config``)."""
        return {
            "Cmd": list(self.cmd), "Env": list(self.env),
            "Entrypoint": list(self.entrypoint) if self.entrypoint else None,
            "ExposedPorts": {p: {} for p in self.exposed_ports} or None,
            "Healthcheck": dict(self.healthcheck) if self.healthcheck else None,
            "Labels": dict(self.labels) or None, "WorkingDir": "", "Volumes": None, "User": "",
        }

    def inspect(self) -> dict:
        """The body of ``GET /images/{name}/json``."""
        return {
            "Id": self.id, "RepoTags": list(self.repo_tags), "RepoDigests": [], "Parent": "",
            "Comment": "", "Created": "2024-01-01T00:00:00Z", "Container": "",
            "DockerVersion": "20.10.24+dfsg1", "Author": "", "Config": self.config(),
            "Architecture": "amd64", "Os": "linux", "Size": self.size, "VirtualSize": self.size,
            "GraphDriver": {"Name": "overlay2", "Data": None},
            "RootFS": {"Type": "layers", "Layers": [self.id]}, "Metadata": {"LastTagTime": ""},
        }


def _web(version: int) -> Image:
    broken = 1 if version in BROKEN_WEB_VERSIONS else 0
    return Image(
        repo_tags=(f"course/web:{version}",), cmd=("/bin/sh", WEB_START),
        env=(PATH_ENV, f"WEB_VERSION={version}", f"WEB_BROKEN={broken}"),
        exposed_ports=(f"{WEB_PORT}/tcp",), healthcheck=WEB_HEALTHCHECK,
        files={WEB_START: b"#!/bin/sh\n# course/images.py START_SH\n"}, web_version=version,
    )


def default_catalogue() -> list[Image]:
    """The images every simulated engine starts with."""
    busybox = Image(
        repo_tags=("busybox:latest",), cmd=("sh",), size=4_261_550,
        dirs=(*_BASE_DIRS, "/home", "/root", "/tmp", "/usr", "/var"),
    )
    return [busybox, *(_web(v) for v in WEB_VERSIONS)]


#: the tags docker-py's own integration tests run (tests/dockerpy): busybox-like images here,
#: local tags of the kit's busybox image on the real engine (no registry either way)
DOCKERPY_TEST_TAGS = ("alpine:3.10", "alpine:latest", "busybox:buildroot-2014.02")


def dockerpy_test_images() -> list[Image]:
    """The images docker-py's integration suite expects an engine to have."""
    dirs = (*_BASE_DIRS, "/home", "/root", "/tmp", "/usr", "/var")
    return [Image(repo_tags=(tag,), cmd=("/bin/sh",), dirs=dirs) for tag in DOCKERPY_TEST_TAGS]


def normalize_reference(ref: str) -> str:
    """``busybox`` → ``busybox:latest``; ``docker.io/library/x:1`` → ``x:1``.

    >>> normalize_reference("busybox"), normalize_reference("docker.io/library/busybox:1")
    ('busybox:latest', 'busybox:1')
    """
    for prefix in ("docker.io/library/", "docker.io/", "library/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
            break
    last = ref.rsplit("/", 1)[-1]
    return ref if ":" in last or "@" in last else f"{ref}:latest"


class ImageStore:
    """The images an engine holds, found by tag, full id or id prefix.

    >>> store = ImageStore()
    >>> store.find("busybox").repo_tags
    ('busybox:latest',)
    >>> store.find("nosuch:1") is None
    True
    """

    missing = "No such image: {ref}"  # errors.lookup's 404 for an unknown ref

    @staticmethod
    def shown(ref: str) -> str:
        return normalize_reference(ref) if ref else ref

    def __init__(self, images: list[Image] | None = None):
        self._images: dict[str, Image] = {}
        self._tags: dict[str, str] = {}
        for image in images or default_catalogue():
            self.add(image)

    def add(self, image: Image, tag: str | None = None) -> None:
        self._images.setdefault(image.id, image)
        for t in ([tag] if tag else image.repo_tags):
            self._tags[t] = image.id

    def add_untagged(self, image: Image) -> None:
        """A built image (or a build step's) before any tag names it."""
        self._images.setdefault(image.id, image)

    def forget(self, image: Image) -> None:
        """Drop an untagged build step (the engine keeps it as cache; the simulator has none)."""
        if not self.tags_of(image):
            self._images.pop(image.id, None)

    def tags_of(self, image: Image) -> list[str]:
        return sorted(t for t, i in self._tags.items() if i == image.id)

    def find(self, ref: str) -> Image | None:
        ref = ref.strip()
        if ref.startswith("sha256:"):
            ref = ref[7:]
        elif ref in self._tags or normalize_reference(ref) in self._tags:
            return self._images[self._tags[normalize_reference(ref)]]
        if len(ref) >= 4 and all(c in "0123456789abcdef" for c in ref):
            matches = [i for i in self._images if i[7:].startswith(ref)]
            if len(matches) == 1:
                return self._images[matches[0]]
        return None

    def all(self) -> list[Image]:
        return list(self._images.values())

    def remove(self, ref: str, users: list, force: bool = False) -> list[dict]:
        """``images.remove``, as moby's ``ImageDelete`` decides: a tag goes first (and alone
        while other tags remain); then the image, unless a container blocks it. ``users``: the
        containers made from it, ``(short id, running)``. Returns the engine's list of
        ``{"Untagged": tag}`` / ``{"Deleted": id}``; refuses with its 409 texts."""
        image = lookup(self, ref)
        tags = self.tags_of(image)
        name = normalize_reference(ref)
        named = name in tags  # a reference, not an id
        short = image.id[7:19]
        done = []
        if named:
            if not force and len(tags) == 1 and users:
                raise Conflict(f"conflict: unable to remove repository reference \"{ref}\" "
                               f"(must force) - container {users[0][0]} is using its "
                               f"referenced image {short}")
            done.append({"Untagged": self._untag(name)})
            if len(tags) > 1:
                return done
        running = [cid for cid, is_running in users if is_running]
        if running:  # a hard conflict: after removing a tag, the image just stays
            if named:
                return done
            raise Conflict(f"conflict: unable to delete {short} (cannot be forced) - image is "
                           f"being used by running container {running[0]}")
        if not force and not named:
            if len({t.rsplit(":", 1)[0] for t in tags}) > 1:
                raise Conflict(f"conflict: unable to delete {short} (must be forced) - image "
                               "is referenced in multiple repositories")
            if users:
                raise Conflict(f"conflict: unable to delete {short} (must be forced) - image "
                               f"is being used by stopped container {users[0][0]}")
        done += [{"Untagged": self._untag(t)} for t in self.tags_of(image)]
        del self._images[image.id]
        return [*done, {"Deleted": image.id}]

    def _untag(self, tag: str) -> str:
        del self._tags[tag]
        return tag

    def catalogue_text(self) -> str:
        return ", ".join(sorted(self._tags))
