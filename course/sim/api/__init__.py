"""The simulator's HTTP layer: the Engine API as docker-py speaks it, apart from the model.

``http`` has the request, the response, the router, ``ApiError`` and the adapter that maps the
model's errors (``course/sim/errors.py``) to the engine's statuses and JSON bodies; ``client``
mounts it in docker-py's own client; one route module per part of the API (the core engine's
containers, execs, images, networks, volumes and system, and the Swarm's swarm and nodes,
services and tasks, secrets). The model never imports this package (``lint-imports``).
"""

from __future__ import annotations

from . import containers, execs, images, networks, secrets, services, swarm, system, volumes
from .http import Router

ROUTE_MODULES = (system, containers, execs, networks, volumes, images, swarm, services, secrets)


def router() -> Router:
    """Every route of the simulated Engine API, in the order they are tried."""
    routes = Router()
    for module in ROUTE_MODULES:
        routes.include(module.router)
    return routes
