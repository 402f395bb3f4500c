"""One mini course per session: copied from tests/fixtures/courses/mini, synced and released once.

Tests that change a course work on their own copy (``course_copy``); the session one is read-only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course import grading

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "fixtures" / "courses" / "mini"
ASSIGNMENT = "a1"


def make_course(dest: Path) -> grading.Course:
    """A fresh copy of the mini course at ``dest`` with the repository's nbgrader_config.py."""
    shutil.copytree(MINI, dest)
    shutil.copy(REPO / "nbgrader_config.py", dest / "nbgrader_config.py")
    return grading.Course(dest, fixtures=dest / "submissions")


@pytest.fixture(scope="session")
def released_course(tmp_path_factory) -> grading.Course:
    """The mini course, synced and released (gradebook included). Do not modify it."""
    course = make_course(tmp_path_factory.mktemp("mini") / "course")
    report = grading.release(course, ASSIGNMENT)
    assert report.ok, report
    return course


@pytest.fixture
def course_copy(released_course, tmp_path) -> grading.Course:
    """A private copy of the released mini course, free to modify."""
    dest = tmp_path / "course"
    shutil.copytree(released_course.root, dest)
    return grading.Course(dest, fixtures=dest / "submissions")
