"""The grading proxy: the only way a confined kernel reaches the Docker engine.

On ``--backend docker`` each confined kernel gets, as ``/run/docker.sock``, a Unix socket this
proxy serves from the grader's process, outside the sandbox. Each connection carries one request:
it is read whole, judged by :mod:`course.grading.engine_policy` (which may rewrite it), and sent on
to the engine with ``Connection: close``, so nothing else on that connection ever reaches the
engine unjudged. Exec and attach streams are piped both ways once judged; list answers are
filtered. When the kernel ends, :meth:`EngineProxy.close` removes whatever the kernel left on the
engine (everything with its label), whoever killed it.

HTTP that no client of the API sends (two lengths, a length and chunks, folded headers, a head
over 64 KiB, a body over ``MAX_BODY``) is answered 400 and never forwarded.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import selectors
import socket
import socketserver
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import docker

from . import engine_policy as policy

MAX_HEAD = 64 << 10
MAX_BODY = 64 << 20  # put_archive of a lab's files is a few KiB; 64 MiB is generous
MAX_CONNECTIONS = 64
LOOKUP_TIMEOUT = 60
DRAIN_SECONDS = 60  # a swarm leave on a loaded engine takes tens of seconds


class BadRequest(Exception):
    pass


def _read_request(conn: socket.socket) -> tuple[str, str, dict[str, str], bytes, bytes]:
    """One request from ``conn``: method, target, headers (lower-case names), body, and the bytes
    that came after it (an exec's first stdin)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise BadRequest("connection closed before the request's head")
        data += chunk
        if len(data) > MAX_HEAD:
            raise BadRequest("request head too long")
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] not in ("HTTP/1.1", "HTTP/1.0"):
        raise BadRequest(f"bad request line {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip() or line[:1] in " \t":
            raise BadRequest("malformed header")
        name = name.lower()
        if name in headers and name in ("content-length", "transfer-encoding", "host"):
            raise BadRequest(f"repeated {name}")
        headers[name] = value.strip()
    if "transfer-encoding" in headers:
        if headers["transfer-encoding"].lower() != "chunked" or "content-length" in headers:
            raise BadRequest("unsupported transfer-encoding")
        body, rest = _read_chunked(conn, rest)
    else:
        length = headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            raise BadRequest("bad content-length")
        while len(rest) < int(length):
            chunk = conn.recv(min(1 << 20, int(length) - len(rest)))
            if not chunk:
                raise BadRequest("connection closed inside the body")
            rest += chunk
        body, rest = rest[: int(length)], rest[int(length):]
    return parts[0], parts[1], headers, body, rest


def _read_chunked(conn: socket.socket, data: bytes) -> tuple[bytes, bytes]:
    body = b""
    while True:
        while b"\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                raise BadRequest("connection closed inside a chunk")
            data += chunk
        size_line, data = data.split(b"\r\n", 1)
        size_text = size_line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadRequest("bad chunk size") from None
        if len(body) + size > MAX_BODY:
            raise BadRequest("body too large")
        while len(data) < size + 2:
            chunk = conn.recv(65536)
            if not chunk:
                raise BadRequest("connection closed inside a chunk")
            data += chunk
        if size == 0:
            # trailers are not used by the API: the empty line ends the body
            return body, data[2:]
        body, data = body + data[:size], data[size + 2:]


def _reply(conn: socket.socket, status: int, message: str) -> None:
    payload = json.dumps({"message": message}).encode()
    reason = http.client.responses.get(status, "Error")
    conn.sendall(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload)


def _pipe(client: socket.socket, engine: socket.socket, two_way: bool) -> None:
    """Copy the engine's answer to the client until the engine closes; with ``two_way`` (an exec
    or attach stream) the client's bytes go to the engine too. A client that goes away ends it."""
    with selectors.DefaultSelector() as sel:
        sel.register(engine, selectors.EVENT_READ)
        sel.register(client, selectors.EVENT_READ)
        while True:
            for key, _ in sel.select():
                source = key.fileobj
                try:
                    data = source.recv(65536)
                except OSError:
                    data = b""
                if source is engine:
                    if not data:
                        return
                    client.sendall(data)
                elif not data:
                    if not two_way:
                        return  # the client gave up: so does the request
                    engine.shutdown(socket.SHUT_WR)
                    sel.unregister(client)
                elif two_way:
                    engine.sendall(data)
                # bytes from a client after a plain request are dropped: one request per connection


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        proxy = self.server.proxy
        if not proxy.slots.acquire(blocking=False):
            _reply(self.request, 503, "Demasiadas conexiones a la vez con el motor.")
            return
        try:
            proxy.serve(self.request)
        except (BadRequest, ValueError) as error:
            _reply(self.request, 400, f"Petición no válida: {error}")
        except OSError:
            pass
        except Exception as error:  # a body of the wrong shape: an answer, never a dead thread
            _reply(self.request, 400, f"Petición no válida ({type(error).__name__}: {error})")
        finally:
            proxy.slots.release()


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    proxy: EngineProxy


class EngineProxy:
    """One kernel's filtered engine: serves ``socket_path``, forwards to ``upstream`` (a Unix
    socket), labels what the kernel makes with a token of its own, and sweeps it at ``close``.

    ``owner`` (uid) may connect to the socket; ``swarm_turn`` lets the kernel enter and leave
    Swarm mode (module :mod:`course.grading.engine_policy`).
    """

    def __init__(self, upstream: str, socket_path: Path, owner: int | None = None,
                 swarm_turn: bool = False):
        self.upstream, self.socket_path = upstream, Path(socket_path)
        self.token = secrets.token_hex(12)
        self.api = docker.APIClient(base_url=f"unix://{upstream}", timeout=LOOKUP_TIMEOUT,
                                    version="auto")
        # the grading process's pid too: what a killed grader left is found by the next one
        self.scope = policy.Scope(self.api, self.token, swarm_turn=swarm_turn,
                                  extra_labels={policy.GRADER_LABEL: str(os.getpid())})
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._lookups = threading.Lock()  # one APIClient (requests session) for every thread
        self._server = _Server(str(self.socket_path), _Handler)
        self._server.proxy = self
        os.chmod(self.socket_path, 0o600)
        if owner is not None:
            os.chown(self.socket_path, owner, owner)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name=f"engine-proxy-{self.token[:6]}")
        self._thread.start()

    def serve(self, conn: socket.socket) -> None:
        conn.settimeout(LOOKUP_TIMEOUT)  # a client that never finishes its request: let go
        method, target, headers, body, rest = _read_request(conn)
        try:
            request = policy.parse_target(method, target)
            request.body = body
            with self._lookups:
                decision = policy.decide(self.scope, request)
        except policy.Refused as refused:
            _reply(conn, refused.status, refused.message)
            return
        engine = socket.socket(socket.AF_UNIX)
        try:
            engine.connect(self.upstream)
            engine.sendall(_forward(decision, headers.get("content-type")))
            if decision.answer is not None:
                engine.settimeout(LOOKUP_TIMEOUT)
                self._answer(conn, engine, decision.answer)
            else:
                if decision.hijack and rest:
                    engine.sendall(rest)
                conn.settimeout(None)  # a log that follows, a wait, an exec: as long as they run
                _pipe(conn, engine, decision.hijack)
        finally:
            engine.close()

    @staticmethod
    def _answer(conn: socket.socket, engine: socket.socket, rewrite) -> None:
        """Read the engine's whole JSON answer, rewrite it (a list: only the kernel's own)."""
        response = http.client.HTTPResponse(engine)
        response.begin()
        payload = response.read()
        if response.status == 200:
            payload = json.dumps(rewrite(json.loads(payload))).encode()
        conn.sendall(f"HTTP/1.1 {response.status} {response.reason}\r\nContent-Type: "
                     f"application/json\r\nContent-Length: {len(payload)}\r\n"
                     "Connection: close\r\n\r\n".encode() + payload)

    def close(self) -> dict[str, int]:
        """Stop serving and remove what the kernel left on the engine; what was removed.

        Requests still on their way finish first (for at most ``DRAIN_SECONDS``): a kernel
        killed while its lab was leaving Swarm mode leaves that request running on the engine,
        and removing task containers under a swarm that is shutting down makes Swarm start new
        ones that the leave then has to stop, past its deadline [a swarm left half-made]."""
        self._server.shutdown()
        self._server.server_close()
        self.socket_path.unlink(missing_ok=True)
        deadline = time.monotonic() + DRAIN_SECONDS
        taken = 0
        while taken < MAX_CONNECTIONS and self.slots.acquire(
                timeout=max(0.0, deadline - time.monotonic())):
            taken += 1
        try:
            # Swarm is asked only by a kernel that made Swarm objects: another notebook may be
            # entering or leaving Swarm mode right now, and a manager in transition is fragile
            return sweep(self.api, {policy.GRADING_LABEL: self.token},
                         swarm=self.scope.swarm_objects)
        finally:
            self.api.close()


def _forward(decision: policy.Decision, content_type: str | None) -> bytes:
    request = decision.request
    target = quote(request.version + request.path, safe="/:@")
    if request.query:
        target += "?" + urlencode(request.query)
    lines = [f"{request.method} {target} HTTP/1.1", "Host: docker"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    if request.body or request.method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(request.body)}")
    lines += ["Connection: Upgrade", "Upgrade: tcp"] if decision.hijack else ["Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body


def sweep(api: docker.APIClient, labels: dict[str, str], swarm: bool = True) -> dict[str, int]:
    """Remove every object carrying ``labels`` (services first: their tasks go with them);
    ``swarm=False`` leaves services, secrets and configs out."""
    flt = {"label": [f"{k}={v}" for k, v in labels.items()]}
    removed = {}
    steps = (
        ("services", lambda: api.services(filters=flt), lambda o: api.remove_service(o["ID"])),
        ("containers", lambda: api.containers(all=True, filters=flt),
         lambda o: api.remove_container(o["Id"], force=True, v=True)),
        ("secrets", lambda: api.secrets(filters=flt), lambda o: api.remove_secret(o["ID"])),
        ("configs", lambda: api.configs(filters=flt), lambda o: api.remove_config(o["ID"])),
        ("networks", lambda: api.networks(filters=flt), lambda o: api.remove_network(o["Id"])),
        ("volumes", lambda: api.volumes(filters=flt).get("Volumes") or [],
         lambda o: api.remove_volume(o["Name"], force=True)),
    )
    for kind, listing, remove in steps:
        if not swarm and kind in ("services", "secrets", "configs"):
            continue
        try:
            found = listing()
        except docker.errors.APIError:  # services, secrets, configs: not a swarm now
            continue
        for item in found:
            try:
                remove(item)
                removed[kind] = removed.get(kind, 0) + 1
            except docker.errors.APIError:
                pass
    return removed


def sweep_orphans(api: docker.APIClient) -> dict[str, int]:
    """Remove what kernels of grading processes that no longer run left on the engine (a grader
    killed with SIGKILL sweeps nothing itself); the next ``course grade`` calls this first."""
    pids = set()
    for listing in (lambda: api.containers(all=True, filters={"label": policy.GRADER_LABEL}),
                    lambda: api.networks(filters={"label": policy.GRADER_LABEL}),
                    lambda: api.volumes(filters={"label": policy.GRADER_LABEL}).get("Volumes")):
        for item in listing() or []:
            pids.add((item.get("Labels") or {}).get(policy.GRADER_LABEL, ""))
    removed: dict[str, int] = {}
    for pid in sorted(p for p in pids if p.isdigit() and not _alive(int(p))):
        for kind, count in sweep(api, {policy.GRADER_LABEL: pid}).items():
            removed[kind] = removed.get(kind, 0) + count
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
