"""HTTP to a container *through the engine*: a helper container on the target's networks.

Why: the kernel may not share a network with the containers. Docker Desktop (macOS, Windows),
rootless Docker, a remote ``DOCKER_HOST`` and the confined grading kernels have no route to a
bridge network's addresses; only the Docker API answers. So the kit never opens a socket to a
container: one long-lived helper container per lab (the lab image, doing nothing but wait) is
attached to whatever network the target is on, and each request is a run of the image's
``wget`` in it (one long-lived ``exec`` session reads the requests: see ``_Session``). The
request crosses the same network a client on that network would cross.

The helper is the lab's own: it carries the kit's label and ``course.helper=<namespace>`` (never
``course.lab``, so ``lab.filters()`` listings do not see it) and ``lab.cleanup()`` removes it.
Every call is bounded: wget's own ``-T`` plus the lab client's read timeout.
"""

from __future__ import annotations

import re
import struct
import threading

import docker

HELPER_LABEL = "course.helper"
# The lab image's /bin/wget honours -T (course/images.py: Debian's static busybox's own wget
# segfaults on -T).
_STATUS = re.compile(r"HTTP/\S+ (\d{3})")
# The helper's PID 1. Each request's `timeout` (in the image's /bin/wget) leaves a watcher that
# outlives wget and is handed to PID 1: a bare `sleep` never reaps it, so zombies pile up until
# the container's pids limit (256 while grading) and every later fork fails ("timeout: fork:
# Resource temporarily unavailable"). A shell waiting on its `sleep` reaps any child
# (waitpid(-1)); unlike `init=True` it needs no docker-init on the engine.
REAPER = ["/bin/sh", "-c", "while :; do sleep 3600; done"]


class EngineHTTP:
    """One lab's helper container and the requests it makes.

    Args:
        client: the lab's docker-py client.
        name: the helper container's name (unique to the lab).
        labels: its labels (the kit's, plus ``course.helper``).
        image: a callable returning the tag of the lab image to run it from (built on demand).
    """

    def __init__(self, client, name: str, labels: dict[str, str], image):
        self.client, self.name, self.labels, self._image = client, name, labels, image
        self._helper = None
        self._networks: set[str] = set()  # ids of the networks the helper is attached to
        self._session: _Session | None = None
        self._exec_each = False  # True where the session cannot be had (see _ask)
        self._lock = threading.Lock()

    def get(self, container, port: int, path: str, timeout: float) -> tuple[int, str]:
        """``(status, body)`` of ``GET http://<container>:<port><path>``, asked from the helper
        on one of ``container``'s networks; raises ``ConnectionError`` with the reason when
        nothing answered (refused, timed out, no shared network)."""
        seconds = str(max(1, round(timeout)))
        with self._lock:  # one request at a time on the session (a view's timer may ask too)
            try:
                code, out, said = self._ask(container, port, seconds, path)
            except (ConnectionError, OSError, docker.errors.NotFound):
                # a session cut or timed out (its state is unknown), or the helper removed
                # under the lab: start again, once
                self._drop_session()
                self._helper = None
                code, out, said = self._ask(container, port, seconds, path)
        body = out.decode(errors="replace")
        said = said.decode(errors="replace").strip()
        if code == 0:
            return 200, body
        match = _STATUS.search(said)
        if match:
            return int(match.group(1)), body
        raise ConnectionError(said or f"wget salió con el código {code}")

    def _ask(self, container, port: int, seconds: str, path: str):
        address = self._attach(container)
        url = f"http://{address}:{port}{path}"
        if self._session is None and not self._exec_each:
            try:
                self._session = _Session(self.client.api, self._helper.id)
            except docker.errors.APIError as error:  # the helper stopped, or the engine refused
                if error.status_code == 404:
                    raise
                raise ConnectionError(error.explanation or str(error)) from error
            except (AttributeError, TypeError, ValueError):
                # a transport whose attached stream is no plain socket (ssh://...): one exec
                # per request, slower but the same answer
                self._exec_each = True
        if self._exec_each:
            code, (out, err) = self._helper.exec_run(["/bin/wget", "-T", seconds, "-qO-", url],
                                                     demux=True)
            return code, out or b"", err or b""
        return self._session.ask(seconds, url)

    def _drop_session(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def _attach(self, container) -> str:
        """Attach the helper to one of ``container``'s networks (once) and return the
        container's address on it."""
        networks = container.attrs.get("NetworkSettings", {}).get("Networks") or {}
        usable = [(s.get("NetworkID"), s["IPAddress"]) for s in networks.values()
                  if s.get("IPAddress")]
        if not usable:
            raise ConnectionError("el contenedor no tiene dirección en ninguna red")
        helper = self._ensure()
        for network_id, address in usable:
            if network_id in self._networks:
                return address
        network_id, address = usable[0]
        try:
            self.client.api.connect_container_to_network(helper.id, network_id)
        except docker.errors.APIError as error:
            if "already exists" not in str(error):
                raise ConnectionError(
                    f"el kit no puede unirse a la red del contenedor: {error.explanation}"
                ) from error
        self._networks.add(network_id)
        return address

    def _ensure(self):
        """The running helper, started on first use (on the default ``bridge`` network)."""
        if self._helper is not None:
            return self._helper
        try:
            helper = self.client.containers.get(self.name)
            if helper.status != "running":
                helper.remove(force=True)
                helper = None
        except docker.errors.NotFound:
            helper = None
        if helper is None:
            helper = self.client.containers.run(
                self._image(), REAPER, detach=True, name=self.name,
                labels=self.labels, healthcheck={"test": ["NONE"]}, init=False,
            )
        helper.reload()
        networks = helper.attrs.get("NetworkSettings", {}).get("Networks") or {}
        self._networks = {s.get("NetworkID") for s in networks.values()}
        self._helper = helper
        return helper

    def forget(self) -> None:
        """Drop what is known of the helper (``lab.cleanup`` removes it by its label); the next
        request starts a new one."""
        self._drop_session()
        self._helper, self._networks = None, set()


class _Session:
    """One long-lived exec in the helper: a shell that runs one wget per line it reads.

    Why: each ``exec`` makes the runtime spawn a process in the container (the bulk of its
    cost); a shell that is already there only forks wget. Each answer comes back as a line
    ``<rc> <body bytes> <stderr bytes>`` and then those bytes, on the exec's stdout (docker's
    8-byte frame headers around them, as for any exec without a tty).
    """

    # files named by the shell's pid: a session given up on may still be finishing its wget
    LOOP = ('mkdir -p /tmp; b=/tmp/kit-$$.body e=/tmp/kit-$$.err; while read -r t url; do '
            ': >$b; : >$e; /bin/wget -T "$t" -qO $b "$url" 2>$e; rc=$?; '
            'echo "$rc $(wc -c <$b) $(wc -c <$e)"; cat $b $e; done')

    def __init__(self, api, helper_id: str):
        exec_id = api.exec_create(helper_id, ["/bin/sh", "-c", self.LOOP], stdin=True)["Id"]
        stream = api.exec_start(exec_id, socket=True)
        self._stream = stream  # keeps the response (and its socket) alive
        self.sock = getattr(stream, "_sock", stream)
        self.buffer = b""

    def ask(self, seconds: str, url: str) -> tuple[int, bytes, bytes]:
        self.sock.settimeout(float(seconds) + 5)  # wget's own bound, plus the exec's way back
        self.sock.sendall(f"{seconds} {url}\n".encode())
        head = self._until(lambda: b"\n" in self.buffer)
        line, self.buffer = head.split(b"\n", 1)
        code, body_n, err_n = (int(x) for x in line.split())
        self._until(lambda: len(self.buffer) >= body_n + err_n)
        body, said = self.buffer[:body_n], self.buffer[body_n:body_n + err_n]
        self.buffer = self.buffer[body_n + err_n:]
        return code, body, said

    def _until(self, done) -> bytes:
        while not done():
            stream, size = struct.unpack(">BxxxL", self._exactly(8))
            data = self._exactly(size)
            if stream == 1:  # stdout; the shell's own complaints (stderr) are not answers
                self.buffer += data
        return self.buffer

    def _exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("el contenedor auxiliar del kit cerró la sesión")
            data += chunk
        return data

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
