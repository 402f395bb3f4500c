"""The instructor pipeline over nbgrader: sync, release, validate, grade, feedback, export.

Plain functions with reports; :mod:`course.cli` is only a click layer over them.
"""

from .errors import GradingError
from .export import export
from .feedback import feedback
from .grade import grade
from .layout import Course
from .release import check_release, release
from .sync import sync
from .validate import validate

__all__ = [
    "Course",
    "GradingError",
    "check_release",
    "export",
    "feedback",
    "grade",
    "release",
    "sync",
    "validate",
]
