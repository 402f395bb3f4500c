"""docker-py's own client, wired to the simulated engine instead of a socket."""

from __future__ import annotations

import json
import struct

import docker
from docker.errors import DockerException
from docker.utils.socket import consume_socket_output, demux_adaptor

from .http import API_VERSION, BASE_URL, Response, SimAdapter

LIVE_STREAMS_UNSUPPORTED = (
    "El simulador no ofrece flujos en vivo (stream=True, socket=True, follow=True, websockets). "
    "Pide el resultado completo (stream=False) o usa un motor Docker real.")
_HEADER = struct.Struct(">BxxxL")  # the engine's stream multiplexing header: stream id, length


def frames(payload: bytes, tty: bool):
    """Split a multiplexed (or, with a TTY, raw) body into ``(stream_id, data)`` frames."""
    if tty:
        yield (1, payload)
        return
    offset = 0
    while offset + _HEADER.size <= len(payload):
        stream_id, length = _HEADER.unpack_from(payload, offset)
        offset += _HEADER.size
        yield (stream_id, payload[offset:offset + length])
        offset += length


def multiplex(stdout: bytes = b"", stderr: bytes = b"") -> bytes:
    """The body the engine sends for a non-TTY exec or logs call."""
    out = b""
    for stream_id, data in ((1, stdout), (2, stderr)):
        if data:
            out += _HEADER.pack(stream_id, len(data)) + data
    return out


def stream_response(chunks, tty: bool) -> Response:
    """The one stream body builder (logs, exec): ``(stream, data)`` chunks as the engine sends
    them, raw for a TTY, multiplexed otherwise."""
    if tty:
        return Response(raw=b"".join(d for _, d in chunks), content_type="text/plain")
    body = b"".join(_HEADER.pack(s, len(d)) + d for s, d in chunks if d)
    return Response(raw=body, content_type="application/vnd.docker.raw-stream")


class SimAPIClient(docker.APIClient):
    """``docker.APIClient`` whose transport is the simulator: same methods, same errors."""

    def __init__(self, engine, timeout: int = 60):
        super().__init__(base_url=BASE_URL, version=API_VERSION, timeout=timeout)
        self.mount(self.base_url, SimAdapter(engine))
        self.engine = engine
        # No proxies or .netrc can apply to an in-process engine, and reading them from the
        # environment on every request was most of a simulated call's cost.
        self.trust_env = False

    # The engine answers exec and attach on a hijacked socket; the simulator answers with the
    # whole multiplexed body at once, so read the frames from the body instead.
    def _read_from_socket(self, response, stream, tty=True, demux=False):
        self._raise_for_status(response)
        gen = frames(response.content, tty)
        gen = (demux_adaptor(*f) for f in gen) if demux else (data for _, data in gen)
        return gen if stream else consume_socket_output(gen, demux=demux)

    # Streamed answers (``logs(stream=True)``, as ``containers.run`` without ``detach`` asks for):
    # the simulator has the whole body already, so the stream yields its frames.
    def _multiplexed_response_stream_helper(self, response):
        self._raise_for_status(response)
        return (data for _, data in frames(response.content, tty=False))

    def _stream_raw_result(self, response, chunk_size=1, decode=True):
        self._raise_for_status(response)
        data = response.content
        yield data.decode(errors="replace") if decode else data

    def _stream_helper(self, response, decode=False):
        self._raise_for_status(response)
        for line in response.content.splitlines():
            if line.strip():
                yield json.loads(line) if decode else line

    def _attach_websocket(self, container, params=None):
        raise DockerException(LIVE_STREAMS_UNSUPPORTED)

    def _get_raw_response_socket(self, response):
        self._raise_for_status(response)
        raise DockerException(LIVE_STREAMS_UNSUPPORTED)


class SimDockerClient(docker.DockerClient):
    """``docker.DockerClient`` over a simulated engine.

    >>> from course.sim import Engine
    >>> client = Engine(seed=0).client()
    >>> client.ping()
    True
    """

    def __init__(self, engine, timeout: int = 60):  # noqa: D107 - no super(): it would open a socket
        self.api = SimAPIClient(engine, timeout=timeout)
