"""Swarm object ids and the store's version counter.

Why: Swarm ids are 25 lower-case base-36 characters (``s7uuhft6cx3nqkqqz35yufeu2``), unlike the
engine's 64 hex digits, and every write to the Raft store bumps one shared index that objects
report as ``Version.Index`` (docker-py sends it back on ``update``). Both must be reproducible, so
ids come from the engine's seeded RNG.
"""

from __future__ import annotations

import random

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_TABLE = bytes(ord(_ALPHABET[b % 36]) for b in range(256))  # a random byte -> a base-36 digit


def swarm_id(rng: random.Random) -> str:
    """A 25-character Swarm id.

    >>> len(swarm_id(random.Random(0)))
    25
    """
    return rng.randbytes(25).translate(_TABLE).decode()


class VersionCounter:
    """The store's write counter: ``bump()`` returns the index of a new write.

    >>> c = VersionCounter(); c.bump(), c.bump()
    (11, 12)
    """

    def __init__(self, start: int = 10):
        self.index = start

    def bump(self) -> int:
        self.index += 1
        return self.index
