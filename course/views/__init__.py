"""ipywidgets views of a lab: they read the lab and hold no state of their own.

Layer 3 of the kit: views import ``course.lab`` and ``course.sim`` never the other way round.
Building a view changes nothing in the cluster, so notebooks stay harmless under papermill and
nbgrader; graded checks test the lab's state, never widget events.
"""

from .controls import ActionButton, KillButton, NodeDownControl, ReplicasSlider  # noqa: E402
from .events import EventLog  # noqa: E402
from .grid import ClusterGrid  # noqa: E402
from .load import LoadChart, LoadSlider  # noqa: E402
from .timeline import RolloutTimeline  # noqa: E402
from .traffic import TrafficChart  # noqa: E402

__all__ = [
    "ActionButton", "ClusterGrid", "EventLog", "KillButton", "NodeDownControl", "ReplicasSlider",
    "LoadChart", "LoadSlider", "RolloutTimeline", "TrafficChart"]
