"""The simulated engine: the cluster's state, its clock, its event log and the API that reads them.

Every API call costs ``API_STEP`` virtual seconds, so a polling loop written the docker way
(list, sleep, repeat) always makes progress, and a real wait between two calls (``time.sleep``)
passes too (``RealWaits``); ``advance`` lets time pass for ``lab.sleep``.
The same seed and the same calls give the same history: randomness comes only from ``self.rng``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from . import api
from .clock import Clock, RealWaits
from .containers import ContainerStore
from .images import ImageStore
from .networks import NetworkStore
from .swarm import install as install_swarm
from .volumes import VolumeStore

API_STEP = 0.01  # virtual seconds one API call takes


class Engine:
    """One simulated Docker engine (and, later, its Swarm).

    >>> engine = Engine(seed=1)
    >>> engine.client().version()["ApiVersion"]
    '1.41'
    >>> engine.advance(2.5); engine.clock.now >= 2.5
    True
    """

    def __init__(self, seed: int = 0):
        self.seed = seed
        self.clock = Clock()
        self.real_waits = RealWaits()  # real time a caller slept between calls also passes
        self.rng = random.Random(seed)
        self.events: list[dict[str, Any]] = []
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        # state stores (one concept each: see their modules)
        self.images = ImageStore()
        self.containers = ContainerStore()
        self.networks = NetworkStore(self.rng)
        self.volumes = VolumeStore()
        self.execs: dict[str, Any] = {}
        self.ip_owner: dict[str, str] = {}  # address -> id of the running container holding it
        self.host_ports: dict[tuple[str, int], str] = {}  # (proto, host port) -> container id
        self.router = api.router()  # the HTTP layer (course/sim/api): routes onto this model
        install_swarm(self)  # engine.swarm (course/sim/swarm)

    # -- time -------------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time pass, firing whatever falls due."""
        self.clock.advance(seconds)

    # -- the API ----------------------------------------------------------------------------
    def handle(self, method: str, path: str, params: dict[str, str], body: bytes):
        self.clock.advance(API_STEP + self.real_waits.since_last())
        return self.router.dispatch(self, method, path, params, body)

    def client(self, timeout: int = 60):
        """A ``docker.DockerClient`` whose requests this engine answers."""
        from .api.client import SimDockerClient

        return SimDockerClient(self, timeout=timeout)

    # -- the network, seen from the host -----------------------------------------------------
    def http_request(self, address: str, port: int, path: str = "/") -> tuple[int, str]:
        """``(status, body)`` of an HTTP GET from the host to ``address:port`` (a container's
        address, or ``127.0.0.1`` and a published port).

        Raises ``ConnectionRefusedError`` (nobody listens there) or ``ConnectionError``
        subclasses ``HostUnreachable`` (no running container has that address).

        >>> engine = Engine(seed=0)
        >>> web = engine.client().containers.run("course/web:1", detach=True, name="web")
        >>> web.reload()
        >>> address = web.attrs["NetworkSettings"]["IPAddress"]
        >>> engine.http_request(address, 80, "/") == (200, f"web v1 {web.id[:12]}\\n")
        True
        """
        from .web import http_request

        return http_request(self, address, port, path)

    def service_http_request(self, service: str, port: int = 80,
                             path: str = "/") -> tuple[int, str, str]:
        """``(status, body, task container name)`` of one GET to a Swarm service, answered
        round-robin by its running and healthy tasks (as a dnsrr client sees them); raises
        ``ConnectionError`` when none answers. See ``course/sim/swarm/traffic.py``."""
        return self.swarm.http_request(service, port, path)

    # -- the event log ----------------------------------------------------------------------
    def emit(self, kind: str, action: str, actor_id: str, **attributes: Any) -> None:
        """Append to the event log (the shape of the engine's ``/events``: Type, Action, Actor)
        and tell every subscriber."""
        event = {
            "time": round(self.clock.now, 6), "Type": kind, "Action": action,
            "Actor": {"ID": actor_id, "Attributes": attributes},
        }
        self.events.append(event)
        for listener in list(self.listeners):
            listener(event)

    def subscribe(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """Call ``listener(event)`` for every future event (e.g. a container's ``die``)."""
        self.listeners.append(listener)
