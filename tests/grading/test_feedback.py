"""`course feedback`: nbgrader's HTML feedback, with no hidden test in it (nbgrader #917)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from course.cli import main
from course.grading.feedback import check_feedback, html_text

from .conftest import ASSIGNMENT

pytestmark = pytest.mark.slow
SENTINEL = "valor_oculto_centinela"  # an identifier only the hidden test of 01-sumas uses


@pytest.fixture(scope="module")
def feedback_run(graded_course):
    course, _ = graded_course
    result = CliRunner().invoke(main, ["--root", str(course.root), "feedback", ASSIGNMENT])
    return course, result


def test_feedback_is_written_for_every_student(feedback_run):
    """Is there one HTML file per student and notebook, and does the command say it is clean?"""
    course, result = feedback_run
    assert result.exit_code == 0, result.output
    files = sorted((course.root / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))
    assert len(files) == 9
    assert "9 HTML files in feedback/, no hidden test in them" in result.output


def test_the_html_holds_no_hidden_test(feedback_run):
    """Is the hidden test's code absent from the HTML, raw and as text, while the grader ran it?"""
    course, _ = feedback_run
    autograded = course.root / "autograded" / "bea" / ASSIGNMENT / "01-sumas.ipynb"
    assert SENTINEL in autograded.read_text()  # the grader did run the hidden test
    for path in (course.root / "feedback").glob(f"*/{ASSIGNMENT}/01-sumas.html"):
        raw = path.read_text()
        assert SENTINEL not in raw and SENTINEL not in html_text(path)
        assert "pruebas ocultas" in html_text(path)  # the placeholder says where they were


def test_the_student_still_sees_the_visible_test_and_the_message(feedback_run):
    """Does feedback keep the visible test and the Spanish message of a failed hidden test?"""
    course, _ = feedback_run
    text = html_text(course.root / "feedback" / "bea" / ASSIGNMENT / "01-sumas.html")
    assert "assert media(datos_de_prueba) == 2" in text
    text = html_text(course.root / "feedback" / "carla" / ASSIGNMENT / "01-sumas.html")
    assert "suma(1, 2) debería ser 3" in text


def test_the_checker_finds_a_hidden_test_in_html(feedback_run, tmp_path):
    """Would the check notice a hidden test in an HTML file (i.e. is it not vacuous)?"""
    course, _ = feedback_run
    leaky = tmp_path / "leaky.html"
    leaky.write_text(f"<pre><span>{SENTINEL}</span> <span>=</span> media([])</pre>")
    leaks = check_feedback([leaky], course.notebooks("source", ASSIGNMENT))
    assert leaks and SENTINEL in leaks[0].what


def _source_with_a_shared_line(folder):
    """A source notebook whose hidden test repeats a line its visible test shows anyway."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    shared = "assert suma(20, 22) == 42, 'suma falla'"
    hidden = f"### BEGIN HIDDEN TESTS\n{shared}\n{SENTINEL} = suma(1, 1)\n### END HIDDEN TESTS"
    nb = new_notebook(cells=[new_code_cell(shared), new_code_cell(hidden)])
    path = folder / "01-sumas.ipynb"
    nbformat.write(nb, path)
    return path, shared


def test_a_line_the_notebook_shows_anyway_is_no_leak(tmp_path):
    """Is a hidden-test line that a visible cell of the same notebook shows left alone, while the
    hidden test's own line is still caught?"""
    source, shared = _source_with_a_shared_line(tmp_path)
    page = tmp_path / "01-sumas.html"
    page.write_text(f"<pre>{shared}</pre>")
    assert check_feedback([page], [source]) == []
    page.write_text(f"<pre>{shared}</pre>\n<pre>{SENTINEL} = suma(1, 1)</pre>")
    leaks = check_feedback([page], [source])
    assert leaks and all("valor_oculto" in leak.what for leak in leaks), leaks


def test_a_base64_copy_of_a_hidden_test_is_found(tmp_path):
    """Would a hidden test embedded in base64 (an attachment, a data: URL) be noticed?"""
    import base64

    source, _ = _source_with_a_shared_line(tmp_path)
    blob = base64.b64encode(f"{SENTINEL} = suma(1, 1)\n".encode() * 3).decode()
    page = tmp_path / "01-sumas.html"
    page.write_text(f'<img src="data:text/plain;base64,{blob}">')
    assert any(SENTINEL in leak.what for leak in check_feedback([page], [source]))
