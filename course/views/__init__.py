"""ipywidgets views of a lab: they read the lab and hold no state of their own.

Layer 3 of the kit: views import ``course.lab`` and ``course.sim`` never the other way round.
Building a view changes nothing in the cluster, so notebooks stay harmless under papermill and
nbgrader; graded checks test the lab's state, never widget events.
"""

from .timeline import RolloutTimeline  # noqa: E402
from .traffic import TrafficChart  # noqa: E402

__all__ = ["RolloutTimeline", "TrafficChart"]
