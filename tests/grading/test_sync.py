"""Lessons as text → canonical source notebooks."""

from __future__ import annotations

import json

from click.testing import CliRunner

from course import grading
from course.cli import main

from .conftest import ASSIGNMENT, make_course


def test_sync_writes_canonical_notebooks(tmp_path):
    """Does sync write one clean notebook per lesson: no outputs, python3 kernel, nbgrader kept?"""
    course = make_course(tmp_path / "c")
    report = grading.sync(course)
    assert [p.name for p in report.written] == [
        "01-sumas.ipynb",
        "02-entorno.ipynb",
        "03-contenedores.ipynb",
    ]
    nb = json.loads(report.written[0].read_text())
    assert nb["metadata"] == {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    }
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert code[0]["metadata"] == {"tags": ["parameters"]}
    graded = {c["id"]: c["metadata"]["nbgrader"] for c in code if "nbgrader" in c["metadata"]}
    assert graded["test_suma"]["points"] == 2


def test_sync_is_byte_identical_when_repeated(tmp_path):
    """Does a second sync leave every byte as it was (stable cell ids, no volatile metadata)?"""
    course = make_course(tmp_path / "c")
    first = {p: p.read_bytes() for p in grading.sync(course).written}
    again = grading.sync(course)
    assert again.written == [] and sorted(again.unchanged) == sorted(first)
    assert {p: p.read_bytes() for p in first} == first


def test_sync_check_reports_a_stale_notebook(tmp_path):
    """Does `course sync --check` fail after a lesson changes, and pass after `course sync`?"""
    course = make_course(tmp_path / "c")
    runner = CliRunner()
    args = ["--root", str(course.root), "sync", ASSIGNMENT]
    assert runner.invoke(main, args).exit_code == 0
    lesson = course.lessons(ASSIGNMENT)[0]
    lesson.write_text(lesson.read_text() + "\n# %%\nprint('nueva celda')\n")
    result = runner.invoke(main, [*args, "--check"])
    assert result.exit_code == 1 and "stale: source/a1/01-sumas.ipynb" in result.output
    assert runner.invoke(main, args).exit_code == 0
    assert runner.invoke(main, [*args, "--check"]).exit_code == 0


def test_cell_ids_survive_an_inserted_cell(tmp_path):
    """Does inserting a cell keep the ids of the other cells (ids from grade_id or content)?"""
    course = make_course(tmp_path / "c")
    before = json.loads(grading.sync(course).written[0].read_text())
    lesson = course.lessons(ASSIGNMENT)[0]
    lesson.write_text(
        lesson.read_text().replace(
            "# %% [markdown]\n# Escribe `suma", "# %%\nx = 1\n\n# %% [markdown]\n# Escribe `suma", 1
        )
    )
    grading.sync(course)
    after = json.loads(course.notebooks("source", ASSIGNMENT)[0].read_text())
    assert {c["id"] for c in before["cells"]} < {c["id"] for c in after["cells"]}
