"""Each lesson as a student meets it in JupyterLab: run in the page, widgets drawn, Validate.

The solved notebook (the instructor's source) is run cell by cell in the page on the simulator:
its views must render (the cluster grid with nodes and cards, the charts as SVG), and moving the
replicas slider must change the cards. Then nbgrader's Validate button must report success on the
solved notebook and failures on the student version. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
RUN_TIMEOUT_MS = 240_000


def _open(page, base, token, path):
    """Open a notebook and wait until it is the current widget and its kernel is idle."""
    page.goto(f"{base}/lab/tree/{path}?reset&token={token}")  # reset: no tabs from the last test
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.wait_for_function(
        """(name) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
          const kernel = w && w.sessionContext && w.sessionContext.session
                         && w.sessionContext.session.kernel;
          return w && w.context && w.context.path.endsWith(name) && kernel
                 && kernel.status === 'idle'; }""",
        arg=path.rsplit("/", 1)[-1], timeout=90_000, polling=500)


def _run_all(page, keep_last: bool = False):
    """Run every cell (or every cell but the last, the lab's cleanup, with ``keep_last``) and wait
    until the run is over: no cell busy, and every code cell ran or an error stopped the run."""
    command = "notebook:run-all-above" if keep_last else "notebook:run-all-cells"
    page.evaluate(
        """([command, keepLast]) => { const nb = window.jupyterapp.shell.currentWidget.content;
             if (keepLast) nb.activeCellIndex = nb.widgets.length - 1;
             return window.jupyterapp.commands.execute(command); }""", [command, keep_last])
    _wait_ran(page, skip_last=keep_last)


def _run_last(page):
    """Run the last cell (the lab's cleanup) and wait for it."""
    page.evaluate(
        """() => { const nb = window.jupyterapp.shell.currentWidget.content;
             nb.activeCellIndex = nb.widgets.length - 1;
             return window.jupyterapp.commands.execute('notebook:run-cell'); }""")
    _wait_ran(page, skip_last=False)


def _wait_ran(page, skip_last: bool):
    page.wait_for_function(
        """(skipLast) => {
          const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
          if (!panel) return false;
          let prompts = Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));
          if (skipLast) prompts = prompts.slice(0, -1);
          const busy = prompts.some(p => p.textContent.includes('*'));
          const done = prompts.every(p => /\\d/.test(p.textContent));
          const failed = panel.querySelector(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']") !== null;
          return !busy && (done || failed);
        }""", arg=skip_last, timeout=RUN_TIMEOUT_MS, polling=1000)
    page.wait_for_timeout(1500)  # widgets render after their cell's reply


def _shoot_views(page, screenshot, notebook) -> list[Path]:
    """A screenshot of each output that holds a widget (grid, chart, control, quiz), as the
    student sees it before the cleanup cell empties the cluster."""
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    outputs = panel.locator(".jp-OutputArea-output", has=page.locator(".jupyter-widgets"))
    shots = []
    for i in range(outputs.count()):
        output = outputs.nth(i)
        output.scroll_into_view_if_needed()
        shots.append(screenshot(output, f"{notebook}-view-{i + 1:02d}"))
    return shots


def _errors(page) -> list[str]:
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    return panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                         ", .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"
                         ).all_inner_texts()


def _validate(page) -> str:
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").first.click()
    dialog = page.locator(".jp-Dialog-content")
    dialog.wait_for(timeout=RUN_TIMEOUT_MS)
    page.wait_for_function(
        "() => { const d = document.querySelector('.jp-Dialog-body');"
        " return d && !/Validating/i.test(d.innerText) && d.innerText.trim().length > 0; }",
        timeout=RUN_TIMEOUT_MS)
    text = page.locator(".jp-Dialog-body").inner_text()
    page.keyboard.press("Escape")
    return text


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_solved_lesson_runs_in_the_page_and_draws_its_views(jupyter, page, screenshot, notebook):
    """Does the solved lesson run in JupyterLab without errors and draw its views, and does its
    last cell (the lab's cleanup) run clean after them?"""
    base, token = jupyter
    source = (ROOT / "source" / ASSIGNMENT / f"{notebook}.ipynb").read_text()
    _open(page, base, token, f"source/{ASSIGNMENT}/{notebook}.ipynb")
    try:
        _run_all(page, keep_last=True)
    finally:
        screenshot(page, f"{notebook}-solved")
    errors = [e for e in _errors(page) if "Traceback" in e or "Error" in e]
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    assert not errors, f"{notebook}: errors in the page:\n" + "\n---\n".join(errors)[:3000]
    for view, selector in VIEWS.items():
        if re.search(rf"\b{view}\(", source):
            assert panel.locator(selector).count() > 0, f"{notebook}: {view} not drawn"
    if "ClusterGrid(" in source:
        assert panel.locator(".course-grid .course-card").count() > 0, "no card in the grid"
    if "ipywidgets" in source or "course.views" in source:
        assert _shoot_views(page, screenshot, notebook), f"{notebook}: no widget output to show"
    _run_last(page)
    errors = [e for e in _errors(page) if "Traceback" in e or "Error" in e]
    assert not errors, f"{notebook} last cell: " + "\n---\n".join(errors)[:3000]


def test_the_replicas_slider_and_a_controller_pass_change_the_cards(jupyter, page, screenshot):
    """In the desired-state lesson, after moving the replicas slider and pressing the
    controller's button, does the grid show as many cards as the slider says?"""
    notebook = next(n for n in NOTEBOOKS if n.startswith("01-"))
    base, token = jupyter
    _open(page, base, token, f"source/{ASSIGNMENT}/{notebook}.ipynb")
    _run_all(page)
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
    _open(page, base, token, f"source/{ASSIGNMENT}/{notebook}.ipynb")
    solved = _validate(page)
    assert "Success" in solved or "passes all" in solved, f"{notebook} solved: {solved[:500]}"
    _open(page, base, token, f"release/{ASSIGNMENT}/{notebook}.ipynb")
    screenshot(page, f"{notebook}-student")
    student = _validate(page)
    assert "failed" in student.lower() or "error" in student.lower(), (
        f"{notebook} student version validated: {student[:500]}")
