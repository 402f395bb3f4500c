"""The instructor CLI under faults, and tampering reported where the instructor reads it.

Judged from outside: exit codes, the files on disk, the gradebook's scores.
"""

from __future__ import annotations

import csv

import nbformat
import pytest
from click.testing import CliRunner

from course.cli import main
from course.grading.fixtures import build_submission, load_fixture, solution_submission
from course.grading.gradebook import scores
from course.grading.lock import one_grader
from course.grading.nbconfig import db_url_of

from .conftest import ASSIGNMENT, MINI, hand_in


def _cli(course, *args):
    return CliRunner().invoke(main, ["--root", str(course.root), *args])


def test_a_second_grader_on_the_same_course_is_refused(course_copy):
    """While one `course grade` holds the course, does a second stop at once, clearly, exit 1?"""
    hand_in_solutions(course_copy, "ana")
    with one_grader(course_copy):
        result = _cli(course_copy, "grade", ASSIGNMENT)
    assert result.exit_code == 1
    assert "another `course grade` is grading this course" in result.output
    assert not (course_copy.root / "autograded" / "ana").exists()


def test_an_unknown_assignment_to_grade_is_an_error(course_copy):
    """Does `course grade nope` exit non-zero, even with no submissions at all?"""
    result = _cli(course_copy, "grade", "nope")
    assert result.exit_code == 1
    assert "unknown assignment 'nope'" in result.output


def test_export_into_an_unwritable_place_writes_nothing(course_copy, tmp_path):
    """Export under a regular file: a one-line error, no traceback, exit 1."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = _cli(course_copy, "export", "--to", str(blocker / "export"))
    assert result.exit_code == 1
    assert "cannot write the export" in result.output
    assert "Traceback" not in result.output


def test_export_writes_both_files_or_neither(course_copy, tmp_path):
    """With cells.csv unwritable (a folder stands there), is grades.csv left as it was?"""
    dest = tmp_path / "export"
    dest.mkdir()
    (dest / "grades.csv").write_text("old\n")
    (dest / "cells.csv").mkdir()
    result = _cli(course_copy, "export", "--to", str(dest))
    assert result.exit_code == 1
    assert (dest / "grades.csv").read_text() == "old\n"
    assert sorted(p.name for p in dest.iterdir()) == ["cells.csv", "grades.csv"]


def hand_in_solutions(course, student):
    release = course.step_dir("release", ASSIGNMENT)
    for path in course.notebooks("source", ASSIGNMENT):
        hand_in(course, student, path.stem, solution_submission(path, release / path.name))


@pytest.mark.slow
def test_tampering_is_flagged_in_the_grade_table_and_the_export(course_copy, tmp_path):
    """An input transformer: zero in the gradebook, FLAGGED in the table, evidence exported."""
    fixture = load_fixture(MINI / "hostile" / ASSIGNMENT / "transformador-de-entrada.yml")
    source = course_copy.step_dir("source", ASSIGNMENT) / f"{fixture.notebook}.ipynb"
    release = course_copy.step_dir("release", ASSIGNMENT) / f"{fixture.notebook}.ipynb"
    hand_in(course_copy, "eva", fixture.notebook, build_submission(fixture, source, release))
    hand_in_solutions(course_copy, "ana")
    result = _cli(course_copy, "grade", ASSIGNMENT, "--timeout", "10")
    assert result.exit_code == 0, result.output
    eva_line = next(line for line in result.output.splitlines() if line.startswith("eva "))
    assert "FLAGGED for review" in eva_line
    assert "input_transformers: _sin_asserts" in result.output
    ana_line = next(line for line in result.output.splitlines() if line.startswith("ana "))
    assert "FLAGGED" not in ana_line
    eva = scores(db_url_of(course_copy.root), ASSIGNMENT, "eva")[fixture.notebook]
    assert all(got == 0 for got, _ in eva.values()), eva
    dest = tmp_path / "export"
    assert _cli(course_copy, "export", "--to", str(dest)).exit_code == 0
    rows = list(csv.DictReader((dest / "cells.csv").open()))
    eva_rows = [r for r in rows if (r["student_id"], r["notebook"]) == ("eva", fixture.notebook)]
    assert eva_rows and all("input_transformers" in r["tamper_evidence"] for r in eva_rows)
    assert {r["tamper_evidence"] for r in rows if r["student_id"] == "ana"} == {""}
    assert nbformat.read(release, as_version=4).cells  # the release is untouched
