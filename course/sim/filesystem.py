"""In-memory filesystems: a container's own layer and the named volumes mounted into it.

Why: the lessons on volumes show that data written in a named volume outlives the container while
data written anywhere else dies with it. Each container owns a ``Filesystem`` (its writable layer,
seeded from the image) and each named volume owns another; ``ContainerView`` resolves a path to the
right one by its longest mount point, as the kernel's mount table does.
"""

from __future__ import annotations

import posixpath
import sys


def normalize(path: str, cwd: str = "/") -> str:
    """An absolute, normalised path.

    >>> normalize("data/../etc//hosts")
    '/etc/hosts'
    """
    # interned: the same few paths (/etc/hosts, /www/index.html...) key every container's files
    return sys.intern(posixpath.normpath(posixpath.join(cwd, path)).replace("//", "/"))


class FsError(Exception):
    """A failed file operation; ``reason`` is the errno text busybox prints."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


NOT_FOUND = "No such file or directory"
IS_DIR = "Is a directory"
NOT_DIR = "Not a directory"


class Filesystem:
    """A tree of directories and files (bytes), addressed by absolute paths.

    >>> fs = Filesystem()
    >>> fs.write("/data/a.txt", b"hola\\n", make_parents=True)
    >>> fs.read("/data/a.txt"), fs.listdir("/data")
    (b'hola\\n', ['a.txt'])
    """

    def __init__(self, files: dict[str, bytes] | None = None, dirs=()):
        self.files: dict[str, bytes] = {}
        self.dirs: set[str] = {"/"}
        self._shared_files = self._shared_dirs = False  # tables another tree also reads
        for d in dirs:
            self.mkdir(d, parents=True)
        for path, data in (files or {}).items():
            self.write(path, data, make_parents=True)

    def copy(self) -> Filesystem:
        """An independent tree that shares this one's tables until either changes them (copy
        on write: 10,000 containers of one image need not hold 10,000 copies of its files)."""
        clone = Filesystem.__new__(Filesystem)
        clone.files, clone.dirs = self.files, self.dirs
        clone._shared_files = clone._shared_dirs = True
        self._shared_files = self._shared_dirs = True
        return clone

    def _own_files(self) -> None:
        if self._shared_files:
            self.files, self._shared_files = dict(self.files), False

    def _own_dirs(self) -> None:
        if self._shared_dirs:
            self.dirs, self._shared_dirs = set(self.dirs), False

    def is_dir(self, path: str) -> bool:
        return path in self.dirs

    def is_file(self, path: str) -> bool:
        return path in self.files

    def mkdir(self, path: str, parents: bool = False) -> None:
        if path in self.dirs:
            return
        parent = posixpath.dirname(path)
        if parent not in self.dirs:
            if not parents:
                raise FsError(NOT_FOUND)
            self.mkdir(parent, parents=True)
        if path in self.files:
            raise FsError("File exists")
        self._own_dirs()
        self.dirs.add(path)

    def read(self, path: str) -> bytes:
        if path in self.dirs:
            raise FsError(IS_DIR)
        try:
            return self.files[path]
        except KeyError:
            raise FsError(NOT_FOUND) from None

    def write(self, path: str, data: bytes, append: bool = False, make_parents: bool = False):
        parent = posixpath.dirname(path)
        if parent not in self.dirs:
            if not make_parents:
                raise FsError("nonexistent directory")
            self.mkdir(parent, parents=True)
        if path in self.dirs:
            raise FsError(IS_DIR)
        self._own_files()
        self.files[path] = (self.files.get(path, b"") + data) if append else data

    def remove(self, path: str) -> None:
        if path in self.files:
            self._own_files()
            del self.files[path]
        elif path in self.dirs and path != "/":
            if self.listdir(path):
                raise FsError("Directory not empty")
            self._own_dirs()
            self.dirs.discard(path)
        else:
            raise FsError(NOT_FOUND)

    def listdir(self, path: str) -> list[str]:
        if path not in self.dirs:
            raise FsError(NOT_DIR if path in self.files else NOT_FOUND)
        prefix = path.rstrip("/") + "/"
        names = {
            p[len(prefix):].split("/", 1)[0]
            for p in (*self.files, *self.dirs)
            if p.startswith(prefix) and p != prefix
        }
        return sorted(names)


class ContainerView:
    """What a process in a container sees: its own layer with volumes mounted over it.

    >>> root, vol = Filesystem(dirs=["/etc"]), Filesystem()
    >>> view = ContainerView(root, {"/data": vol})
    >>> view.write("/data/x", b"1")
    >>> vol.read("/x"), view.listdir("/")
    (b'1', ['data', 'etc'])
    """

    def __init__(self, root: Filesystem, mounts: dict[str, Filesystem] | None = None):
        self.root = root
        self.mounts = dict(mounts or {})
        for point in self.mounts:
            root.mkdir(point, parents=True)

    def _resolve(self, path: str) -> tuple[Filesystem, str]:
        path = normalize(path)
        for point in sorted(self.mounts, key=len, reverse=True):
            if path == point or path.startswith(point + "/"):
                return self.mounts[point], "/" + path[len(point):].lstrip("/")
        return self.root, path

    def is_dir(self, path: str) -> bool:
        fs, inner = self._resolve(path)
        return fs.is_dir(inner)

    def exists(self, path: str) -> bool:
        fs, inner = self._resolve(path)
        return fs.is_dir(inner) or fs.is_file(inner)

    def read(self, path: str) -> bytes:
        fs, inner = self._resolve(path)
        return fs.read(inner)

    def write(self, path: str, data: bytes, append: bool = False) -> None:
        fs, inner = self._resolve(path)
        fs.write(inner, data, append=append)

    def mkdir(self, path: str, parents: bool = False) -> None:
        fs, inner = self._resolve(path)
        fs.mkdir(inner, parents=parents)

    def remove(self, path: str) -> None:
        fs, inner = self._resolve(path)
        fs.remove(inner)

    def listdir(self, path: str) -> list[str]:
        fs, inner = self._resolve(path)
        names = set(fs.listdir(inner))
        prefix = normalize(path).rstrip("/") + "/"
        for point in self.mounts:
            if point.startswith(prefix) and "/" not in point[len(prefix):]:
                names.add(point[len(prefix):])
        return sorted(names)
