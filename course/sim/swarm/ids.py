"""Swarm object ids and the store's version counter.

Why: Swarm ids are 25 lower-case base-36 characters (``s7uuhft6cx3nqkqqz35yufeu2``), unlike the
engine's 64 hex digits, and every write to the Raft store bumps one shared index that objects
report as ``Version.Index`` (docker-py sends it back on ``update``). Both must be reproducible, so
ids come from the engine's seeded RNG.
"""

from __future__ import annotations

import random

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def swarm_id(rng: random.Random) -> str:
    """A 25-character Swarm id.

    >>> len(swarm_id(random.Random(0)))
    25
    """
    n = rng.getrandbits(128)
    out = []
    for _ in range(25):
        n, digit = divmod(n, 36)
        out.append(_ALPHABET[digit])
    return "".join(out)


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
