"""A real nginx for the load-balancing lesson: check a student's config, run it, count who answered.

Why: the seed's Ejercicio 3 puts nginx in front of three replicas. No nginx image can be pulled
here, but Debian's ``nginx-light`` gives the real binary, so the kit checks the configuration the
student *rendered* with ``nginx -t`` and runs it in front of real containers: :func:`next_to`
runs it in a container on the replicas' network, reached through the engine (what lessons use:
no host route needed); :class:`NginxServer` runs it on this machine's loopback, which reaches
the replicas only where the host routes to bridge networks (rootful Linux). This module renders no
``upstream`` block itself: that is the student's exercise. It only wraps the student's ``http``
text in a main configuration whose every path lives in a throwaway prefix, so nothing on the
machine is read or written outside it.

Where the real thing cannot run (no nginx binary, or replicas that live in the simulator and
have no address this machine can reach) the functions say so in one line and do nothing: they
never pretend.

>>> text = main_config("server { listen 127.0.0.1:8080; }", "/tmp/x")
>>> "events" in text and "http {" in text
True
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

CONNECT_TIMEOUT = "1s"  # how long the lab's nginx waits to connect to a replica
FAILED = "fallidas"  # the key failed requests are counted under (as in course.views.traffic)
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


def find_nginx() -> str | None:
    """The path of an nginx binary on this machine, or ``None``."""
    found = shutil.which("nginx")
    if found:
        return found
    for candidate in NGINX_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return None


def main_config(http_text: str, prefix: str | Path) -> str:
    """A complete ``nginx.conf`` around ``http_text`` (what goes inside ``http { }``).

    Every file nginx writes (pid, logs, temporary bodies) lives under ``prefix``; one worker, so
    round-robin is exact and counts are reproducible.
    """
    prefix = Path(prefix)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {prefix / (kind + '_temp')};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        "worker_processes 1;\n"
        "daemon off;\n"
        f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        "    access_log off;\n"
        # a stopped replica's address does not answer ARP: without this, each try waits ~3 s
        f"    proxy_connect_timeout {CONNECT_TIMEOUT};\n"
        f"{temp_paths}\n"
        f"{_indent(http_text)}\n"
        "}\n"
    )


@dataclass(frozen=True)
class ConfigCheck:
    """What ``nginx -t`` said: ``ok``, its output, or why it did not run (``skipped``)."""

    ok: bool
    output: str = ""
    skipped: str | None = None

    def __str__(self) -> str:
        if self.skipped:
            return f"nginx -t no se ejecutó: {self.skipped}"
        verdict = "acepta" if self.ok else "rechaza"
        return f"nginx -t {verdict} la configuración.\n{self.output.strip()}"


def check_config(http_text: str, nginx: str | None = None, timeout: float = 10,
                 lab=None) -> ConfigCheck:
    """Run ``nginx -t`` on ``http_text`` wrapped by :func:`main_config`.

    Where the lesson is on a real engine (``lab`` on Docker, or without ``lab`` an engine that
    ``Lab(backend="auto")`` would choose) it runs in the kit's nginx container through the engine
    (:func:`course.nginx_container.check_config`): no nginx needed on the kernel's host. Else, or
    when that image cannot be built, the host's binary (``nginx``, or found on this machine) in a
    temporary prefix. When neither can run, ``skipped`` says why and what to do.

    >>> check_config("server { listen 127.0.0.1:1; }", nginx="/nonexistent").skipped is not None
    True
    """
    engine_said = None
    client = _engine_for(lab) if nginx is None else None
    if client is not None:
        from .images import ImageBuildError
        from .nginx_container import check_config as check_in_container

        try:
            return check_in_container(client, http_text)
        except ImageBuildError as error:
            engine_said = str(error)
    binary = nginx or find_nginx()
    if binary is None or not Path(binary).is_file():
        engine = (f"el motor Docker no pudo ejecutarlo ({engine_said})" if engine_said else
                  "no contesta ningún motor Docker")
        return ConfigCheck(False, skipped=(
            f"{engine} y no hay nginx en este equipo. Arranca Docker (Docker Desktop o el "
            "servicio docker) o instala nginx (Debian/Ubuntu: 'apt-get install nginx-light') "
            "y vuelve a ejecutar la celda"))
    with tempfile.TemporaryDirectory(prefix="course-nginx-") as tmp:
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(main_config(http_text, tmp), encoding="utf-8")
        result = subprocess.run(
            [binary, "-t", "-p", tmp, "-e", str(Path(tmp) / "error.log"), "-c", str(conf)],
            capture_output=True, text=True, timeout=timeout,
        )
    output = (result.stdout + result.stderr).replace(tmp, "<prefijo>")
    return ConfigCheck(result.returncode == 0, student_lines(output, http_text))


def _engine_for(lab):
    """The docker-py client ``nginx -t`` should run through: ``lab``'s when it is on a real
    engine; without ``lab``, the engine ``Lab(backend="auto")`` would pick (``None`` where it
    would pick the simulator: ``COURSE_BACKEND=sim``, autograding, or no engine answers)."""
    if lab is not None:
        return None if getattr(lab, "engine", None) is not None else lab.client
    from .lab import choose_backend, engine_client

    return engine_client(timeout=10) if choose_backend("auto") == "docker" else None


def student_lines(output: str, http_text: str) -> str:
    """Point nginx's ``nginx.conf:<line>`` at the line of the student's own text."""
    header = main_config("\x00", "/p").split("\x00")[0].count("\n")
    last = len(http_text.strip().splitlines())

    def relabel(match: re.Match) -> str:
        line = int(match[1]) - header
        return f"tu configuración, línea {line}" if 1 <= line <= last else match[0]

    return re.sub(r"<prefijo>/nginx\.conf:(\d+)", relabel, output)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cannot_run_reason(lab) -> str | None:
    """Why a real nginx cannot be put in front of ``lab``'s replicas (``None``: it can).

    On a real engine it builds the nginx image first (:mod:`course.nginx_container`), so a host
    without nginx and without a registry is told here, in one line, not halfway through a cell.
    """
    if getattr(lab, "engine", None) is not None:
        return ("las réplicas viven en el simulador: sus direcciones no existen en este equipo, "
                "así que un nginx real no puede alcanzarlas")
    from .images import ImageBuildError
    from .nginx_container import ensure_image

    try:
        ensure_image(lab.client)
    except ImageBuildError as error:
        return str(error)
    return None


def next_to(lab, http_text: str, port: int, network: str):
    """A real nginx with ``http_text`` in a container on ``network`` (the replicas'), reached
    through the engine: use it in a ``with`` like :class:`NginxServer`."""
    from .nginx_container import NginxContainer

    return NginxContainer(lab, http_text, port, network)


class NginxServer:
    """A real nginx running ``http_text`` until :meth:`stop` (or the end of a ``with``).

    ``port`` is where the config listens (the student's ``listen``): :meth:`start` waits, with a
    bound, until it accepts connections.
    """

    def __init__(self, http_text: str, port: int, nginx: str | None = None):
        self.http_text = http_text
        self.port = port
        self.nginx = nginx or find_nginx()
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._process: subprocess.Popen | None = None

    def start(self, wait_s: float = 10) -> NginxServer:
        if self.nginx is None:
            raise RuntimeError("No hay nginx en este equipo (Debian: nginx-light).")
        self._tmp = tempfile.TemporaryDirectory(prefix="course-nginx-")
        prefix = Path(self._tmp.name)
        conf = prefix / "nginx.conf"
        conf.write_text(main_config(self.http_text, prefix), encoding="utf-8")
        self._process = subprocess.Popen(
            [self.nginx, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                error = self._process.stderr.read() if self._process.stderr else ""
                self.stop()
                raise RuntimeError(f"nginx terminó al arrancar: {error.strip()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx no aceptó conexiones en 127.0.0.1:{self.port} en {wait_s} s.")

    def get(self, path: str = "/", timeout: float = 3) -> tuple[int | None, str]:
        """One request through nginx: ``(status, body)``; ``(None, reason)`` when it failed."""
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except (urllib.error.URLError, OSError) as error:
            return None, str(getattr(error, "reason", error))

    def count(self, requests: int, path: str = "/") -> Counter:
        """Send ``requests`` requests; count the bodies (``web v1 <host>``...), and failed
        requests under ``"fallidas"``."""
        answers: Counter = Counter()
        for _ in range(requests):
            status, body = self.get(path)
            answers[body.strip() if status == 200 else FAILED] += 1
        return answers

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        if self._process is not None and self._process.stderr:
            self._process.stderr.close()
        self._process = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> NginxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _indent(text: str, spaces: int = 4) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else line for line in text.strip().splitlines())
