"""A new user's path, as a new user walks it: a fresh clone, `make lab`, a lesson opened in the
browser, the solutions typed into its cells, saved, and checked with nbgrader's Validate button.

The clone is of the committed HEAD (what a student gets from `git clone`): uncommitted changes are
not in it. Nothing is prepared beforehand: `make lab` makes the virtual environment, builds the lab
images when an engine answers, copies the release into `trabajo/` and starts JupyterLab. The wall
time of each step is printed at the end of the run and written to
artifacts/new-user-path.txt; no step is timed against a limit (figures on CI machines are noisy).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from course.grading.cells import grade_id, is_solution, solution_only

from . import lab_page
from .conftest import ROOT, SHOTS, _free_port, wait_http

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT = "m7-orquestacion"
LESSON = "00-por-que-orquestar"
TOKEN = "m7-new-user"
INSTALL_TIMEOUT = 900  # a machine without pip's cache downloads ~300 MB


def _solutions(clone: Path) -> dict[str, str]:
    """``{grade_id: code}``: what a student who solved the lesson types into each answer cell."""
    source = nbformat.read(clone / "source" / ASSIGNMENT / f"{LESSON}.ipynb", as_version=4)
    return {grade_id(c): solution_only(c.source) for c in source.cells if is_solution(c)}


def test_a_new_user_clones_opens_a_lesson_and_checks_a_solution(browser, tmp_path, request,
                                                                screenshot):
    """From `git clone` to a lesson solved and accepted by Validate, with each step's time."""
    steps: list[tuple[str, float]] = []
    started = time.monotonic()

    def step(name: str) -> None:
        nonlocal started
        steps.append((name, time.monotonic() - started))
        started = time.monotonic()

    clone = tmp_path / "curso"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    step("git clone")

    port = _free_port()
    log = tmp_path / "make-lab.log"
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "COURSE_BACKEND", "PYTHONPATH")}
    lab_args = (f"--no-browser --allow-root --ServerApp.ip=127.0.0.1 "
                f"--IdentityProvider.token={TOKEN} --LabApp.expose_app_in_browser=True")
    with open(log, "w") as out:
        server = subprocess.Popen(
            ["make", "lab", f"PORT={port}", f"LAB_ARGS={lab_args}"], cwd=clone, env=env,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + INSTALL_TIMEOUT
        while not (clone / ".venv" / ".installed").exists():
            assert server.poll() is None, "`make lab` stopped:\n" + log.read_text()[-3000:]
            assert time.monotonic() < deadline, "install took too long:\n" + log.read_text()[-3000:]
            time.sleep(0.5)
        step("make lab: install (.venv)")
        wait_http(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", server, 120, log)
        step("make lab: images, trabajo/, JupyterLab answering")
        assert (clone / "trabajo" / ASSIGNMENT / f"{LESSON}.ipynb").exists()

        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            _walk_the_lesson(page, port, clone, step, screenshot)
        finally:
            context.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # make and the JupyterLab it started
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        _report(request, steps)


def _walk_the_lesson(page, port: int, clone: Path, step, screenshot) -> None:
    base = f"http://127.0.0.1:{port}"
    lab_page.open_notebook(page, base, TOKEN, f"trabajo/{ASSIGNMENT}/{LESSON}.ipynb")
    step("lesson open, kernel idle")

    # The student runs the cells from the top to the setup cell (the first that makes the Lab),
    # which says where the lab runs: engine or simulator.
    student = nbformat.read(clone / "trabajo" / ASSIGNMENT / f"{LESSON}.ipynb", as_version=4)
    setup = next(i for i, c in enumerate(student.cells)
                 if c.cell_type == "code" and "Lab(" in c.source)
    page.evaluate("""(i) => { const nb = window.jupyterapp.shell.currentWidget.content;
                              nb.activeCellIndex = i + 1;  // run it and the cells above it
                              return window.jupyterapp.commands.execute('notebook:run-all-above');
                            }""", setup)
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").nth(setup)
    cell.locator(".jp-OutputArea-output").first.wait_for(timeout=60_000)
    said = cell.locator(".jp-OutputArea-output").all_inner_texts()
    assert any("Laboratorio" in text for text in said), said
    step("setup cell run: " + said[0].strip().splitlines()[0][:70])
    screenshot(page, "new-user-lesson")

    answers = _solutions(clone)
    lab_page.answer_and_save(page, student, answers)
    step(f"{len(answers)} answers typed and saved")
    saved = nbformat.read(clone / "trabajo" / ASSIGNMENT / f"{LESSON}.ipynb", as_version=4)
    assert [solution_only(c.source) for c in saved.cells if is_solution(c)] == [
        answers[grade_id(c)] for c in saved.cells if is_solution(c)], "the answers were not saved"

    verdict = lab_page.validate(page, lambda p: screenshot(p, "new-user-validate"))
    assert "Success" in verdict or "passes all" in verdict, verdict[:800]
    step("Validate: " + verdict.strip().splitlines()[0][:60])


def _report(request, steps: list[tuple[str, float]]) -> None:
    lines = [f"{seconds:7.1f} s  {name}" for name, seconds in steps]
    lines.append(f"{sum(s for _, s in steps):7.1f} s  total")
    text = "new user's path (fresh clone):\n" + "\n".join(lines) + "\n"
    (SHOTS.parent).mkdir(parents=True, exist_ok=True)
    (SHOTS.parent / "new-user-path.txt").write_text(text)
    # Printed past pytest's capture, so the figures are in the CI log of a passing run too.
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + text, end="")
