"""The whole nbgrader lifecycle, as a class lives it, with an exchange folder of its own.

Instructor: release_assignment → (students: fetch_assignment, submit) → collect → course grade →
generate_feedback → release_feedback → (students: fetch_feedback). The commands are the ones
docs/instructor.md gives; nbgrader's own apps run as subprocesses, as they would in a shell.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from course import grading
from course.cli import main

from .conftest import ASSIGNMENT

pytestmark = pytest.mark.slow
NBGRADER = str(Path(sys.executable).parent / "nbgrader")


def nbgrader(*args: str, cwd: Path, exchange: Path) -> str:
    """Run one nbgrader command (course id and exchange given on the command line, as a student
    with no course config would) and return its output; fail with it when the command fails.

    ``HOME`` is the working folder: each student is a user of their own, so nbgrader's submission
    cache (``~/.local/share/jupyter/nbgrader_cache``) is theirs, as on a JupyterHub.
    """
    env = dict(
        os.environ,
        HOME=str(cwd),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    )
    cmd = [NBGRADER, *args, "--CourseDirectory.course_id=modulo7", f"--Exchange.root={exchange}"]
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def solve(path: Path, source: Path) -> None:
    """What a diligent student does: write the instructor's solution into every answer cell."""
    from course.grading.fixtures import solution_submission

    nbformat.write(solution_submission(source, path), path)


def test_release_fetch_submit_collect_grade_feedback(released_course, tmp_path):
    """Do two students go from fetch to their feedback, graded right, with no hidden test shown?"""
    root = tmp_path / "course"
    shutil.copytree(released_course.root, root)
    exchange = tmp_path / "exchange"
    exchange.mkdir(mode=0o777)
    os.chmod(exchange, 0o777)
    homes = {name: tmp_path / "home" / name for name in ("ana", "bea")}
    course = grading.Course(root)

    nbgrader("release_assignment", ASSIGNMENT, cwd=root, exchange=exchange)
    for student, home in homes.items():
        home.mkdir(parents=True)
        nbgrader("fetch_assignment", ASSIGNMENT, cwd=home, exchange=exchange)
        fetched = sorted((home / ASSIGNMENT).glob("*.ipynb"))
        assert [p.name for p in fetched] == [
            p.name for p in course.notebooks("release", ASSIGNMENT)
        ]
        if student == "ana":
            for path in fetched:
                solve(path, course.step_dir("source", ASSIGNMENT) / path.name)
        nbgrader("submit", ASSIGNMENT, f"--student={student}", cwd=home, exchange=exchange)

    nbgrader("collect", ASSIGNMENT, cwd=root, exchange=exchange)
    assert sorted(p.name for p in (root / "submitted").iterdir()) == ["ana", "bea"]
    assert (root / "submitted" / "ana" / ASSIGNMENT / "timestamp.txt").is_file()

    result = CliRunner().invoke(main, ["--root", str(root), "grade", ASSIGNMENT, "--jobs", "2"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:3] for line in result.output.splitlines() if line}
    assert rows["ana"] == ["10", "10"] and rows["bea"] == ["0", "10"]

    nbgrader("generate_feedback", ASSIGNMENT, cwd=root, exchange=exchange)
    nbgrader("release_feedback", ASSIGNMENT, cwd=root, exchange=exchange)
    for student, home in homes.items():
        nbgrader("fetch_feedback", ASSIGNMENT, f"--student={student}", cwd=home, exchange=exchange)
        received = sorted((home / ASSIGNMENT / "feedback").glob("*/*.html"))
        assert [p.name for p in received] == [
            "01-sumas.html",
            "02-entorno.html",
            "03-contenedores.html",
        ]
        text = "".join(p.read_text() for p in received)
        assert "valor_oculto_centinela" not in text  # plain nbgrader hides them too (config)
        assert ("Score: 3.0 / 3.0" if student == "ana" else "Score: 0.0 / 3.0") in text
