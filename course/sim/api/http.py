"""The simulator speaks the Docker Engine HTTP API to a real docker-py client.

Why: student code must run unchanged on both backends. Rather than re-implementing docker-py's
models (and drifting from them), the simulator answers the same HTTP requests the engine answers,
through a ``requests`` transport adapter mounted on an unroutable base URL. docker-py then builds
its own ``Container``/``Network``/``Service`` models, converts its own arguments (``ports``,
``healthcheck``, ``docker.types``) and raises its own ``docker.errors`` from our status codes. No
socket is opened and nothing leaves the process.

The model raises its own errors (``course/sim/errors.py``); ``SimAdapter`` turns each into the
engine's status and ``{"message": ...}`` body (``STATUS``), so docker-py raises the same
``docker.errors`` as against the engine.
"""

from __future__ import annotations

import contextvars
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
from requests.adapters import BaseAdapter

from ..errors import (
    Conflict,
    EngineFailure,
    Invalid,
    NotFound,
    NotSupported,
    SimError,
    TimedOut,
    Unavailable,
)

BASE_URL = "tcp://engine.sim.invalid:2375"
API_VERSION = "1.41"  # what Debian's docker.io 20.10 speaks: the engine the contract suite runs on


class ApiError(SimError):
    """An HTTP answer of the route layer itself that no model error names (403 of the network
    routes, the swarmkit rpc errors): becomes its status with the engine's JSON body."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


#: the status the engine answers for each of the model's errors (``course/sim/errors.py``)
STATUS = {Invalid: 400, NotFound: 404, Conflict: 409, EngineFailure: 500, NotSupported: 501,
          Unavailable: 503}


def status_of(error: SimError) -> int:
    if isinstance(error, ApiError):
        return error.status
    return next(s for kind, s in STATUS.items() if isinstance(error, kind))


_READ_TIMEOUT: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "sim_read_timeout", default=None)


def read_timeout() -> float | None:
    """The read timeout (seconds) of the request being handled, if the client set one."""
    return _READ_TIMEOUT.get()


@dataclass
class Request:
    """One API call as a handler sees it."""

    engine: Any
    method: str
    path: str
    params: dict[str, str]
    body: bytes
    groups: tuple[str, ...]

    def json(self):
        return json.loads(self.body) if self.body else {}

    def arg(self, name: str, default=None):
        return self.params.get(name, default)

    def flag(self, name: str) -> bool:
        return self.params.get(name, "").lower() in ("1", "true")

    def filters(self) -> dict[str, list[str]]:
        """The ``filters`` query parameter, normalised to ``{name: [values]}``."""
        raw = self.params.get("filters")
        if not raw:
            return {}
        parsed = json.loads(raw)
        return {k: (list(v) if isinstance(v, (list, dict)) else [v]) for k, v in parsed.items()}


Handler = Callable[[Request], object]


class Router:
    """Maps ``(METHOD, path regex)`` to handlers; the regex groups become ``request.groups``."""

    def __init__(self):
        self._routes: list[tuple[str, re.Pattern, Handler]] = []

    def route(self, method: str, pattern: str):
        def register(handler: Handler) -> Handler:
            self._routes.append((method, re.compile(f"^{pattern}$"), handler))
            return handler

        return register

    def include(self, other: Router) -> None:
        self._routes.extend(other._routes)

    def dispatch(self, engine, method: str, path: str, params, body: bytes):
        for route_method, regex, handler in self._routes:
            match = regex.match(path)
            if match and route_method == method:
                return handler(Request(engine, method, path, params, body, match.groups()))
        raise NotSupported(f"{method} {path}")


class Response:
    """What a handler may return besides plain JSON: a status, raw bytes or a content type."""

    def __init__(self, body=None, status: int = 200, raw: bytes | None = None,
                 content_type: str = "application/json"):
        self.body, self.status, self.raw, self.content_type = body, status, raw, content_type


_LEAVES = (str, int, float, bool, type(None))


class _NotPlainJSON(Exception):
    pass


def _copy(value):
    kind = type(value)
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise _NotPlainJSON
        return {k: _copy(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_copy(v) for v in value]
    if kind in _LEAVES:
        return value
    raise _NotPlainJSON


def json_copy(value):
    """What ``json.loads(json.dumps(value))`` gives, but the new tree shares the keys and leaf
    strings (immutable) it was built from instead of decoding copies of its own.

    Why: docker-py keeps each inspected object's JSON (``Container.attrs``); decoded, every one
    holds its own copy of a hundred key strings, half the memory 10,000 containers cost.
    Anything the JSON round trip would change (a non-str key, a subclass) takes the round trip.

    >>> body = {"State": {"Status": "running"}, "Args": ("-c", 1)}
    >>> copy = json_copy(body)
    >>> copy == json.loads(json.dumps(body)), copy["State"] is body["State"]
    (True, False)
    >>> json_copy({1: "a"})
    {'1': 'a'}
    """
    try:
        return _copy(value)
    except _NotPlainJSON:
        return json.loads(json.dumps(value))


class JSONResponse(requests.Response):
    """A JSON answer: ``json()`` is a copy of the body as it was when answered (what decoding
    the engine's bytes gives); the bytes are written only if someone reads ``content``."""

    def __init__(self, snapshot):
        super().__init__()
        self._snapshot = snapshot

    @property
    def content(self):
        if self._content is False:
            self._content = json.dumps(self._snapshot).encode()
        return self._content

    def json(self, **kwargs):
        return super().json(**kwargs) if kwargs else json_copy(self._snapshot)


class SimAdapter(BaseAdapter):
    """A ``requests`` adapter that hands every request to ``engine.handle`` (no sockets)."""

    def __init__(self, engine):
        super().__init__()
        self.engine = engine

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = urlsplit(request.url)
        path = unquote(re.sub(r"^/v\d+\.\d+", "", url.path))  # the engine routes decoded paths
        # a parameter given twice: Go's FormValue (the engine's) reads the first
        params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, (bytes, bytearray)):  # a file object (image build context)
            body = body.read()
        token = _READ_TIMEOUT.set(timeout[1] if isinstance(timeout, tuple) else timeout)
        try:
            result = self.engine.handle(request.method, path, params, bytes(body))
            reply = result if isinstance(result, Response) else Response(result)
        except TimedOut as error:
            # what docker-py raises over the engine's unix socket when a read times out
            raise requests.exceptions.ConnectionError(str(error), request=request) from None
        except SimError as error:
            reply = Response({"message": error.message}, status=status_of(error))
        finally:
            _READ_TIMEOUT.reset(token)
        return self._build(request, reply)

    @staticmethod
    def _build(request, reply: Response) -> requests.Response:
        is_json = reply.raw is None and reply.body is not None
        response = JSONResponse(json_copy(reply.body)) if is_json else requests.Response()
        response.status_code = reply.status
        response.reason = HTTPStatus(reply.status).phrase
        response.request = request
        response.url = request.url
        if reply.raw is not None:
            response._content = reply.raw
        elif reply.body is None:
            response._content = b""
        response.headers["Content-Type"] = reply.content_type
        response.encoding = "utf-8"
        return response

    def close(self):
        pass
