"""Small helpers the Swarm routes share: label filters and request checks."""

from __future__ import annotations

from ..errors import EngineFailure, Invalid
from ..labels import labels_match as label_match  # noqa: F401 - the Swarm routes' name

KNOWN_FILTERS = {
    "services": {"id", "label", "mode", "name"},
    "tasks": {"desired-state", "id", "label", "name", "node", "service"},
    "secrets": {"id", "label", "name", "names"},
    "nodes": {"id", "label", "membership", "name", "node.label", "role"},
}


def check_filters(kind: str, filters: dict) -> None:
    """Refuse filters the engine refuses, with its messages (400, or 500 for bad values).

    >>> check_filters("tasks", {"desired-state": ["up"]})
    Traceback (most recent call last):
    ...
    course.sim.errors.EngineFailure: Invalid desired-state filter: 'up'
    """
    from .tasks import STATE_ORDER

    for key in filters:
        if key not in KNOWN_FILTERS[kind]:
            raise Invalid(f"Invalid filter '{key}'")
    for value in filters.get("desired-state", []) if kind == "tasks" else []:
        if value not in STATE_ORDER:  # any task state name is a valid filter value
            raise EngineFailure(f"Invalid desired-state filter: '{value}'")
    for value in filters.get("role", []) if kind == "nodes" else []:
        if value not in ("manager", "worker"):
            raise EngineFailure(f"Invalid role filter: '{value}'")
