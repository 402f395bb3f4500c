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


def hand_in(course: grading.Course, student: str, notebook: str, nb) -> None:
    """Put ``nb`` in ``submitted/<student>/a1/<notebook>.ipynb``."""
    import nbformat

    folder = course.root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{notebook}.ipynb")


def class_of_three(course: grading.Course) -> None:
    """ana solves everything, bea hands in the stubs, carla's suma() subtracts (and is late)."""
    import nbformat

    from course.grading.fixtures import build_submission, load_fixture, solution_submission

    source, release = course.step_dir("source", ASSIGNMENT), course.step_dir("release", ASSIGNMENT)
    wrong = load_fixture(course.fixtures / ASSIGNMENT / "suma-resta.yml")
    for path in course.notebooks("source", ASSIGNMENT):
        hand_in(course, "ana", path.stem, solution_submission(path, release / path.name))
        hand_in(course, "bea", path.stem, nbformat.read(release / path.name, as_version=4))
        carla = (
            build_submission(wrong, path, release / path.name)
            if path.stem == wrong.notebook
            else solution_submission(source / path.name, release / path.name)
        )
        hand_in(course, "carla", path.stem, carla)
    (course.root / "submitted" / "carla" / ASSIGNMENT / "timestamp.txt").write_text(
        "2030-01-02 10:00:00 UTC"
    )


def with_deadline(course: grading.Course) -> None:
    """A due date in the gradebook, and nbgrader zeroing late work, so penalties get exercised."""
    from nbgrader.api import Gradebook

    from course.grading.nbconfig import db_url_of

    with Gradebook(db_url_of(course.root), "modulo7") as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate="2030-01-01 00:00:00 UTC")
    with (course.root / "nbgrader_config.py").open("a") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')


@pytest.fixture(scope="session")
def class_course(released_course, tmp_path_factory) -> grading.Course:
    """The released mini course with ana, bea and carla's submissions, not graded yet."""
    dest = tmp_path_factory.mktemp("class") / "course"
    shutil.copytree(released_course.root, dest)
    course = grading.Course(dest, fixtures=dest / "submissions")
    with_deadline(course)
    class_of_three(course)
    return course


@pytest.fixture(scope="session")
def graded_course(class_course, tmp_path_factory):
    """``course grade a1 --jobs 2`` run once on a copy of ``class_course``: (course, CLI result)."""
    from click.testing import CliRunner

    from course.cli import main

    dest = tmp_path_factory.mktemp("graded") / "course"
    shutil.copytree(class_course.root, dest)
    course = grading.Course(dest, fixtures=dest / "submissions")
    result = CliRunner().invoke(main, ["--root", str(dest), "grade", ASSIGNMENT, "--jobs", "2"])
    assert result.exit_code == 0, result.output
    return course, result
