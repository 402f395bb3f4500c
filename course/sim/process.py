"""A process inside a simulated container: its environment, its output and the time it takes.

Why: ``exec_run``, a container's main command and a health check probe all run "a program in a
container". They share this one object: the shell and the busybox applets write to it, ask it
for the container's files and network, and add to its ``duration`` when they would take time
(``sleep``, ``ping``). Nothing here moves the clock: the caller decides what the duration means
(an exec advances the engine's clock, a main command schedules its exit, a probe compares it
with the timeout). A foreground program that never ends (``httpd -f``, ``sleep inf``) sets
``blocked``.
"""

from __future__ import annotations

import math

from .errors import NotSupported

STDOUT, STDERR = 1, 2
PATH_DEFAULT = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class Process:
    """The state of one running program (and the shell commands it runs in turn).

    >>> p = Process(engine=None, container=None, env={"A": "1"})
    >>> p.write("hola\\n"); p.error("mal\\n"); p.stdout, p.stderr
    (b'hola\\n', b'mal\\n')
    """

    def __init__(self, engine, container, env: dict[str, str] | None = None, main: bool = False):
        self.engine = engine
        self.container = container
        self.env: dict[str, str] = dict(env or {})
        self.main = main  # the container's main process (may start servers, may block)
        self.term_exit: int | None = None  # set by a program that traps SIGTERM (its exit code)
        self.chunks: list[tuple[int, bytes]] = []
        self.duration = 0.0
        self.blocked = False
        self.cwd = "/"
        self.outside = False  # it reached beyond its own container (another address, DNS)

    # -- output -------------------------------------------------------------------------------
    def write(self, data: str | bytes, stream: int = STDOUT) -> None:
        if isinstance(data, str):
            data = data.encode()
        if data:
            self.chunks.append((stream, data))

    def error(self, data: str | bytes) -> None:
        self.write(data, STDERR)

    @property
    def stdout(self) -> bytes:
        return b"".join(d for s, d in self.chunks if s == STDOUT)

    @property
    def stderr(self) -> bytes:
        return b"".join(d for s, d in self.chunks if s == STDERR)

    @property
    def output(self) -> bytes:
        return b"".join(d for _, d in self.chunks)

    # -- time ---------------------------------------------------------------------------------
    def sleep(self, seconds: float) -> None:
        """Take ``seconds`` of virtual time; ``inf`` blocks forever."""
        if math.isinf(seconds):
            self.block("sleep infinito")
        else:
            self.duration += max(0.0, seconds)

    def block(self, what: str) -> None:
        """A foreground program that never returns: fine as a container's main process, an
        error for ``exec_run`` (it would hang forever on the engine too)."""
        if not self.main:
            raise NotSupported(
                f"un exec_run que no termina nunca ({what}): en un motor real se quedaría "
                "colgado. Lánzalo como comando principal del contenedor (containers.run) o "
                "en segundo plano"
            )
        self.blocked = True

    def reads_stdin(self, program: str) -> None:
        """``program`` reads its standard input to the end. A main process whose stdin stays open
        (``stdin_open=True``, or a TTY, which never sends EOF) waits there forever, as on the
        engine; anything else reads EOF at once and goes on."""
        config = self.container.config if self.container is not None else {}
        if self.main and (config.get("OpenStdin") or config.get("Tty")):
            self.block(f"{program} leyendo de la entrada estándar")

    # -- the container --------------------------------------------------------------------------
    @property
    def files(self):
        return self.container.view

    @property
    def hostname(self) -> str:
        return self.container.hostname

    def environ(self) -> list[str]:
        """The environment as ``env`` prints it (the engine's order: PATH, HOSTNAME, ..., HOME)."""
        return [f"{k}={v}" for k, v in self.env.items()]


def container_env(container, extra=None) -> dict[str, str]:
    """The environment a process in ``container`` starts with, in the engine's order.

    moby starts from ``PATH`` and ``HOSTNAME``, then the links' variables, then replaces or
    appends ``Config.Env`` (the image's and the user's), then the exec's own variables; runc
    adds ``HOME`` when missing.
    """
    env: dict[str, str] = {"PATH": PATH_DEFAULT, "HOSTNAME": container.hostname}
    links = container.link_env  # resolved when it started (course/sim/links.py)
    for entry in [*links, *(container.config.get("Env") or []), *(extra or [])]:
        key, _, value = entry.partition("=")
        env[key] = value
    env.setdefault("HOME", "/")
    return env
