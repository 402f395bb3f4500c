"""A real JupyterLab in a real browser: Debian's Chromium driven by Playwright.

The server runs on a free loopback port with a token, on a throwaway copy of the course (running
cells saves outputs: the committed notebooks must stay clean), with ``COURSE_BACKEND=sim`` so
every kernel uses the simulator. Playwright never downloads a browser: it is handed
``/usr/bin/chromium``. Screenshots land in ``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
SHOTS = ROOT / "artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


TAKEN: list[Path] = []  # this run's screenshots, listed at the end of the run


def pytest_terminal_summary(terminalreporter):
    """The list of screenshots this run saved, so a CI log says what there is to look at."""
    if TAKEN:
        terminalreporter.section(f"screenshots ({len(TAKEN)}, in {SHOTS.relative_to(ROOT)})")
        for path in sorted(set(TAKEN)):
            terminalreporter.write_line(f"{path.name}  {path.stat().st_size // 1024} KiB")


def _missing(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, server: subprocess.Popen, seconds: float, log: Path,
              what: str = "JupyterLab") -> None:
    """Wait until ``url`` answers; fail with the end of ``log`` if ``server`` (``what``) stops
    first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError as error:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start:\n"
                                   + log.read_text()[-3000:]) from error
            time.sleep(0.5)


@pytest.fixture(scope="session")
def course_copy(tmp_path_factory) -> Path:
    """The course as a student or instructor has it, copied so the browser cannot dirty it."""
    root = tmp_path_factory.mktemp("course")
    for name in ("source", "release", "nbgrader_config.py"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        elif src.exists():
            shutil.copy(src, root / name)
    return root


def _install_lab_settings() -> None:
    """The kit's JupyterLab settings (as `make` installs them): no news pop-up, and every cell
    rendered (JupyterLab 4 otherwise renders only the cells in view)."""
    target = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    wanted = (ROOT / "scripts" / "jupyterlab-overrides.json").read_text()
    if not target.exists() or target.read_text() != wanted:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(wanted)


@pytest.fixture(scope="session")
def jupyter(course_copy):
    """A running JupyterLab: yields ``(base_url, token)``."""
    _install_lab_settings()
    port, token = _free_port(), "m7-browser-test"
    # nbgrader's formgrader runs `alembic` by name: the venv's bin must be on PATH.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = dict(os.environ, COURSE_BACKEND="sim", PATH=path,
               JUPYTER_CONFIG_DIR=str(course_copy / ".jupyter"))
    log = open(course_copy / "jupyter.log", "w")  # noqa: SIM115 - closed in teardown
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
         f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={course_copy}", "--LabApp.expose_app_in_browser=True"],
        cwd=course_copy, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/api/status?token={token}", server, 60, course_copy / "jupyter.log")
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """``screenshot(target, name)`` saves a PNG of a page (what is in view) or of one element (a
    Playwright locator) under artifacts/screenshots/ and returns its path."""

    def take(target, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        target.screenshot(path=str(path))
        TAKEN.append(path)
        return path

    return take
