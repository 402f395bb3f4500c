"""Grading kernels confined with bubblewrap: student code sees its own submission and nothing else.

:class:`ConfinedKernelManager` is a jupyter_client kernel manager whose kernel command is wrapped
in ``bwrap``. ``ResilientExecute`` (and so ``nbgrader autograde`` and ``course grade``) uses it by
default; its limits are settings of ``nbgrader_config.py`` (``c.ConfinedKernelManager.memory_mb``,
...). What the kernel gets, and why:

* a fresh root (tmpfs) with read-only binds of the system (``/usr``, ``/etc`` essentials), the
  Python that runs the kernel and the kit's ``course`` package: nothing of the course root, its
  gradebooks, other submissions, ``source/``, ``/run`` (the Docker socket) or ``/home``;
* a private copy of its working folder (nbgrader's ``autograded/<student>/<assignment>/``), bound
  at the same path so relative paths work as they would unconfined; what it writes stays in
  the copy, removed with the sandbox;
* new pid, network, ipc and uts namespaces (and a user namespace when the grader is not root;
  as root, bwrap runs privileged and ``setpriv`` drops the kernel to a uid of its own with no
  capabilities): the grader's processes are invisible, there is no network, and every process
  the kernel starts (also a ``start_new_session`` child) dies with the sandbox
  (``--die-with-parent`` and pid 1 exiting);
* bwrap's options through a pipe (``--args``): ``/proc/1/cmdline`` shows no host path;
* interrupts as a message on the control channel [a SIGINT to bwrap's process group would kill
  bwrap and never reach the kernel];
* the ZMQ channels on ``ipc`` transport: Unix sockets in a folder bound into the sandbox (TCP on
  loopback cannot cross a network namespace);
* no terminal: the kernel's stdout/stderr go to a log file [a tty handed in allows TIOCSTI];
* a seccomp filter (:mod:`course.grading.seccomp`): new namespaces, mounts, keyrings, ``bpf``,
  ``ptrace``, ``io_uring`` and the like refused [the Linux kernel's own attack surface];
* limits: address space, CPU seconds and file size (rlimits), processes (``RLIMIT_NPROC`` for a
  uid of the sandbox's own when the grader is root), tmpfs sizes, and wall clocks that kill the
  sandbox from outside: one per kernel (``wall_seconds``) and, under ``course grade``, one per
  submission (``submission_seconds``: its notebooks' kernels together).

On ``--backend docker`` the grader sets ``docker_socket`` (the engine's socket): the kernel never
gets it. It gets, as ``/run/docker.sock``, the socket of an :class:`~course.grading.engine_proxy.
EngineProxy` of its own, served from the grader's process: its own objects only, nothing of the
host (:mod:`course.grading.engine_policy`); when the kernel ends, what it left on the engine is
removed.
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Float, Integer, Unicode

from . import seccomp
from .engine_proxy import EngineProxy

# /etc entries a Python kernel needs (name service, TLS roots, time zone, the loader's cache)
ETC_KEPT = (
    "passwd", "group", "nsswitch.conf", "hosts", "localtime", "timezone", "ssl",
    "ca-certificates", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",
    "mime.types", "matplotlibrc", "fonts",
)  # fmt: skip
ENV_KEPT_PREFIXES = ("COURSE_", "NBGRADER_", "LC_", "PYTHONHASHSEED", "PYTHONWARNINGS", "MPL")
ENV_KEPT = {"LANG", "TZ", "TERM"}
SANDBOX_HOME = "/tmp/home"
START_GRACE_SECONDS = 10.0  # a kernel may outlive its submission's deadline by this much
HOW_TO_GET_IT = (
    "Confined grading needs Linux with bubblewrap and user namespaces: `apt-get install "
    "bubblewrap` (Debian/Ubuntu) and `sysctl kernel.unprivileged_userns_clone=1` where it is 0."
)


class ConfinementUnavailable(RuntimeError):
    """bwrap cannot run here; the message says how to get it."""


@functools.cache
def confinement_problem() -> str:
    """Why a confined kernel cannot start on this machine ('' when it can)."""
    bwrap = shutil.which("bwrap")
    if not sys.platform.startswith("linux"):
        return f"this is {sys.platform}, and the grading sandbox (bubblewrap) exists on Linux only"
    if bwrap is None:
        return "bubblewrap (`bwrap`) is not installed. " + HOW_TO_GET_IT
    uid = _sandbox_uid()
    probe = [bwrap, *_namespaces(uid), "--ro-bind", "/", "/", "--proc", "/proc"]
    fds = [_pipe_with(seccomp.program())] if seccomp.supported() else []
    probe += [arg for fd in fds for arg in ("--seccomp", str(fd))]
    probe += ["--", *_inner_command(uid), "true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=30, pass_fds=fds)
    finally:
        for fd in fds:
            os.close(fd)
    if done.returncode != 0:
        return f"bwrap fails here ({done.stderr.strip()[:200]}). " + HOW_TO_GET_IT
    return ""


def _sandbox_uid() -> int | None:
    """A uid no one else uses, for the kernel (only root can switch; RLIMIT_NPROC counts per uid).

    As root, bwrap runs privileged (no user namespace: it can bind a Python under /root, mode
    0700) and ``setpriv`` inside drops to this uid and every capability before the kernel runs.
    """
    if os.geteuid() != 0:
        return None
    return 1_500_000_000 + secrets.randbelow(500_000_000)  # bwrap takes uids < 2**31


def _namespaces(uid: int | None) -> list[str]:
    """bwrap's namespace options: as root, every one but the user namespace (module docstring)."""
    if uid is None:
        return ["--unshare-all"]
    return ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"] + [
        "--unshare-cgroup-try"
    ]


def _inner_command(uid: int | None, limits: dict[str, int] | None = None) -> list[str]:
    """Inside the sandbox, before the kernel: setpriv to the sandbox uid (as root), with no
    groups and no capabilities, then prlimit."""
    cmd = []
    if uid is not None:
        cmd += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
        cmd += ["--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
    if limits:
        cmd += ["prlimit"] + [f"--{name}={value}" for name, value in limits.items()] + ["--"]
    return cmd


def _own_tasks() -> int:
    """Tasks (threads count) of this uid now: RLIMIT_NPROC compares that total with the limit."""
    uid, count = os.getuid(), 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(entry / "task"))
            except OSError:
                continue
    return count


class ConfinedKernelManager(AsyncKernelManager):
    """A kernel manager that starts each kernel inside a bubblewrap sandbox (module docstring)."""

    confine = Bool(True, help="Run grading kernels in the sandbox (off only for trusted code)").tag(
        config=True
    )
    memory_mb = Integer(4096, help="Address space per process of the kernel, MiB").tag(config=True)
    cpu_seconds = Integer(900, help="CPU seconds per process of the kernel").tag(config=True)
    max_processes = Integer(
        256, help="Processes and threads the sandbox may hold at once (the kernel has ~10)"
    ).tag(config=True)
    wall_seconds = Integer(1800, help="Wall-clock seconds a kernel may live").tag(config=True)
    submission_seconds = Integer(
        3600, help="Wall-clock seconds for all the notebooks of one submission (course grade)"
    ).tag(config=True)
    submission_deadline = Float(
        0.0, help="Set by course grade for each submission: time.time() its kernels must end by"
    ).tag(config=True)
    file_mb = Integer(512, help="Largest file the kernel may write, MiB").tag(config=True)
    tmp_mb = Integer(256, help="Size of the sandbox's /tmp (in memory), MiB").tag(config=True)
    seccomp = Bool(
        True, help="Refuse the system calls a kernel never needs (course/grading/seccomp.py)"
    ).tag(config=True)
    docker_socket = Unicode(
        "", help="The engine's Unix socket; the kernel reaches it through a filtering proxy"
    ).tag(config=True)
    # set by ResilientExecute for the notebook that holds the engine's Swarm turn
    swarm_turn = Bool(False)

    _box: Path | None = None
    _timer: threading.Timer | None = None
    _fds: list[int]  # pipes bwrap reads its options and its seccomp program from
    _proxy: EngineProxy | None = None

    async def _async_pre_start_kernel(self, **kw):
        if not self.confine:
            return await super()._async_pre_start_kernel(**kw)
        problem = confinement_problem()
        if problem:
            raise ConfinementUnavailable(
                f"cannot confine the grading kernel: {problem} To grade without confinement "
                "(student code then runs as you), set c.ConfinedKernelManager.confine = False."
            )
        _compile_course()
        self._fds = []
        self._box = Path(tempfile.mkdtemp(prefix="course-box-"))
        os.chmod(self._box, 0o711)
        uid = _sandbox_uid()
        ipc, home = self._box / "ipc", self._box / "work"
        ipc.mkdir()
        cwd = Path(kw.get("cwd") or os.getcwd()).resolve()
        shutil.copytree(cwd, home, symlinks=True)
        if uid is not None:
            for path in (ipc, home, *home.rglob("*")):
                os.lchown(path, uid, uid)
        # an interrupt goes as a message on the control channel: a signal to bwrap's process
        # group would kill bwrap (and the sandbox with it) and never reach the kernel
        self.kernel_spec.interrupt_mode = "message"
        self.transport = "ipc"
        self.ip = str(ipc / "k")
        self.connection_file = str(ipc / "connection.json")
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        if uid is not None:
            os.chown(self.connection_file, uid, uid)
        kw["env"] = self._sandbox_env(kw.get("env") or os.environ)
        kw["cwd"] = str(self._box)
        log = open(self._box / "kernel.log", "wb")  # noqa: SIM115  (the kernel holds it open)
        kw["stdout"] = kw["stderr"] = log
        kw["stdin"] = subprocess.DEVNULL
        # bwrap reads its options from a pipe [on its command line, /proc/1/cmdline inside the
        # sandbox would show the kernel the host's paths]
        options = self._options(ipc, home, cwd, uid)
        if self.seccomp and seccomp.supported():
            self._fds.append(_pipe_with(seccomp.program()))
            options += ["--seccomp", str(self._fds[-1])]
        read = _pipe_with(b"".join(arg.encode() + b"\0" for arg in options))
        self._fds.append(read)
        kw["pass_fds"] = tuple(self._fds)
        if self.docker_socket:
            self._proxy = EngineProxy(self.docker_socket, self._box / "engine.sock", owner=uid,
                                      swarm_turn=self.swarm_turn)
        inner = _inner_command(uid, self._limits(uid)) + cmd
        return ["bwrap", "--args", str(read), "--", *inner], kw

    def _limits(self, uid: int | None) -> dict[str, int]:
        nproc = self.max_processes if uid is not None else _own_tasks() + self.max_processes
        return {
            "as": self.memory_mb << 20,
            "cpu": self.cpu_seconds,
            "fsize": self.file_mb << 20,
            "nproc": nproc,
        }

    def _options(self, ipc: Path, home: Path, cwd: Path, uid: int | None) -> list[str]:
        """bwrap's options (without the command): what the sandbox holds (module docstring)."""
        bwrap = [*_namespaces(uid), "--die-with-parent", "--clearenv"]
        for top in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = Path("/") / top
            if path.is_symlink():
                bwrap += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                bwrap += ["--ro-bind", str(path), str(path)]
        for name in ETC_KEPT:
            if (Path("/etc") / name).exists():
                bwrap += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
        bwrap += ["--proc", "/proc", "--dev", "/dev"]
        bwrap += ["--perms", "1777", "--size", str(self.tmp_mb << 20), "--tmpfs", "/tmp"]
        bwrap += ["--size", str(1 << 20), "--tmpfs", "/run", "--symlink", "../run", "/var/run"]
        bwrap += ["--perms", "0777", "--dir", SANDBOX_HOME]
        made = {Path("/"), Path("/tmp"), Path("/usr"), Path("/etc")}
        binds = [("--ro-bind", p, p) for p in _python_paths()]
        binds += [("--bind", ipc, ipc), ("--bind", home, cwd)]
        for kind, source, dest in binds:
            # bwrap makes missing parents mode 0700 when it runs as root: make them readable
            for parent in reversed(dest.parents):
                if parent not in made:
                    made.add(parent)
                    bwrap += ["--perms", "0755", "--dir", str(parent)]
            bwrap += [kind, str(source), str(dest)]
        bwrap += ["--chdir", str(cwd)]
        if self.docker_socket:  # the kernel's own proxy, never the engine's socket
            bwrap += ["--bind", str(self._box / "engine.sock"), "/run/docker.sock"]
        for key, value in self._sandbox_env(os.environ).items():
            bwrap += ["--setenv", key, value]
        return bwrap

    def _sandbox_env(self, env) -> dict[str, str]:
        kept = {k: v for k, v in env.items() if k in ENV_KEPT or k.startswith(ENV_KEPT_PREFIXES)}
        kept.update(
            HOME=SANDBOX_HOME,
            PATH=f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            PYTHONNOUSERSITE="1",
            # the Python it sees is read-only: trying to write bytecode only costs time
            PYTHONDONTWRITEBYTECODE="1",
        )
        if self.docker_socket:
            kept["DOCKER_HOST"] = "unix:///run/docker.sock"
        return kept

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:
            for fd in getattr(self, "_fds", ()):
                os.close(fd)
            self._fds = []
        seconds = self.wall_seconds if self.wall_seconds > 0 else float("inf")
        if self.submission_deadline:
            # never within a kernel's start [a kernel killed before its first reply fails the
            # whole submission in nbgrader]: past the deadline, ResilientExecute runs no cell
            left = self.submission_deadline - time.time()
            seconds = min(seconds, max(left, START_GRACE_SECONDS))
        if self._box is not None and seconds != float("inf"):
            self._timer = threading.Timer(seconds, self._kill_sandbox)
            self._timer.daemon = True
            self._timer.start()

    def _kill_sandbox(self) -> None:
        """The wall clock ran out: kill bwrap's process group; the sandbox dies with it."""
        provisioner = self.provisioner
        pgid = getattr(provisioner, "pgid", None)
        if pgid:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except OSError:
                pass

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._box is not None and not restart:
            if self._proxy is not None:
                left = self._proxy.close()  # and what the kernel left on the engine goes
                if left:
                    self.log.info("removed what the kernel left on the engine: %s", left)
                self._proxy = None
            shutil.rmtree(self._box, ignore_errors=True)
            self._box = None

    cleanup_resources = _async_cleanup_resources


def _pipe_with(data: bytes) -> int:
    """The read end of a pipe that holds ``data`` (small: it fits the pipe's buffer)."""
    read, write = os.pipe()
    os.write(write, data)
    os.close(write)
    return read


@functools.cache
def _compile_course() -> None:
    """Write the bytecode of the kit's ``course`` package once per grader process.

    The sandbox binds ``course`` read-only, so a kernel cannot cache what it compiles: without
    this, every confined kernel would compile its ~60 modules again (0.1-0.5 s per notebook, the
    largest share of what confinement cost). Where the package is not writable, nothing happens.
    """
    import compileall

    import course

    compileall.compile_dir(Path(course.__file__).parent, quiet=2, workers=1)


@functools.cache
def _python_paths() -> list[Path]:
    """What the kernel's Python needs, read-only: its prefixes and the kit's ``course`` package.

    Only these folders, not the folders holding them: a virtualenv inside a course root binds
    the virtualenv, never the root's ``source/`` or gradebook.
    """
    import course

    wanted = {Path(sys.prefix), Path(sys.base_prefix), Path(course.__file__).parent}
    wanted |= {Path(p) for p in sys.path if p and Path(p).name == "site-packages"}
    wanted = {p.resolve() for p in wanted if p.exists()}
    system = [Path("/usr"), Path("/bin"), Path("/lib"), Path("/lib64"), Path("/sbin")]
    wanted = {p for p in wanted if not any(p.is_relative_to(s) for s in system)}
    # a folder inside another bound one is bound already
    return sorted(p for p in wanted if not any(p != q and p.is_relative_to(q) for q in wanted))
