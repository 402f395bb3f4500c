"""The lab's two backends as objects: a real Docker engine and the embedded simulator.

Why objects: the kit does a handful of things differently on each side (how time passes, how an
HTTP request reaches a container or a service, where events come from, whether a node can be
taken down). Each backend answers those questions itself, so ``course.probe`` and the views ask
``lab.runtime`` instead of testing ``lab.engine is not None`` everywhere.

Both speak the same docker-py API to the student (``client``); only these hops differ.
"""

from __future__ import annotations

import time

import docker

from . import images
from .engine_http import HELPER_LABEL, EngineHTTP
from .engine_timeout import guard_client


class DockerBackend:
    """A real engine. HTTP goes through it (a helper container), never over the host's routes.

    ``client`` is bounded: a frozen engine raises :class:`course.engine_timeout.EngineNotAnswering`
    after ``client_timeout`` seconds (Spanish message) instead of hanging.
    """

    name = "docker"
    engine = None  # no simulated engine behind this one

    def __init__(self, client, namespace: str, kit_labels: dict[str, str],
                 client_timeout: float):
        self.client = guard_client(client, client_timeout)
        self.namespace = namespace
        self.http = EngineHTTP(self.client, f"{namespace}-kit-http",
                               {**kit_labels, HELPER_LABEL: namespace},
                               lambda: self.image("web", 1))
        self._service_turns: dict[str, int] = {}  # round-robin position per service

    # time
    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def now(self) -> float:
        return time.monotonic()

    def image(self, name: str, version: int) -> str:
        return images.ensure_image(self.client, name, version)

    # traffic
    def container_get(self, container, port: int, path: str, timeout: float) -> tuple[int, str]:
        return self.http.get(container, port, path, timeout)

    def service_get(self, service: str, port: int, path: str, timeout: float):
        """``(status, body, replica)`` from one running, healthy task of ``service`` in turn (as
        a ``dnsrr`` client sees it); asked from inside the task, since overlay networks of a
        service admit no plain container (``attachable`` is the student's choice, not ours)."""
        tasks = self._answering_tasks(service)
        if not tasks:
            raise ConnectionError(f"{service}: ninguna tarea en marcha y sana responde")
        turn = self._service_turns.get(service, 0)
        self._service_turns[service] = turn + 1
        task = tasks[turn % len(tasks)]
        seconds = str(max(1, round(timeout)))
        try:
            code, (out, err) = task.exec_run(
                ["timeout", seconds, "wget", "-qO-", f"http://127.0.0.1:{port}{path}"],
                demux=True)
        except docker.errors.APIError as error:  # the task stopped between listing and asking
            raise ConnectionError(error.explanation or str(error)) from error
        said = (err or b"").decode(errors="replace")
        if code == 0:
            return 200, (out or b"").decode(errors="replace"), task.name
        for word in said.split():
            if word.isdigit() and len(word) == 3:
                return int(word), (out or b"").decode(errors="replace"), task.name
        raise ConnectionError(said.strip() or f"wget salió con el código {code}")

    def _answering_tasks(self, service: str) -> list:
        try:
            running = self.client.containers.list(
                filters={"label": f"com.docker.swarm.service.name={service}",
                         "status": "running"})
        except docker.errors.DockerException:
            return []
        healthy = [c for c in running if c.health in ("healthy", "unknown")]
        return sorted(healthy, key=lambda c: c.name)

    # events and nodes
    def raw_events(self, namespace: str, since: float) -> list[dict]:
        flt = {"label": [f"course.lab={namespace}"]}
        return list(self.client.events(since=since, until=time.time() + 1, decode=True,
                                       filters=flt))

    def events_start(self, lookback: float) -> float:
        return max(0.0, time.time() - lookback)

    def node_switch(self):
        """A real engine cannot power a machine off: ``None``."""
        return None

    def cleanup(self) -> None:
        """Remove the kit's helper containers (the HTTP helper, lesson 04's nginx). A frozen
        engine raises ``EngineNotAnswering`` here, once, so the lab's cleanup does not wait the
        bound again for each kind of object."""
        self.http.forget()
        mine = {"label": [f"{HELPER_LABEL}={self.namespace}"]}
        for helper in self.client.containers.list(all=True, filters=mine):
            try:
                helper.remove(force=True)
            except docker.errors.APIError:
                pass


class SimBackend:
    """The embedded simulator: virtual time, the simulated engine answers for containers."""

    name = "sim"

    def __init__(self, seed: int):
        from .sim import Engine

        self.engine = Engine(seed=seed)
        self.client = self.engine.client()

    def sleep(self, seconds: float) -> None:
        self.engine.advance(seconds)

    def now(self) -> float:
        return self.engine.clock.now

    def image(self, name: str, version: int) -> str:
        return images.tag(name, version)

    def container_get(self, container, port: int, path: str, timeout: float) -> tuple[int, str]:
        networks = container.attrs.get("NetworkSettings", {}).get("Networks") or {}
        address = next((s["IPAddress"] for s in networks.values() if s.get("IPAddress")), None)
        if address is None:
            raise ConnectionError("el contenedor no tiene dirección en ninguna red")
        return self.engine.http_request(address, port, path)

    def service_get(self, service: str, port: int, path: str, timeout: float):
        return self.engine.service_http_request(service, port, path)

    def raw_events(self, namespace: str, since: float) -> list[dict]:
        """The simulated engine's own log (it serves no ``/events``); node events, which carry
        no labels, are kept too."""
        return [e for e in self.engine.events if float(e.get("time", 0)) >= since
                and (e.get("Type") == "node"
                     or ((e.get("Actor") or {}).get("Attributes") or {}).get("course.lab")
                     == namespace)]

    def events_start(self, lookback: float) -> float:
        return 0.0

    def node_switch(self):
        """The simulator's node down/up calls."""
        swarm = getattr(self.engine, "swarm", None)
        for down, up in (("node_down", "node_up"), ("set_node_down", "set_node_up")):
            if swarm is not None and hasattr(swarm, down) and hasattr(swarm, up):
                return getattr(swarm, down), getattr(swarm, up)
        return None

    def cleanup(self) -> None:
        pass
