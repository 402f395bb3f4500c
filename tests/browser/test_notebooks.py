"""Each lesson as a student meets it in JupyterLab: run in the page, widgets drawn, Validate.

The solved notebook (the instructor's source) is run cell by cell in the page on the simulator:
its views must render (the cluster grid with nodes and cards, the charts as SVG), and moving the
replicas slider must change the cards. Then nbgrader's Validate button must report success on the
solved notebook and failures on the student version. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from . import lab_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "m7-orquestacion"
NOTEBOOKS = sorted(p.stem for p in (ROOT / "source" / ASSIGNMENT).glob("*.ipynb"))
VIEWS = {  # what each lesson draws, by the view's class in its cells
    "ClusterGrid": ".course-grid .course-node",
    "TrafficChart": ".widget-html svg, .jp-RenderedHTMLCommon svg",
    "RolloutTimeline": ".widget-html svg, .jp-RenderedHTMLCommon svg",
    "LoadChart": ".widget-html svg, .jp-RenderedHTMLCommon svg",
}
ENGINE_LESSONS = [n for n in NOTEBOOKS if n.startswith(("04-", "05-1-"))]  # the HTTP path's views


def run_solved_and_check_views(base, token, page, screenshot, notebook, shot):
    """Run the solved lesson in the page (all but its last cell), check there is no error and
    that every view its cells build is drawn, photograph the views, then run the last cell (the
    lab's cleanup) and check it is clean too."""
    source = (ROOT / "source" / ASSIGNMENT / f"{notebook}.ipynb").read_text()
    lab_page.open_notebook(page, base, token, f"source/{ASSIGNMENT}/{notebook}.ipynb")
    try:
        lab_page.run_all(page, keep_last=True)
    finally:
        screenshot(page, f"{shot}-solved")
    errors = [e for e in lab_page.errors(page) if "Traceback" in e or "Error" in e]
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    assert not errors, f"{notebook}: errors in the page:\n" + "\n---\n".join(errors)[:3000]
    for view, selector in VIEWS.items():
        if re.search(rf"\b{view}\(", source):
            assert panel.locator(selector).count() > 0, f"{notebook}: {view} not drawn"
    if "ClusterGrid(" in source:
        assert panel.locator(".course-grid .course-card").count() > 0, "no card in the grid"
    if "ipywidgets" in source or "course.views" in source:
        shots = lab_page.shoot_views(page, screenshot, shot)
        assert shots, f"{notebook}: no widget output to show"
    lab_page.run_last(page)
    errors = [e for e in lab_page.errors(page) if "Traceback" in e or "Error" in e]
    assert not errors, f"{notebook} last cell: " + "\n---\n".join(errors)[:3000]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_solved_lesson_runs_in_the_page_and_draws_its_views(jupyter, page, screenshot, notebook):
    """Does the solved lesson run in JupyterLab on the simulator without errors and draw its
    views, and does its last cell (the lab's cleanup) run clean after them?"""
    run_solved_and_check_views(*jupyter, page, screenshot, notebook, notebook)


@pytest.mark.docker
@pytest.mark.parametrize("notebook", ENGINE_LESSONS)
def test_solved_lesson_draws_its_views_on_the_engine_from_a_kernel_without_routes(
        jupyter_engine, page, screenshot, notebook):
    """The same, with JupyterLab and its kernels on the real engine in a network namespace of
    their own (Docker Desktop's situation): the load balancer's traffic (04) and the rollout
    timeline's samples (05) must all go through the engine. These two runs are also the
    lessons' papermill proof from a kernel without routes (tests/test_netns_solutions.py
    leaves them out)."""
    base, token, server_pid = jupyter_engine
    assert os.readlink(f"/proc/{server_pid}/ns/net") != os.readlink("/proc/self/ns/net")
    run_solved_and_check_views(base, token, page, screenshot, notebook, f"{notebook}-engine")


def test_the_replicas_slider_and_a_controller_pass_change_the_cards(jupyter, page, screenshot):
    """In the desired-state lesson, after moving the replicas slider and pressing the
    controller's button, does the grid show as many cards as the slider says?"""
    notebook = next(n for n in NOTEBOOKS if n.startswith("01-"))
    base, token = jupyter
    lab_page.open_notebook(page, base, token, f"source/{ASSIGNMENT}/{notebook}.ipynb")
    lab_page.run_all(page)
    panel = page.locator(".jp-OutputArea-output", has=page.locator(".widget-slider")).first
    panel.scroll_into_view_if_needed()
    panel.locator(".widget-slider .noUi-handle, .widget-slider .ui-slider-handle").first.click()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(1000)
    wanted = int(panel.locator(".widget-readout").first.inner_text().strip())
    panel.locator("button", has_text="pasada").first.click()
    cards = panel.locator(".course-grid .course-card")
    page.wait_for_function(
        "([el, n]) => el.querySelectorAll('.course-grid .course-card').length === n",
        arg=[panel.element_handle(), wanted], timeout=30_000)
    screenshot(page, f"{notebook}-slider")
    assert cards.count() == wanted


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_validate_passes_the_solution_and_fails_the_stub(jupyter, page, screenshot, notebook):
    """Does nbgrader's Validate button accept the solved notebook and reject the student one?"""
    base, token = jupyter
    lab_page.open_notebook(page, base, token, f"source/{ASSIGNMENT}/{notebook}.ipynb")
    solved = lab_page.validate(page)
    assert "Success" in solved or "passes all" in solved, f"{notebook} solved: {solved[:500]}"
    lab_page.open_notebook(page, base, token, f"release/{ASSIGNMENT}/{notebook}.ipynb")
    screenshot(page, f"{notebook}-student")
    student = lab_page.validate(page, lambda p: screenshot(p, f"{notebook}-validate-student"))
    assert "failed" in student.lower() or "error" in student.lower(), (
        f"{notebook} student version validated: {student[:500]}")
