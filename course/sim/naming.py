"""Identifiers, names and timestamps the way the engine writes them, drawn from the seeded RNG.

Why: the engine's ids are random and its timestamps come from the wall clock; the simulator must
look the same to docker-py (64 hex digits, ``short_id`` of 12, RFC 3339 with nanoseconds) while
staying reproducible. Ids come from ``engine.rng`` and times from the virtual clock, counted from a
fixed epoch, so the same seed and the same calls give the same ids and the same timestamps.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)  # virtual time 0.0
ZERO_TIME = "0001-01-01T00:00:00Z"  # what the engine reports for "never"

_ADJECTIVES = (
    "admiring", "brave", "clever", "dazzling", "eager", "festive", "gallant", "happy", "jolly",
    "keen", "lucid", "modest", "nifty", "optimistic", "peaceful", "quirky", "relaxed", "serene",
    "tender", "upbeat", "vibrant", "wizardly", "youthful", "zealous",
)
_SURNAMES = (
    "allen", "babbage", "curie", "darwin", "euclid", "fermi", "goldberg", "hopper", "johnson",
    "knuth", "lovelace", "meitner", "noether", "pasteur", "ritchie", "shannon", "thompson",
    "turing", "wozniak", "yalow",
)


def new_id(rng: random.Random) -> str:
    """A 64-hex-digit id, as the engine gives containers, networks and execs.

    >>> len(new_id(random.Random(0)))
    64
    """
    return f"{rng.getrandbits(256):064x}"


def random_name(rng: random.Random) -> str:
    """A container name such as the engine picks when none is given (``adjective_surname``).

    >>> random_name(random.Random(0)).count("_")
    1
    """
    return f"{rng.choice(_ADJECTIVES)}_{rng.choice(_SURNAMES)}"


def rfc3339(seconds: float | None, nanos: bool = True) -> str:
    """Virtual seconds as the engine's timestamp (Go's RFC3339Nano: trailing zeros dropped).

    >>> rfc3339(0.0)
    '2024-01-01T00:00:00Z'
    >>> rfc3339(1.25)
    '2024-01-01T00:00:01.25Z'
    >>> rfc3339(None)
    '0001-01-01T00:00:00Z'
    """
    if seconds is None:
        return ZERO_TIME
    whole = int(seconds)
    stamp = (EPOCH + timedelta(seconds=whole)).strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{round((seconds - whole) * 1e9):09d}".rstrip("0") if nanos else ""
    return f"{stamp}.{frac}Z" if frac else f"{stamp}Z"


def unix_time(seconds: float) -> int:
    """Virtual seconds as a Unix timestamp (``Created`` in list answers)."""
    return int(EPOCH.timestamp() + seconds)
