"""Does the course open in JupyterLab 4 with what students and instructors need?"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_lab_opens_with_the_nbgrader_and_widget_extensions(jupyter, page, screenshot):
    """Does JupyterLab load with the nbgrader menu and the widget manager enabled?"""
    base, token = jupyter
    page.goto(f"{base}/lab?token={token}")
    page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    plugins = page.evaluate("() => Array.from(window.jupyterapp.listPlugins ? "
                            "window.jupyterapp.listPlugins() : [])")
    assert any(p.startswith("@jupyter/nbgrader") for p in plugins), plugins[:20]
    assert any(p.startswith("@jupyter-widgets/jupyterlab-manager") for p in plugins)
    assert page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").count() == 1
    screenshot(page, "lab-home")



def test_formgrader_lists_the_assignment(jupyter, page, screenshot):
    """Does the instructor's formgrader, opened in its own tab, list m7-orquestacion?"""
    base, token = jupyter
    page.goto(f"{base}/formgrader?token={token}")
    page.locator("table td", has_text="m7-orquestacion").first.wait_for(timeout=60_000)
    screenshot(page, "formgrader")
