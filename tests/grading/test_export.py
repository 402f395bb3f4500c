"""`course export`: nbgrader's grades CSV and a per-cell CSV."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from course.cli import main

from .conftest import ASSIGNMENT

pytestmark = pytest.mark.slow


def test_export_writes_grades_and_cells(graded_course, tmp_path):
    """Are grades.csv (one row per student) and cells.csv (one row per graded cell) right?"""
    course, _ = graded_course
    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["--root", str(course.root), "export", "--to", str(out)])
    assert result.exit_code == 0, result.output
    grades = {row["student_id"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert sorted(grades) == ["ana", "bea", "carla"]
    assert float(grades["ana"]["score"]) == float(grades["ana"]["max_score"]) == 10
    assert float(grades["carla"]["raw_score"]) == 8 and float(grades["carla"]["score"]) == 0
    cells = list(csv.DictReader((out / "cells.csv").open()))
    assert len(cells) == 3 * 6
    carla = {r["cell"]: r for r in cells if r["student_id"] == "carla"}
    assert float(carla["test_suma"]["auto_score"]) == 0 and carla["test_suma"]["kind"] == "test"
    assert {r["assignment"] for r in cells} == {ASSIGNMENT}
