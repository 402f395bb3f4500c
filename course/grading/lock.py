"""One ``course grade`` per course at a time.

Two graders on one gradebook race on its rows (``IntegrityError``, a student missing). The lock is
an ``flock`` on ``<root>/.course-grade.lock``, taken without waiting, so a second grader stops at
once with a message; the kernel sees no course root, so student code cannot hold it.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager

from .errors import GradingError
from .layout import Course


@contextmanager
def one_grader(course: Course):
    """Hold the course's grading lock, or stop: two graders on one gradebook lose students."""
    path = course.root / ".course-grade.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            who = handle.read().strip() or "another process"
            raise GradingError(
                f"another `course grade` is grading this course ({who}); wait until it ends. "
                f"Lock: {path}"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
