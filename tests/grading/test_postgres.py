"""`course grade --jobs 2` against a real PostgreSQL gradebook (nbgrader's ``db_url``).

Needs a server (``scripts/postgres.sh start``); marked ``postgres``: skipped with a reason when
none answers, a failure under CI=true. Each test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from click.testing import CliRunner

from course import grading
from course.cli import main
from course.grading.gradebook import dump
from course.grading.nbconfig import db_url_of, load_config, make_api, normalize_db_url

from .conftest import ASSIGNMENT

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
SERVER = os.environ.get(
    "COURSE_TEST_POSTGRES_URL", "postgresql://course:course@127.0.0.1:5432/course_gradebook"
)


@pytest.fixture
def postgres_db():
    """The URL of a fresh, empty database on the test server."""
    import psycopg2

    name = f"course_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(SERVER, connect_timeout=5)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield SERVER.rsplit("/", 1)[0] + "/" + name
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_parallel_grading_into_postgres_equals_sqlite(
    class_course, graded_course, postgres_db, tmp_path
):
    """Does `course grade --jobs 2 --db postgresql://...` leave the same grades as SQLite did?"""
    root = tmp_path / "course"
    shutil.copytree(class_course.root, root)
    api = make_api(root, load_config(root, db_url=postgres_db))
    assert api.generate_assignment(ASSIGNMENT, force=True, create=True)["success"]
    from nbgrader.api import Gradebook

    with Gradebook(
        normalize_db_url(postgres_db), "modulo7"
    ) as gb:  # the same due date as the SQLite class
        gb.update_or_create_assignment(ASSIGNMENT, duedate="2030-01-01 00:00:00 UTC")
    args = ["--root", str(root), "grade", ASSIGNMENT, "--jobs", "2", "--db", postgres_db]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "graded 3/3 submissions" in result.output
    sqlite, _ = graded_course
    assert dump(postgres_db, ASSIGNMENT) == dump(db_url_of(sqlite.root), ASSIGNMENT)


def test_regrading_twice_leaves_one_submission_per_student(class_course, postgres_db, tmp_path):
    """Does grading the same class twice (parallel, PostgreSQL) update rows instead of adding?"""
    root = tmp_path / "course"
    shutil.copytree(class_course.root, root)
    api = make_api(root, load_config(root, db_url=postgres_db))
    assert api.generate_assignment(ASSIGNMENT, force=True, create=True)["success"]
    course = grading.Course(root)
    first = grading.grade(course, ASSIGNMENT, jobs=2, db_url=postgres_db)
    again = grading.grade(course, ASSIGNMENT, students=["ana", "bea"], jobs=2, db_url=postgres_db)
    assert first.ok and again.ok
    rows = dump(postgres_db, ASSIGNMENT)
    assert sorted(r[1] for r in rows if r[0] == "submission") == ["ana", "bea", "carla"]


def test_a_class_split_over_two_graders_fills_one_gradebook(
    class_course, graded_course, postgres_db, tmp_path
):
    """docs/instructor.md §8: two `course grade` at the same time, each from its own copy of the
    course root with its own students (two machines), into one PostgreSQL gradebook. Are the
    grades those of one grader over the whole class?"""
    import subprocess
    import sys

    from nbgrader.api import Gradebook

    roots = [tmp_path / "maquina-1", tmp_path / "maquina-2"]
    for root in roots:
        shutil.copytree(class_course.root, root)
    api = make_api(roots[0], load_config(roots[0], db_url=postgres_db))
    assert api.generate_assignment(ASSIGNMENT, force=True, create=True)["success"]
    with Gradebook(normalize_db_url(postgres_db), "modulo7") as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate="2030-01-01 00:00:00 UTC")
    halves = [["ana", "carla"], ["bea"]]
    graders = [
        subprocess.Popen(
            [sys.executable, "-m", "course.cli", "--root", str(root), "grade", ASSIGNMENT,
             "--jobs", "1", "--db", postgres_db, *[a for s in students for a in ("--student", s)]],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for root, students in zip(roots, halves, strict=True)
    ]
    outputs = [grader.communicate(timeout=600)[0] for grader in graders]
    assert [g.returncode for g in graders] == [0, 0], "\n".join(outputs)
    sqlite, _ = graded_course
    assert dump(postgres_db, ASSIGNMENT) == dump(db_url_of(sqlite.root), ASSIGNMENT)
