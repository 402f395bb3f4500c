"""The model's own errors: what went wrong, in the engine's words, without an HTTP status.

Why: containers, networks, volumes, lifecycle and the Swarm decide *that* a call fails and say
why as the engine says it; only the HTTP layer (``course/sim/api/http.py``) knows which status
and body docker-py expects for each kind. ``lookup`` is the one find-or-404 of the simulator.
"""

from __future__ import annotations


class SimError(Exception):
    """A call the model refuses; ``message`` is the engine's own text (or the simulator's)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(SimError):
    """The request is malformed or contradicts itself (the engine's 400)."""


class NotFound(SimError):
    """What the call names does not exist (404)."""


class Conflict(SimError):
    """The object exists but its state forbids the call (409)."""


class EngineFailure(SimError):
    """The engine fails with an internal error of its own (500; e.g. Go's parse errors)."""


class Unavailable(SimError):
    """The node cannot serve the call now (503; e.g. not a Swarm manager)."""


class NotSupported(SimError):
    """Something the simulator does not model: it says so, it never pretends (501).

    >>> NotSupported("los montajes de tipo tmpfs").message.startswith("El simulador del curso")
    True
    """

    def __init__(self, feature: str, message: str | None = None):
        super().__init__(message or (
            f"El simulador del curso no implementa {feature}. "
            "Usa un motor Docker real (Lab(backend='docker')) para probarlo."))

    @classmethod
    def engine_says(cls, message: str) -> NotSupported:
        """A 501 the real engine gives too, with its own text (e.g. logs of driver ``none``)."""
        return cls("", message)


class TimedOut(SimError):
    """A call waited as long as its caller allows (the client sees a read timeout)."""


def lookup(store, ref: str, missing: str | None = None):
    """The one find-or-404: ``store.find(ref)`` (or ``store(ref)``, a find function), or
    ``NotFound`` in the words the engine uses for that kind (``store.missing``, or ``missing``,
    formatted with ``ref``).

    >>> class Store:
    ...     missing = "No such thing: {ref}"
    ...     def find(self, ref): return {"a": 1}.get(ref)
    >>> lookup(Store(), "a")
    1
    >>> lookup(Store(), "b")
    Traceback (most recent call last):
    course.sim.errors.NotFound: No such thing: b
    """
    found = store(ref) if callable(store) else store.find(ref)
    if found is None:
        shown = getattr(store, "shown", None)  # e.g. images: the normalised reference
        raise NotFound((missing or store.missing).format(ref=shown(ref) if shown else ref))
    return found
