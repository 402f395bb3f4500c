"""The simulated engine: the cluster's state, its clock, its event log and the API that reads them.

Every API call costs ``API_STEP`` virtual seconds, so a polling loop written the docker way
(list, sleep, repeat) always makes progress; ``advance`` lets time pass for ``lab.sleep``.
The same seed and the same calls give the same history: randomness comes only from ``self.rng``.
"""

from __future__ import annotations

import random
from typing import Any

from . import api_system
from .clock import Clock
from .transport import Router

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
        self.rng = random.Random(seed)
        self.events: list[dict[str, Any]] = []
        self.router = Router()
        for module in (api_system,):
            self.router.include(module.router)

    # -- time -------------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time pass, firing whatever falls due."""
        self.clock.advance(seconds)

    # -- the API ----------------------------------------------------------------------------
    def handle(self, method: str, path: str, params: dict[str, str], body: bytes):
        self.clock.advance(API_STEP)
        return self.router.dispatch(self, method, path, params, body)

    def client(self, timeout: int = 60):
        """A ``docker.DockerClient`` whose requests this engine answers."""
        from .client import SimDockerClient

        return SimDockerClient(self, timeout=timeout)

    # -- the event log ----------------------------------------------------------------------
    def emit(self, kind: str, action: str, actor_id: str, **attributes: Any) -> None:
        """Append to the event log (the shape of the engine's ``/events``: Type, Action, Actor)."""
        self.events.append({
            "time": round(self.clock.now, 6), "Type": kind, "Action": action,
            "Actor": {"ID": actor_id, "Attributes": attributes},
        })
