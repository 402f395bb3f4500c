"""`course validate`: solution full marks, stubs zero, fixtures as expected, in a temporary root."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from click.testing import CliRunner

from course.cli import main

from .conftest import ASSIGNMENT, MINI

pytestmark = pytest.mark.slow


def test_validate_runs_papermill_and_grades_solution_stub_and_fixtures(released_course, tmp_path):
    """Does validate print a table per notebook and fail, naming the cell, on one wrong fixture?

    The two fixtures of the mini course pass; a copy of one with a wrong expectation does not.
    """
    fixtures = tmp_path / "fixtures" / ASSIGNMENT
    shutil.copytree(MINI / "submissions" / ASSIGNMENT, fixtures)
    text = (fixtures / "suma-resta.yml").read_text().replace("test_suma: 0", "test_suma: 2")
    (fixtures / "zz-mal.yml").write_text(text)
    before = sorted(p.name for p in released_course.root.iterdir())
    args = ["--root", str(released_course.root), "--fixtures", str(fixtures.parent)]
    result = CliRunner().invoke(main, [*args, "validate", ASSIGNMENT])
    assert result.exit_code == 1, result.output
    assert "papermill 01-sumas [sim]:" in result.output
    assert "01-sumas [sim]" in result.output and "03-contenedores [sim]" in result.output
    header = next(line for line in result.output.splitlines() if line.strip().startswith("cell"))
    assert header.split()[2:] == ["solution", "stub", "media-sin-vacia", "suma-resta", "zz-mal"]
    row = next(line for line in result.output.splitlines() if line.strip().startswith("test_suma"))
    assert row.split()[2:] == ["2", "✓", "0", "✓", "2", "✓", "0", "✓", "0", "✗", "want", "2"]
    assert "1 mismatches, 0 failed runs: FAILED" in result.output
    # and why: the error the autograded cell printed, so a mismatch in CI can be diagnosed
    why = next(line for line in result.output.splitlines() if line.strip().startswith("✗"))
    assert why.split(":")[0].split() == ["✗", "test_suma", "/", "zz-mal"], why
    assert "AssertionError" in why, why
    assert sorted(p.name for p in released_course.root.iterdir()) == before  # nothing written


def test_a_lesson_that_raises_is_a_failed_run(released_course, tmp_path):
    """Does a notebook that raises under papermill give a failed run that names the error?"""
    from course.grading.validate import run_notebooks

    path = tmp_path / "roto.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('raise RuntimeError("rota")')])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    nbformat.write(nb, path)
    (run,) = run_notebooks([path], "sim", tmp_path / "out")
    assert run.error.startswith("RuntimeError: rota")


def test_an_assignment_without_notebooks_has_nothing_to_prove(tmp_path):
    """Does validate of an assignment with no notebook yet say so and succeed?"""
    from .conftest import make_course

    course = make_course(tmp_path / "c")
    (course.root / "lessons" / "a2").mkdir()
    result = CliRunner().invoke(main, ["--root", str(course.root), "validate", "a2"])
    assert result.exit_code == 0 and "no notebooks yet" in result.output


def test_a_throwaway_root_never_uses_the_courses_gradebook(tmp_path):
    """Does validate's copy of the config use its own SQLite, whatever the course uses?"""
    from traitlets.config.loader import PyFileConfigLoader

    from course.grading.validate import isolate_config

    config = tmp_path / "nbgrader_config.py"
    config.write_text('c = get_config()\nc.CourseDirectory.db_url = "postgresql://x@shared/gb"\n')
    root = tmp_path / "throwaway"
    root.mkdir()
    isolate_config(config, root)
    loaded = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    assert loaded.CourseDirectory.db_url == f"sqlite:///{root / 'gradebook.db'}"


def test_validate_one_notebook_grades_only_it_and_its_fixtures(released_course):
    """Does `--notebook 03` validate 03 alone (no 01 table, no 01 fixture), and does a name that
    is no notebook stop with the list of names?"""
    args = ["--root", str(released_course.root), "validate", ASSIGNMENT, "--no-papermill"]
    result = CliRunner().invoke(main, [*args, "--notebook", "03"])
    assert result.exit_code == 0, result.output
    assert "03-contenedores [sim]" in result.output and "01-sumas [sim]" not in result.output
    assert "suma-resta" not in result.output  # a fixture of 01
    wrong = CliRunner().invoke(main, [*args, "--notebook", "99-nada"])
    assert wrong.exit_code != 0
    assert "no notebook named 99-nada" in wrong.output and "01-sumas" in wrong.output
