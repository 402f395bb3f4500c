"""The one label matcher of the simulator: what the engine's ``label`` filters mean.

Used by every route that filters or prunes by label (containers, networks, volumes, Swarm
objects); the container list also keeps a label index (``filters.py``) to pick candidates fast.
"""

from __future__ import annotations


def labels_match(labels: dict, wanted) -> bool:
    """Every ``key`` or ``key=value`` in ``wanted`` holds for ``labels``.

    >>> labels_match({"app": "web", "tier": "front"}, ["app=web", "tier"])
    True
    >>> labels_match({"app": "web"}, ["app=db"])
    False
    """
    for item in wanted:
        key, sep, value = item.partition("=")
        if key not in labels or (sep and labels[key] != value):
            return False
    return True
