"""The simulated Swarm: nodes, services, tasks, secrets, the orchestrator and rolling updates.

``install(engine)`` gives an :class:`~course.sim.Engine` its ``engine.swarm`` (a
:class:`~.cluster.Swarm`); its Engine API routes are in ``course/sim/api``. Lessons reach the
simulator-only controls through ``engine.swarm`` (``add_node``, ``node_down``, ``node_up``,
``set_availability``, ``kill_task``) and the HTTP probe through
``engine.service_http_request``.
"""

from __future__ import annotations

from .cluster import Swarm
from .controls import SwarmError

__all__ = ["Swarm", "SwarmError", "install"]


def install(engine) -> Swarm:
    """Attach a Swarm to ``engine`` (idempotent); its routes are in ``course/sim/api``."""
    if getattr(engine, "swarm", None) is None:
        engine.swarm = Swarm(engine)
    return engine.swarm
