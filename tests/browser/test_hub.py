"""A term on a real JupyterHub, as the class lives it: an instructor and two students, each a Unix
user with a private home, logged in through the hub's login page (PAM), nbgrader's exchange between
them, grading and feedback.

The hub is started from exactly ``deploy/jupyterhub_config.py`` (only its ports are moved to free
ones on the command line) and the accounts are made with ``deploy/alta-usuarios.sh``, as the
instructor guide says. Student A (``m7ana``) works in the browser: the *Assignments* panel fetches
the assignment, lesson 00 is answered, validated and submitted, and the feedback is fetched and
read there. Student B (``m7beto``) hands in a wrong answer from a shell. The instructor
(``m7profe``) releases, collects, grades, and releases feedback with the guide's commands, as that
user, and checks the formgrader in the browser. Everything is judged from outside: files on disk,
the gradebook, what each user can read. Each step's wall time is printed at the end.
"""

from __future__ import annotations

import hashlib
import html
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from course.grading.cells import grade_id, is_solution, solution_only
from course.grading.gradebook import scores

from . import lab_page
from .conftest import IN_CI, ROOT, SHOTS, _free_port, wait_http

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT, LESSON = "m7-orquestacion", "00-por-que-orquestar"
INSTRUCTOR, ANA, BETO = "m7profe", "m7ana", "m7beto"
PASSWORD = "clave-de-prueba-7"
WRONG = ROOT / "tests" / "fixtures" / "submissions" / ASSIGNMENT / "00-ignora-n.yml"
# The hub's shared environment and the course as a hub's admin installs them (guide, "JupyterHub"):
# readable by every user, unlike this venv's interpreter (under /root here). Reused between runs
# while the kit's files are the same.
HUB_HOME = Path(os.environ.get("COURSE_HUB_ENV", "/var/tmp/m7-hub"))
KIT = HUB_HOME / "curso"
BIN = HUB_HOME / "venv" / "bin"
DEPLOY = KIT / "deploy"
KIT_FILES = ("deploy", "lessons", "source", "release", "nbgrader_config.py")


def _missing(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


class Hub:
    """The running hub, its accounts and a way to act as each of them."""

    def __init__(self, base: Path, url: str):
        self.base, self.url = base, url
        self.exchange = base / "exchange"
        self.steps: list[tuple[str, float]] = []
        self._started = time.monotonic()

    def step(self, name: str) -> None:
        now = time.monotonic()
        self.steps.append((name, now - self._started))
        self._started = now

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    def env(self, user: str) -> dict[str, str]:
        """The environment the hub gives that user's server (deploy/jupyterhub_config.py)."""
        role = "instructor" if user == INSTRUCTOR else "student"
        jupyter = DEPLOY / "jupyter"
        return {"HOME": str(self.home(user)), "USER": user, "LOGNAME": user,
                "JUPYTER_CONFIG_PATH": f"{jupyter / role}{os.pathsep}{jupyter / 'common'}",
                "COURSE_EXCHANGE": str(self.exchange), "LANG": "C.UTF-8",
                "PATH": os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"])}

    def run_as(self, user: str, *command: str, cwd: Path | None = None, check: bool = True):
        """Run a command as ``user`` (as in a terminal of that user's server)."""
        done = subprocess.run(
            ["runuser", "-u", user, "--", "env", "-i",
             *[f"{k}={v}" for k, v in self.env(user).items()], *command],
            cwd=cwd or self.home(user), capture_output=True, text=True, timeout=600)
        if check and done.returncode != 0:
            raise AssertionError(f"{user}$ {' '.join(command)} → {done.returncode}\n"
                                 f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        return done


def _stamp() -> str:
    digest = hashlib.sha256()
    for path in sorted([ROOT / "pyproject.toml", *(ROOT / "course").rglob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _shared_environment() -> None:
    """The kit installed (not editable) in a venv every user can run, and the course copied."""
    python = Path("/usr/bin/python3")
    probe = subprocess.run(["runuser", "-u", "nobody", "--", str(python), "-c",
                            "import sys; print('%d.%d' % sys.version_info[:2])"],
                           capture_output=True, text=True)
    wanted = "{}.{}".format(*sys.version_info[:2])
    if probe.stdout.strip() != wanted:
        _missing(f"no Python {wanted} that every user can run at {python} ({probe.stderr[-200:]})")
    HUB_HOME.mkdir(parents=True, exist_ok=True)
    HUB_HOME.chmod(0o755)
    stamp = HUB_HOME / "stamp"
    if not stamp.exists() or stamp.read_text() != _stamp():
        if not (BIN / "python").exists():
            subprocess.run([str(python), "-m", "venv", str(HUB_HOME / "venv")], check=True)
        subprocess.run([str(BIN / "python"), "-m", "pip", "install", "-q", "--force-reinstall",
                        "--no-deps", str(ROOT)], check=True, capture_output=True)
        subprocess.run([str(BIN / "python"), "-m", "pip", "install", "-q", f"{ROOT}[hub]"],
                       check=True, capture_output=True)
        settings = HUB_HOME / "venv" / "share" / "jupyter" / "lab" / "settings"
        settings.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "scripts" / "jupyterlab-overrides.json", settings / "overrides.json")
        stamp.write_text(_stamp())
    shutil.rmtree(KIT, ignore_errors=True)
    KIT.mkdir()
    for name in KIT_FILES:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, KIT / name)


def _add_accounts() -> None:
    for role, users in (("profes", [INSTRUCTOR]), ("alumnos", [ANA, BETO])):
        lines = "".join(f"{u}:{PASSWORD}\n" for u in users)
        subprocess.run([str(DEPLOY / "alta-usuarios.sh"), role], input=lines, text=True,
                       check=True, capture_output=True)


def _remove_accounts() -> None:
    for user in (INSTRUCTOR, ANA, BETO):
        subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
        subprocess.run(["userdel", "--remove", user], capture_output=True)
    for group in ("modulo7-profes", "modulo7-alumnos"):
        subprocess.run(["groupdel", group], capture_output=True)


@pytest.fixture(scope="module")
def hub():
    """A hub from deploy/jupyterhub_config.py with its three accounts; all removed afterwards."""
    if os.geteuid() != 0:
        _missing("the hub test makes Unix users and runs the hub as root")
    if shutil.which("configurable-http-proxy") is None:
        _missing("configurable-http-proxy not installed (npm install -g configurable-http-proxy)")
    started = time.monotonic()
    _shared_environment()
    _remove_accounts()  # what an aborted run may have left
    base = Path(tempfile.mkdtemp(prefix="m7-hub-"))
    base.chmod(0o755)  # the exchange inside must be reachable by every user
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    state = base / "state"
    env = dict(os.environ, COURSE_HUB_URL=url, COURSE_EXCHANGE=str(base / "exchange"),
               COURSE_HUB_STATE=str(state),
               PATH=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))
    env.pop("COURSE_BACKEND", None)
    log = open(base / "hub.log", "w")  # noqa: SIM115 - closed below
    _add_accounts()
    server = None
    try:
        server = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f", str(DEPLOY / "jupyterhub_config.py"),
             f"--JupyterHub.hub_bind_url=http://127.0.0.1:{_free_port()}",
             f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{_free_port()}",
             # the page steps read JupyterLab's state (tests/browser/lab_page.py)
             "--Spawner.args=--LabApp.expose_app_in_browser=True"],
            cwd=base, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_http(f"{url}/hub/login", server, 90, base / "hub.log", what="JupyterHub")
        state_of = Hub(base, url)
        state_of.steps.append(("shared environment, three accounts, hub up",
                               time.monotonic() - started))
        state_of._started = time.monotonic()
        yield state_of
    finally:
        if server is not None:
            server.terminate()  # the hub stops the users' servers it spawned
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, 9)
                server.wait()
        log.close()
        shown = (base / "hub.log").read_text()[-4000:]
        _remove_accounts()
        shutil.rmtree(base, ignore_errors=True)
        print("\nhub log (end):\n" + shown)


def _login(page, hub: Hub, user: str) -> None:
    """The hub's login page, as a person uses it; waits until JupyterLab is up."""
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{user}/lab**", timeout=180_000)
    page.wait_for_selector(".jp-LabShell", timeout=120_000)
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)


def _assignments_panel(page):
    """Open nbgrader's Assignments panel from its menu and return it once it has loaded."""
    page.get_by_role("menuitem", name="Nbgrader").click()
    page.get_by_role("menuitem", name="Assignment List").click()
    panel = page.locator("#nbgrader-assignment-list")
    panel.wait_for(timeout=60_000)
    return panel


def _answers() -> dict[str, str]:
    source = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{LESSON}.ipynb", as_version=4)
    return {grade_id(c): solution_only(c.source) for c in source.cells if is_solution(c)}


def test_a_term_on_the_hub(hub, browser, screenshot, request):
    """Release → fetch → answer → validate → submit → collect → grade → feedback, user by user."""
    try:
        _term(hub, browser, screenshot)
    finally:
        lines = [f"{s:7.1f} s  {name}" for name, s in hub.steps]
        lines.append(f"{sum(s for _, s in hub.steps):7.1f} s  total")
        text = "a term on the hub:\n" + "\n".join(lines) + "\n"
        SHOTS.parent.mkdir(parents=True, exist_ok=True)
        (SHOTS.parent / "hub-term.txt").write_text(text)
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print("\n" + text, end="")


def _term(hub: Hub, browser, screenshot) -> None:
    root = hub.home(INSTRUCTOR) / "modulo7"

    # The instructor hands out the assignment (guide §2).
    hub.run_as(INSTRUCTOR, str(BIN / "course"), "release", ASSIGNMENT, cwd=root)
    hub.run_as(INSTRUCTOR, "nbgrader", "release_assignment", ASSIGNMENT, cwd=root)
    hub.step("instructor: course release + nbgrader release_assignment")

    # Student A, in the browser: fetch, answer lesson 00, validate, submit.
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        _login(page, hub, ANA)
        hub.step(f"{ANA}: login, server spawned, JupyterLab up")
        panel = _assignments_panel(page)
        released = panel.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
        released.wait_for(timeout=60_000)
        screenshot(page, "hub-assignments-released")
        released.get_by_role("button", name="Fetch", exact=True).click()
        fetched = hub.home(ANA) / ASSIGNMENT / f"{LESSON}.ipynb"
        _until(lambda: fetched.exists(), "the fetched lesson in A's home")
        hub.step(f"{ANA}: Assignments panel, fetched")

        lab_page.open_notebook(page, f"{hub.url}/user/{ANA}", "", f"{ASSIGNMENT}/{LESSON}.ipynb")
        student = nbformat.read(fetched, as_version=4)
        answers = _answers()
        lab_page.answer_and_save(page, student, answers)
        verdict = lab_page.validate(page, lambda p: screenshot(p, "hub-validate"))
        assert "Success" in verdict or "passes all" in verdict, verdict[:800]
        hub.step(f"{ANA}: lesson 00 answered, saved, Validate passes")

        panel = _assignments_panel(page)
        item = panel.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first
        item.get_by_role("button", name="Submit", exact=True).click()
        inbound = hub.exchange / "modulo7" / "inbound"
        _until(lambda: any(p.name.startswith(f"{ANA}+{ASSIGNMENT}+") for p in inbound.iterdir())
               if inbound.exists() else False, "A's submission in the exchange")
        panel.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for(
            timeout=60_000)
        screenshot(page, "hub-assignments-submitted")
        hub.step(f"{ANA}: submitted from the panel")

        # Student B, from a shell: fetch, a wrong answer, submit.
        hub.run_as(BETO, "nbgrader", "fetch_assignment", ASSIGNMENT)
        wrong = yaml.safe_load(WRONG.read_text())
        path = hub.home(BETO) / ASSIGNMENT / f"{LESSON}.ipynb"
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if is_solution(cell):
                cell.source = wrong["cells"].get(grade_id(cell), answers[grade_id(cell)])
        _write_as(hub, BETO, path, nbformat.writes(nb))
        hub.run_as(BETO, "nbgrader", "submit", ASSIGNMENT)
        hub.step(f"{BETO}: fetched, wrong answer, submitted (shell)")

        # A cannot read B's home, list the hand-ins or move the course's exchange folder. B's
        # hand-in is protected by nbgrader's unguessable folder name (72 random bits) in an
        # inbound folder nobody but the instructor can list: nbgrader leaves the folder itself
        # open (0777, "so the instructor can delete later") to whoever knows the name.
        for target in (hub.home(BETO), path, inbound):
            denied = hub.run_as(ANA, "ls", str(target), check=False)
            assert denied.returncode != 0 and "Permission denied" in denied.stderr, (
                target, denied.stdout, denied.stderr)
        course_dir = hub.exchange / "modulo7"
        moved = hub.run_as(ANA, "mv", str(course_dir), str(hub.exchange / "mio"), check=False)
        assert moved.returncode != 0 and course_dir.is_dir(), (moved.stderr, "sticky exchange")
        theirs = next(p for p in inbound.iterdir() if p.name.startswith(f"{BETO}+"))
        assert len(theirs.name.rsplit("+", 1)[-1]) >= 12, theirs.name
        engine = hub.run_as(ANA, str(BIN / "python"), "-c",
                            "import docker; docker.from_env(timeout=5).ping()", check=False)
        assert engine.returncode != 0, "a student's account reaches the Docker engine"
        hub.step(f"{ANA}: cannot read B's home, list hand-ins, move the exchange, use Docker")

        # The instructor collects, grades (confined), makes and releases feedback (guide §3–5).
        hub.run_as(INSTRUCTOR, "nbgrader", "collect", ASSIGNMENT, cwd=root)
        graded = hub.run_as(INSTRUCTOR, str(BIN / "course"), "grade", ASSIGNMENT, "--jobs", "2",
                           cwd=root)
        hub.run_as(INSTRUCTOR, str(BIN / "course"), "feedback", ASSIGNMENT, cwd=root)
        hub.run_as(INSTRUCTOR, "nbgrader", "release_feedback", ASSIGNMENT, cwd=root)
        hub.step("instructor: collect, course grade, feedback, release_feedback")
        url = f"sqlite:///{root / 'gradebook.db'}"
        got_a, got_b = scores(url, ASSIGNMENT, ANA), scores(url, ASSIGNMENT, BETO)
        mine = _cells(got_a, LESSON)
        assert mine and all(score == top for score, top in mine), (graded.stdout, got_a)
        lost = [cell for cell, (score, top) in _by_cell(got_b, LESSON).items() if score < top]
        assert lost == list(wrong["expected"]), (graded.stdout, got_b)

        # A fetches the feedback in the panel and reads it: own scores, no hidden test.
        panel = _assignments_panel(page)
        item = panel.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first
        item.get_by_role("button", name="Fetch Feedback").click()
        feedback = hub.home(ANA) / ASSIGNMENT / "feedback"
        _until(lambda: any(feedback.rglob(f"{LESSON}.html")), "A's feedback in A's home")
        sheet = next(feedback.rglob(f"{LESSON}.html"))
        _own_scores_no_hidden_test(sheet.read_text(), got_a)
        page.goto(f"{hub.url}/user/{ANA}/files/{sheet.relative_to(hub.home(ANA))}")
        page.wait_for_load_state()
        screenshot(page, "hub-feedback")
        hub.step(f"{ANA}: feedback fetched and opened")
    finally:
        context.close()
    hub.run_as(BETO, "nbgrader", "fetch_feedback", ASSIGNMENT)
    theirs = next((hub.home(BETO) / ASSIGNMENT / "feedback").rglob(f"{LESSON}.html"))
    _own_scores_no_hidden_test(theirs.read_text(), got_b)
    hub.step(f"{BETO}: feedback fetched (shell)")

    # The formgrader, in its own tab, lists both submissions with their scores.
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        _login(page, hub, INSTRUCTOR)
        page.goto(f"{hub.url}/user/{INSTRUCTOR}/formgrader/manage_submissions/{ASSIGNMENT}")
        for user in (ANA, BETO):
            page.locator("table tbody tr", has_text=user).first.wait_for(timeout=60_000)
        screenshot(page, "hub-formgrader")
        hub.step(f"{INSTRUCTOR}: formgrader lists both submissions")
    finally:
        context.close()


def _hidden_lines() -> set[str]:
    """Lines of lesson 00's hidden tests that stand nowhere else in the notebook."""
    source = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{LESSON}.ipynb", as_version=4)
    hidden, shown = set(), set()
    for cell in source.cells:
        inside = False
        for line in cell.source.splitlines():
            if "### BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "### END HIDDEN TESTS" in line:
                inside = False
            elif len(line.strip()) > 12:
                (hidden if inside else shown).add(line.strip())
    return hidden - shown


def _own_scores_no_hidden_test(page: str, got) -> None:
    """The feedback page shows this student's own total and none of the hidden tests' code."""
    cells = _cells(got, LESSON)
    total, top = sum(s for s, _ in cells), sum(t for _, t in cells)
    assert f"{LESSON} (Score: {round(total, 2)} / {round(top, 2)})" in page, page[:3000]
    text = html.unescape(page)
    assert "pruebas ocultas" in text, "the hidden tests' placeholder is missing"
    leaked = [line for line in _hidden_lines() if line in text]
    assert not leaked and "BEGIN HIDDEN TESTS" not in text, leaked


def _by_cell(got, notebook) -> dict[str, tuple[float, float]]:
    return {cell: (score or 0, top) for cell, (score, top) in got.get(notebook, {}).items()}


def _cells(got, notebook):
    return list(_by_cell(got, notebook).values())


def _write_as(hub: Hub, user: str, path: Path, text: str) -> None:
    subprocess.run(["runuser", "-u", user, "--", "tee", str(path)], input=text, text=True,
                   check=True, capture_output=True)


def _until(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)
