"""`course release`: generate the student version and prove nothing secret reached it."""

from __future__ import annotations

import json

from click.testing import CliRunner

from course import grading
from course.cli import main
from course.grading.leaks import find_leaks

from .conftest import ASSIGNMENT


def _release_text(course) -> str:
    return "\n".join(p.read_text() for p in course.notebooks("release", ASSIGNMENT))


def test_release_has_stubs_and_no_secret(released_course):
    """Does release/ hold the Spanish stub instead of the solution, and no hidden test?"""
    text = _release_text(released_course)
    assert "TU CÓDIGO AQUÍ" in text
    assert "resultado_de_la_suma" not in text
    assert "valor_oculto_centinela" not in text and "HIDDEN" not in text


def test_release_check_passes_on_a_fresh_release(released_course):
    """Does `course release --check` pass right after `course release`?"""
    result = CliRunner().invoke(main, ["--root", str(released_course.root), "release", "--check"])
    assert result.exit_code == 0, result.output
    assert "release --check a1: 3 notebooks, ok" in result.output


def test_release_check_ignores_cell_ids_but_not_sources(course_copy):
    """Are changed cell ids ignored by --check, while an edited cell makes the release stale?"""
    path = course_copy.notebooks("release", ASSIGNMENT)[0]
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"otro-{i}"
    nb["metadata"]["widgets"] = {"volatile": True}
    path.write_text(json.dumps(nb))
    assert grading.check_release(course_copy, ASSIGNMENT).ok
    nb["cells"][0]["source"] = "# Otro título"
    path.write_text(json.dumps(nb))
    report = grading.check_release(course_copy, ASSIGNMENT)
    assert report.differences == ["stale: release/a1/01-sumas.ipynb (run `course release`)"]


def test_release_check_fails_on_a_lesson_newer_than_release(course_copy):
    """Does --check fail when a lesson changed but nobody ran `course release`?"""
    lesson = course_copy.lessons(ASSIGNMENT)[1]
    lesson.write_text(lesson.read_text().replace("¿Dónde corre", "¿Dónde se ejecuta"))
    result = CliRunner().invoke(
        main, ["--root", str(course_copy.root), "release", ASSIGNMENT, "--check"]
    )
    assert result.exit_code == 1
    assert "source is stale: source/a1/02-entorno.ipynb" in result.output
    assert "stale: release/a1/02-entorno.ipynb" in result.output


def test_leak_check_finds_a_pasted_solution_and_hidden_test(course_copy):
    """Does the leak check name a solution line and a hidden test pasted into release/?"""
    path = course_copy.notebooks("release", ASSIGNMENT)[0]
    nb = json.loads(path.read_text())
    last = nb["cells"][-1]
    last["source"] = "".join(last["source"]) + "\nvalor_oculto_centinela = media([])"
    nb["cells"][0]["source"] = "    resultado_de_la_suma = a + b"
    path.write_text(json.dumps(nb))
    leaks = find_leaks(course_copy.notebooks("source", ASSIGNMENT), [path])
    what = " ".join(leak.what for leak in leaks)
    assert "resultado_de_la_suma = a + b" in what and "valor_oculto_centinela = media([])" in what
    assert not grading.check_release(course_copy, ASSIGNMENT).ok


def test_public_lines_are_not_leaks(released_course):
    """Is a line the lesson shows in public (the `def` line of a solution cell) not a leak?"""
    assert (
        find_leaks(
            released_course.notebooks("source", ASSIGNMENT),
            released_course.notebooks("release", ASSIGNMENT),
        )
        == []
    )


ANSWER_02 = 'return os.environ.get("COURSE_BACKEND") or BACKEND'  # 02-entorno's one-line solution


def _quote_answer_02_in_lesson_03(course) -> None:
    lesson = course.lesson_dir(ASSIGNMENT) / "03-contenedores.py"
    lesson.write_text(
        lesson.read_text()
        + f"\n# %% [markdown]\n# Repaso de 02, la respuesta era:\n#\n#     {ANSWER_02}\n"
    )


def test_a_solution_a_later_lesson_shows_in_public_is_no_leak_there(course_copy):
    """Is 02's one-line answer, quoted on purpose by lesson 03, released without a leak?"""
    _quote_answer_02_in_lesson_03(course_copy)
    report = grading.release(course_copy, ASSIGNMENT)
    released = (course_copy.step_dir("release", ASSIGNMENT) / "03-contenedores.ipynb").read_text()
    assert ANSWER_02.replace('"', '\\"') in released
    assert report.leaks == [] and report.ok


def test_that_quote_excuses_no_leak_anywhere_else(course_copy):
    """With 03 quoting 02's answer, is the answer still a leak in 02's stub and in another cell
    of 03?"""
    _quote_answer_02_in_lesson_03(course_copy)
    assert grading.release(course_copy, ASSIGNMENT).ok
    release = course_copy.step_dir("release", ASSIGNMENT)
    for name, index in (("02-entorno.ipynb", None), ("03-contenedores.ipynb", 0)):
        path = release / name
        nb = json.loads(path.read_text())
        if index is None:  # the stub of the solution cell
            index = next(
                i
                for i, c in enumerate(nb["cells"])
                if "NotImplementedError" in "".join(c["source"])
            )
        nb["cells"][index]["source"] = f"def backend_efectivo():\n    {ANSWER_02}\n"
        path.write_text(json.dumps(nb))
        leaks = find_leaks(course_copy.notebooks("source", ASSIGNMENT), [path])
        assert [(leak.cell, leak.what.split()[0]) for leak in leaks] == [
            (index, "secret"),
            (index, "secret"),
        ], leaks
        assert all(ANSWER_02[:40] in leak.what for leak in leaks)
