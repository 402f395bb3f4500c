"""`course grade`: parallel autograde into one gradebook, equal to a sequential nbgrader run."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from click.testing import CliRunner

from course import grading
from course.cli import main
from course.grading.gradebook import dump
from course.grading.nbconfig import db_url_of, make_api

from .conftest import ASSIGNMENT, hand_in

pytestmark = pytest.mark.slow


def test_grade_prints_a_summary_table(graded_course):
    """Does the summary name every student with score and max, and count the graded ones?"""
    _, result = graded_course
    lines = {line.split()[0]: line.split() for line in result.output.splitlines() if line}
    assert lines["ana"][1:3] == ["10", "10"]
    assert lines["bea"][1:3] == ["0", "10"]
    assert lines["carla"][1:4] == ["0", "10", "8"]  # late: nbgrader is told to zero late work
    assert "graded 3/3 submissions" in result.output


def test_parallel_grading_equals_a_sequential_nbgrader_run(class_course, graded_course, tmp_path):
    """Does `course grade --jobs 2` leave the gradebook exactly as plain sequential autograde?"""
    sequential = tmp_path / "course"
    shutil.copytree(class_course.root, sequential)
    api = make_api(sequential)
    for student in ("ana", "bea", "carla"):
        assert api.autograde(ASSIGNMENT, student, force=True, create=True)["success"]
    course, _ = graded_course
    expected = dump(db_url_of(sequential), ASSIGNMENT)
    assert dump(db_url_of(course.root), ASSIGNMENT) == expected
    penalties = [row for row in expected if row[0] == "notebook" and row[1] == "carla"]
    assert [row[3] for row in penalties] == [4.0, 1.0, 3.0]  # the late penalties were merged too


def test_regrading_keeps_manual_scores_and_flags_them(graded_course, tmp_path):
    """Does regrading keep a manual score and mark the cell for review, as nbgrader does?"""
    from nbgrader.api import Gradebook

    source, _ = graded_course
    root = tmp_path / "course"
    shutil.copytree(source.root, root)
    course = grading.Course(root)
    url = db_url_of(root)
    with Gradebook(url) as gb:
        gb.find_grade("test_suma", "01-sumas", ASSIGNMENT, "bea").manual_score = 1.5
        gb.db.commit()
    report = grading.grade(course, ASSIGNMENT, students=["bea"], jobs=1)
    assert report.ok
    with Gradebook(url) as gb:
        grade = gb.find_grade("test_suma", "01-sumas", ASSIGNMENT, "bea")
        assert (grade.auto_score, grade.manual_score, grade.needs_manual_grade) == (0, 1.5, True)


@pytest.mark.docker
def test_backend_docker_reaches_the_kernel_and_warns(released_course, tmp_path):
    """Does `--backend docker` reach the kernel as COURSE_BACKEND, with a note that says what
    the kernel gets of the engine?"""
    root = tmp_path / "course"
    shutil.copytree(released_course.root, root)
    course = grading.Course(root)
    release = course.step_dir("release", ASSIGNMENT) / "02-entorno.ipynb"
    source = course.step_dir("source", ASSIGNMENT) / "02-entorno.ipynb"
    from course.grading.fixtures import solution_submission

    hand_in(course, "dani", "02-entorno", solution_submission(source, release))
    result = CliRunner().invoke(
        main, ["--root", str(root), "grade", ASSIGNMENT, "--backend", "docker"]
    )
    assert result.exit_code == 0, result.output
    assert "filtering proxy" in result.output
    graded = nbformat.read(root / "autograded" / "dani" / ASSIGNMENT / "02-entorno.ipynb", 4)
    printed = "".join(o.get("text", "") for c in graded.cells for o in c.get("outputs", []))
    assert "backend: docker" in printed


def test_no_submissions_is_not_an_error(released_course):
    """Does grading an assignment nobody handed in say so and succeed?"""
    result = CliRunner().invoke(main, ["--root", str(released_course.root), "grade", ASSIGNMENT])
    assert result.exit_code == 0 and "no submissions" in result.output


def test_unknown_backend_is_refused(released_course):
    """Is a backend other than sim or docker refused before anything runs?"""
    with pytest.raises(grading.GradingError):
        grading.grade(released_course, ASSIGNMENT, students=[], backend="kubernetes")


def test_a_sim_kernel_is_killed_and_a_docker_kernel_shut_down_gracefully(released_course, tmp_path):
    """On sim, is the kernel killed once its notebook has run (no exit handler runs), while on
    docker it still shuts down gracefully, so the lab's cleanup at exit can reach the engine?"""
    from course.grading.fixtures import solution_submission
    from course.grading.grade import autograde_config

    root = tmp_path / "course"
    shutil.copytree(released_course.root, root)
    assert (
        autograde_config(root, "sqlite://", None, "docker").Execute.get(
            "shutdown_kernel", "graceful"
        )
        == "graceful"
    )
    assert autograde_config(root, "sqlite://", None, "sim").Execute.shutdown_kernel == "immediate"
    course = grading.Course(root)
    release = course.step_dir("release", ASSIGNMENT) / "01-sumas.ipynb"
    nb = solution_submission(course.step_dir("source", ASSIGNMENT) / release.name, release)
    marker = tmp_path / "exit-handler-ran"
    nb.cells.append(
        nbformat.v4.new_code_cell(
            f"import atexit, pathlib\natexit.register(pathlib.Path({str(marker)!r}).touch)"
        )
    )
    hand_in(course, "eva", "01-sumas", nb)
    report = grading.grade(course, ASSIGNMENT, jobs=1, backend="sim")
    assert report.ok
    graded = nbformat.read(root / "autograded" / "eva" / ASSIGNMENT / "01-sumas.ipynb", 4)
    last = graded.cells[-1]
    assert last.execution_count and all(o.output_type != "error" for o in last.outputs)
    assert not marker.exists()


def test_largest_submissions_are_graded_first_and_merged_in_student_order(class_course, tmp_path):
    """With one worker, are the three-notebook submissions graded before a one-notebook one,
    and the report (the merge) still in student order?"""
    from course.grading.fixtures import solution_submission

    root = tmp_path / "course"
    shutil.copytree(class_course.root, root)
    course = grading.Course(root)
    release = course.step_dir("release", ASSIGNMENT) / "01-sumas.ipynb"
    source = course.step_dir("source", ASSIGNMENT) / release.name
    hand_in(course, "abel", "01-sumas", solution_submission(source, release))
    finished = []
    report = grading.grade(
        course, ASSIGNMENT, jobs=1, on_result=lambda r: finished.append(r.student)
    )
    assert report.ok
    assert finished == ["ana", "bea", "carla", "abel"]
    assert [r.student for r in report.results] == ["abel", "ana", "bea", "carla"]
