"""The simulated Swarm: nodes, services, tasks, secrets, the orchestrator and rolling updates.

``install(engine)`` gives an :class:`~course.sim.Engine` its ``engine.swarm`` (a
:class:`~.cluster.Swarm`) and the Swarm routes of the Engine API. Lessons reach the
simulator-only controls through ``engine.swarm`` (``add_node``, ``node_down``, ``node_up``,
``set_availability``, ``kill_task``) and the HTTP probe through
``engine.service_http_request``.
"""

from __future__ import annotations

from .cluster import Swarm
from .controls import SwarmError

__all__ = ["Swarm", "SwarmError", "install"]


def install(engine) -> Swarm:
    """Attach a Swarm and its routes to ``engine`` (idempotent)."""
    from . import api_secrets, api_services, api_swarm

    if getattr(engine, "swarm", None) is None:
        engine.swarm = Swarm(engine)
        for module in (api_swarm, api_services, api_secrets):
            engine.router.include(module.router)
    return engine.swarm
