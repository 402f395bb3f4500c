"""A real JupyterLab in a real browser: Debian's Chromium driven by Playwright.

The server runs on a free loopback port with a token, on a throwaway copy of the course (running
cells saves outputs: the committed notebooks must stay clean), with ``COURSE_BACKEND=sim`` so
every kernel uses the simulator (``jupyter``), or on the real engine from a kernel that cannot
route to the containers (``jupyter_engine``). Playwright never downloads a browser: it is handed
``/usr/bin/chromium``. Screenshots land in ``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .relay import TcpToUnix

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
SHOTS = ROOT / "artifacts" / "screenshots"
TOKEN = "m7-browser-test"
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


def _copy_course(root: Path) -> Path:
    for name in ("source", "release", "nbgrader_config.py"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        elif src.exists():
            shutil.copy(src, root / name)
    return root


@pytest.fixture(scope="session")
def course_copy(tmp_path_factory) -> Path:
    """The course as a student or instructor has it, copied so the browser cannot dirty it."""
    return _copy_course(tmp_path_factory.mktemp("course"))


def _install_lab_settings() -> None:
    """The kit's JupyterLab settings (as `make` installs them): no news pop-up, and every cell
    rendered (JupyterLab 4 otherwise renders only the cells in view)."""
    target = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    wanted = (ROOT / "scripts" / "jupyterlab-overrides.json").read_text()
    if not target.exists() or target.read_text() != wanted:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(wanted)


def _serve(course: Path, backend: str, listen: list[str], netns: bool = False):
    """Start JupyterLab on ``course`` with every kernel on ``backend``; ``listen`` says where
    (a port or a Unix socket); with ``netns``, in a network namespace of its own (only ``lo``
    up, for the kernels' ZMQ sockets). Returns the process and its log."""
    _install_lab_settings()
    # nbgrader's formgrader runs `alembic` by name: the venv's bin must be on PATH.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = dict(os.environ, COURSE_BACKEND=backend, PATH=path,
               JUPYTER_CONFIG_DIR=str(course / ".jupyter"))
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", *listen,
               f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={course}",
               "--LabApp.expose_app_in_browser=True"]
    if netns:
        script = f"ip link set lo up && exec {shlex.join(command)}"
        command = ["unshare", "--net", "sh", "-c", script]
    log = open(course / "jupyter.log", "w")  # noqa: SIM115 - closed by _stop
    server = subprocess.Popen(command, cwd=course, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    return server, log


def _stop(server: subprocess.Popen, log) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="session")
def jupyter(course_copy):
    """A running JupyterLab whose kernels use the simulator: yields ``(base_url, token)``."""
    port = _free_port()
    server, log = _serve(course_copy, "sim", [f"--port={port}", "--ServerApp.ip=127.0.0.1"])
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/api/status?token={TOKEN}", server, 60, course_copy / "jupyter.log")
        yield base, TOKEN
    finally:
        _stop(server, log)


@pytest.fixture(scope="session")
def jupyter_engine(tmp_path_factory):
    """A running JupyterLab whose kernels use the real engine from a network namespace of their
    own (Docker Desktop's situation: the engine's socket answers, no container address routes):
    yields ``(base_url, token, server_pid)``. The server and its kernels live in the namespace
    (``unshare --net``, only ``lo`` up) and listen on a Unix socket; the browser reaches it
    through a loopback relay, so no byte of the views' traffic can take a host route."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        _missing("a network namespace of its own needs root, unshare and ip (iproute2)")
    import docker

    try:
        docker.from_env(timeout=10).ping()
    except Exception as error:  # noqa: BLE001 - any failure means no engine to test on
        _missing(f"no Docker engine answers: {error}")
    course = _copy_course(tmp_path_factory.mktemp("course-engine"))
    sock = course / "jupyter.sock"
    server, log = _serve(course, "docker", [f"--ServerApp.sock={sock}"],
                         netns=True)
    relay = TcpToUnix(str(sock))
    base = f"http://127.0.0.1:{relay.port}"
    try:
        wait_http(f"{base}/api/status?token={TOKEN}", server, 60, course / "jupyter.log")
        yield base, TOKEN, server.pid
    finally:
        _stop(server, log)
        relay.close()


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
