"""Small helpers the Swarm routes share: label filters and request checks."""

from __future__ import annotations


def label_match(labels: dict, wanted: list[str]) -> bool:
    """Every ``key`` or ``key=value`` in ``wanted`` holds for ``labels``.

    >>> label_match({"app": "web", "tier": "front"}, ["app=web", "tier"])
    True
    >>> label_match({"app": "web"}, ["app=db"])
    False
    """
    for item in wanted:
        key, sep, value = item.partition("=")
        if key not in labels or (sep and labels[key] != value):
            return False
    return True
