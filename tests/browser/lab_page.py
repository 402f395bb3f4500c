"""What a student does in a JupyterLab page, as Playwright steps: open a notebook, run its
cells, read its errors, press nbgrader's Validate, photograph its views.

Every step looks only at the notebook in front (``.jp-NotebookPanel:not(.lm-mod-hidden)``):
JupyterLab keeps other tabs in the page.
"""

from __future__ import annotations

from pathlib import Path

RUN_TIMEOUT_MS = 240_000


def open_notebook(page, base, token, path):
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


def run_all(page, keep_last: bool = False):
    """Run every cell (or every cell but the last, the lab's cleanup, with ``keep_last``) and wait
    until the run is over: no cell busy, and every code cell ran or an error stopped the run."""
    command = "notebook:run-all-above" if keep_last else "notebook:run-all-cells"
    page.evaluate(
        """([command, keepLast]) => { const nb = window.jupyterapp.shell.currentWidget.content;
             if (keepLast) nb.activeCellIndex = nb.widgets.length - 1;
             return window.jupyterapp.commands.execute(command); }""", [command, keep_last])
    wait_ran(page, skip_last=keep_last)


def run_last(page):
    """Run the last cell (the lab's cleanup) and wait for it."""
    page.evaluate(
        """() => { const nb = window.jupyterapp.shell.currentWidget.content;
             nb.activeCellIndex = nb.widgets.length - 1;
             return window.jupyterapp.commands.execute('notebook:run-cell'); }""")
    wait_ran(page, skip_last=False)


def wait_ran(page, skip_last: bool):
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


def shoot_views(page, screenshot, notebook) -> list[Path]:
    """A screenshot of each output that holds a widget (grid, chart, control, quiz), as the
    student sees it before the cleanup cell empties the cluster."""
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    outputs = panel.locator(".jp-OutputArea-output", has=page.locator(".jupyter-widgets"))
    shots = []
    viewport = page.viewport_size
    for i in range(outputs.count()):
        output = outputs.nth(i)
        output.scroll_into_view_if_needed()
        box = output.bounding_box()
        tall = box is not None and box["height"] > viewport["height"] - 200
        if tall:  # the notebook scrolls inside the page: a taller window shows the whole output
            page.set_viewport_size({**viewport, "height": int(box["height"]) + 300})
            output.scroll_into_view_if_needed()
        shots.append(screenshot(output, f"{notebook}-view-{i + 1:02d}"))
        if tall:
            page.set_viewport_size(viewport)
    return shots


def type_answer(page, index: int, code: str) -> None:
    """Replace a cell's text as a student does: click into it, select all, paste the answer."""
    editor = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").nth(index).locator(
        ".cm-content")
    editor.scroll_into_view_if_needed()
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)  # a paste: no auto-indent, no auto-closed brackets


def answer_and_save(page, notebook, answers: dict[str, str]) -> None:
    """Type ``{grade_id: code}`` into the answer cells of ``notebook`` (the nbformat of the page's
    notebook), save, and wait until JupyterLab has written it."""
    from course.grading.cells import grade_id, is_solution

    for index, cell in enumerate(notebook.cells):
        if is_solution(cell):
            type_answer(page, index, answers[grade_id(cell)])
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000)


def errors(page) -> list[str]:
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    return panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                         ", .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"
                         ).all_inner_texts()


def validate(page, on_verdict=None) -> str:
    """Press Validate and return the dialog's text; ``on_verdict(page)`` runs (a screenshot)
    while the dialog is still open."""
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").first.click()
    dialog = page.locator(".jp-Dialog-content")
    dialog.wait_for(timeout=RUN_TIMEOUT_MS)
    page.wait_for_function(
        "() => { const d = document.querySelector('.jp-Dialog-body');"
        " return d && !/Validating/i.test(d.innerText) && d.innerText.trim().length > 0; }",
        timeout=RUN_TIMEOUT_MS)
    text = page.locator(".jp-Dialog-body").inner_text()
    if on_verdict is not None:
        on_verdict(page)
    page.keyboard.press("Escape")
    return text
