"""Hostile submissions are graded without breaking the batch (fixtures in mini/hostile/a1/)."""

from __future__ import annotations

import os
import re
import shutil
import signal
from pathlib import Path

import nbformat
import pytest

from course import grading
from course.grading.fixtures import build_submission, load_fixtures, solution_submission
from course.grading.gradebook import scores
from course.grading.nbconfig import db_url_of
from course.grading.validate import expected_checks, graded_kinds

from .conftest import ASSIGNMENT, MINI, REPO, hand_in

pytestmark = pytest.mark.slow
HOSTILE = MINI / "hostile" / ASSIGNMENT


@pytest.fixture(scope="module")
def hostile_batch(released_course, tmp_path_factory):
    """Every hostile fixture plus one perfect student, graded together with 2 jobs, 5 s per cell."""
    root = tmp_path_factory.mktemp("hostile") / "course"
    shutil.copytree(released_course.root, root)
    course = grading.Course(root, fixtures=HOSTILE.parent)
    source, release = course.step_dir("source", ASSIGNMENT), course.step_dir("release", ASSIGNMENT)
    fixtures = load_fixtures(HOSTILE)
    for fixture in fixtures:
        name = f"{fixture.notebook}.ipynb"
        hand_in(
            course,
            fixture.student,
            fixture.notebook,
            build_submission(fixture, source / name, release / name),
        )
    for path in course.notebooks("source", ASSIGNMENT):
        hand_in(course, "ana", path.stem, solution_submission(path, release / path.name))
    report = grading.grade(course, ASSIGNMENT, jobs=2, timeout=5)
    return course, fixtures, report


def _graded(course, student, notebook):
    return nbformat.read(course.root / "autograded" / student / ASSIGNMENT / f"{notebook}.ipynb", 4)


def test_every_hostile_submission_gets_its_expected_scores(hostile_batch):
    """Does each hostile fixture get exactly its expected scores, and is none lost?"""
    course, fixtures, report = hostile_batch
    assert report.ok, [(r.student, r.error) for r in report.results if not r.ok]
    url = db_url_of(course.root)
    kinds = graded_kinds(url, ASSIGNMENT)
    wrong = []
    for fixture in fixtures:
        got = scores(url, ASSIGNMENT, fixture.student)
        wrong += [
            c for c in expected_checks("sim", fixture.student, got, kinds, fixtures) if not c.ok
        ]
    assert wrong == []


def test_hostile_neighbours_do_not_hurt_a_good_student(hostile_batch):
    """Does the perfect student graded in the same batch still get full marks on every cell?"""
    course, _, report = hostile_batch
    ana = next(r for r in report.results if r.student == "ana")
    assert ana.score == ana.max_score == 10


def test_an_infinite_loop_times_out_and_the_rest_is_graded(hostile_batch):
    """Does the looping test cell end with a timeout error while later cells still ran?"""
    course, _, _ = hostile_batch
    nb = _graded(course, "fx-bucle-infinito", "01-sumas")
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    errors = [o.ename for o in by_id["test_suma"].outputs if o.output_type == "error"]
    assert errors and errors[0] in ("CellTimeoutError", "KeyboardInterrupt")
    assert by_id["test_media_oculta"].outputs == []


def test_a_dead_kernel_zeroes_only_the_cells_from_there_on(hostile_batch):
    """After os._exit, do earlier tests keep their score and later cells say why they failed?"""
    course, _, _ = hostile_batch
    nb = _graded(course, "fx-os-exit", "01-sumas")
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    assert by_id["test_suma"].outputs == []
    assert "el kernel murió" in by_id["test_media_visible"].outputs[0].evalue


def test_edited_and_deleted_tests_are_restored_and_reported(hostile_batch):
    """Are the edited test_suma and the deleted test_media_visible restored and named?"""
    _, _, report = hostile_batch
    tampered = next(r for r in report.results if r.student == "fx-tests-tocados")
    assert tampered.restored == [
        "01-sumas/test_suma: edited (restored)",
        "01-sumas/test_media_visible: deleted (restored)",
    ]


def test_a_deleted_test_goes_back_after_the_cells_it_needs(hostile_batch):
    """Is the deleted test_media_visible put back after the data cell it uses, where the release
    had it (nbgrader puts it right after the solution, where it fails)? Its point says so too."""
    course, _, _ = hostile_batch
    cells = _graded(course, "fx-tests-tocados", "01-sumas").cells
    where = {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(cells)}
    data = next(i for i, c in enumerate(cells) if c.source.startswith("datos_de_prueba ="))
    assert where["media"] < data < where["test_media_visible"] < where["test_media_oculta"]
    got = scores(db_url_of(course.root), ASSIGNMENT, "fx-tests-tocados")["01-sumas"]
    assert got["test_media_visible"] == (1.0, 1.0)


def test_megabytes_of_output_are_cut(hostile_batch):
    """Is a 3 MB line and 20000 more lines cut, so the autograded notebook stays small?"""
    course, _, _ = hostile_batch
    path = course.root / "autograded" / "fx-salida-enorme" / ASSIGNMENT / "01-sumas.ipynb"
    assert path.stat().st_size < 300_000
    assert "salida recortada" in path.read_text()


def test_warnings_on_stderr_do_not_zero_a_test(hostile_batch):
    """Are Python and logging warnings on stderr dropped before scoring (IgnorePattern)?"""
    course, _, _ = hostile_batch
    nb = _graded(course, "fx-avisos-stderr", "01-sumas")
    test = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_suma"
    )
    assert not [o for o in test.outputs if o.get("name") == "stderr"]


def test_the_ignore_pattern_matches_warnings_and_nothing_else():
    """Does nbgrader_config's IgnorePattern match warning shapes but not an ordinary stderr line?"""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert config.IgnorePattern.enabled is True
    pattern = re.compile(config.IgnorePattern.pattern)
    assert pattern.search("/tmp/ipykernel_1/123.py:4: UserWarning: cuidado\n  warnings.warn(x)\n")
    assert pattern.search("WARNING:root:cuidado con los negativos\n")
    assert pattern.search("<ipython-input>:1: DeprecationWarning: old\n")
    assert not pattern.search("Traceback (most recent call last):\n")
    assert not pattern.search("the test wrote this to stderr on purpose\n")


ORPHAN = b"centinela-huerfano-i12"  # the detached child escapa-del-calificador.yml starts


def _orphans() -> list[int]:
    """Processes on this machine whose command line carries the escape fixture's marker."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if ORPHAN in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_confined_submission_cannot_touch_the_course(hostile_batch):
    """Did the escape attempt leave source/, release/, the gradebook and ana's notebooks alone?"""
    course, _, _ = hostile_batch
    assert not list(course.root.glob("*/a1/ESCAPE"))
    for path in (course.root / "submitted" / "ana" / ASSIGNMENT).glob("*.ipynb"):
        assert nbformat.read(path, as_version=4).cells, path
    url = db_url_of(course.root)
    escape = scores(url, ASSIGNMENT, "fx-escapa-del-calificador")["01-sumas"]
    assert escape and all(got == top for got, top in escape.values()), escape


def test_no_process_of_a_submission_outlives_its_grading(hostile_batch):
    """Is the start_new_session child the escape fixture left gone once grading is over?"""
    assert _orphans() == []


def test_the_escape_works_unconfined(hostile_batch, tmp_path):
    """Control: without the sandbox the same submission writes into source/ and leaves a child.

    Proves the fixture's attacks are real, so the confined test above can fail.
    """
    course, _, _ = hostile_batch
    root = tmp_path / "course"
    shutil.copytree(course.root, root, ignore=shutil.ignore_patterns("autograded"))
    copy = grading.Course(root, fixtures=course.fixtures)
    student = "fx-escapa-del-calificador"
    try:
        report = grading.grade(copy, ASSIGNMENT, students=[student], timeout=5, confine=False)
        assert report.ok
        assert (root / "source" / ASSIGNMENT / "ESCAPE").is_file()
        assert scores(db_url_of(root), ASSIGNMENT, student)["01-sumas"]["test_suma"][0] == 0
        assert _orphans()
    finally:
        for pid in _orphans():
            os.kill(pid, signal.SIGKILL)


def test_a_deleted_setup_cell_is_reported_as_not_restored(hostile_batch):
    """nbgrader re-adds deleted test cells only: is the deleted setup cell said to stay missing,
    and is it really missing from the autograded notebook?"""
    course, _, report = hostile_batch
    result = next(r for r in report.results if r.student == "fx-borra-setup")
    assert result.restored == ["01-sumas/setup: deleted (NOT restored)"]
    nb = _graded(course, "fx-borra-setup", "01-sumas")
    assert "setup" not in {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
