"""Colours every view shares: Okabe–Ito, a palette colour-blind readers can tell apart.

Colour is never the only signal: every view also writes the state or version as text.
"""

from __future__ import annotations

OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}

# One colour per image version (v1, v2, v3...): the thing a rollout changes.
VERSION_COLOURS = [OKABE_ITO[k] for k in ("sky", "orange", "purple", "green", "yellow", "blue")]

# Card borders and text by state; words are Spanish, what a student reads.
STATE_STYLE = {
    "running": (OKABE_ITO["green"], "en marcha"),
    "healthy": (OKABE_ITO["green"], "sano"),
    "starting": (OKABE_ITO["yellow"], "arrancando"),
    "created": (OKABE_ITO["grey"], "creado"),
    "restarting": (OKABE_ITO["yellow"], "reiniciando"),
    "unhealthy": (OKABE_ITO["vermillion"], "no sano"),
    "exited": (OKABE_ITO["vermillion"], "parado"),
    "dead": (OKABE_ITO["black"], "muerto"),
    "failed": (OKABE_ITO["vermillion"], "fallido"),
    "shutdown": (OKABE_ITO["grey"], "apagado"),
    "down": (OKABE_ITO["vermillion"], "caído"),
    "ready": (OKABE_ITO["green"], "listo"),
}


def version_colour(version: int | None) -> str:
    """The colour of an image version (``None``: unknown image, grey).

    >>> version_colour(1) == OKABE_ITO["sky"], version_colour(None)
    (True, '#999999')
    """
    if version is None or version < 1:
        return OKABE_ITO["grey"]
    return VERSION_COLOURS[(version - 1) % len(VERSION_COLOURS)]


def state_style(state: str) -> tuple[str, str]:
    """``(colour, Spanish word)`` for a container or task state."""
    return STATE_STYLE.get(state, (OKABE_ITO["grey"], state))
