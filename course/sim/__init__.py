"""The embedded cluster engine: a pure model on a virtual clock, spoken to through docker-py.

>>> from course.sim import Engine
>>> Engine(seed=0).client().ping()
True
"""

from .clock import Clock, EmptySchedule
from .engine import Engine

__all__ = ["Clock", "EmptySchedule", "Engine"]
