"""A loopback TCP port that forwards every connection to a Unix socket, byte for byte (HTTP and
WebSocket alike). The browser reaches a JupyterLab that runs in a network namespace of its own
through it: the server listens on a Unix socket (the filesystem is shared, the network is not)."""

from __future__ import annotations

import socket
import threading


def pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy ``source`` to ``sink`` until EOF, then half-close ``sink``."""
    try:
        while data := source.recv(65536):
            sink.sendall(data)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


class TcpToUnix:
    """``127.0.0.1:<port>`` forwarded to the Unix socket ``path`` (which may appear later: a
    connection before it exists is closed, as a server not yet up would)."""

    def __init__(self, path: str):
        self.path = path
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            try:
                upstream.connect(self.path)
            except OSError:
                conn.close()
                upstream.close()
                continue
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=pipe, args=(a, b), daemon=True).start()

    def close(self) -> None:
        self.server.close()
