"""The grading sandbox itself: what a confined kernel sees and how its limits end it.

Each test starts a real kernel in bwrap and judges from outside (the host's files, the kernel's
liveness), or drives `course grade` where confinement is missing.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from concurrent.futures import ThreadPoolExecutor

import docker
import pytest
from click.testing import CliRunner

from course.cli import main
from course.grading.nbconfig import load_config
from course.grading.preprocessors import ResilientExecute
from course.grading.sandbox import ConfinedKernelManager

from .conftest import REPO


def _asyncio_run(coroutine):
    """``asyncio.run`` in a thread of its own: the browser tests' session-wide Playwright keeps
    an event loop running in the main thread, where ``asyncio.run`` refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _run(km_options: dict, cwd, code: str, wait: float = 0.0) -> tuple[str, bool]:
    """Start a confined kernel in ``cwd``, run ``code``, wait; its stdout and whether it lives."""

    async def go():
        km = ConfinedKernelManager(kernel_name="python3", **km_options)
        await km.start_kernel(cwd=str(cwd))
        kc = km.client()
        kc.start_channels()
        out = []
        try:
            await kc.wait_for_ready(timeout=60)
            await kc.execute_interactive(
                code,
                timeout=30,
                output_hook=lambda m: out.append(m["content"].get("text", "")),
            )
            await asyncio.sleep(wait)
            return "".join(out), await km.is_alive()
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    return _asyncio_run(go())


def test_plain_nbgrader_autograde_gets_the_confined_kernel_manager():
    """Does the pipeline nbgrader_config.py gives nbgrader autograde use the sandbox, on?"""
    config = load_config(REPO)
    pipeline = config.Autograde.autograde_preprocessors
    assert "course.grading.preprocessors.ResilientExecute" in pipeline
    execute = ResilientExecute(config=config)
    assert execute.kernel_manager_class is ConfinedKernelManager
    assert ConfinedKernelManager(config=config).confine is True


@pytest.mark.slow
def test_a_confined_kernel_writes_only_its_private_copy(tmp_path):
    """A file the kernel writes in its folder: not in the real folder; the course is not there."""
    folder = tmp_path / "course" / "autograded" / "eva" / "a1"
    folder.mkdir(parents=True)
    (tmp_path / "course" / "gradebook.db").write_text("secreto")
    out, _ = _run(
        {},
        folder,
        "import os\nopen('nuevo.txt', 'w').write('x')\n"
        "print(os.path.exists('../../../gradebook.db'), os.getuid() != 0)",
    )
    assert out.split() == ["False", "True"]
    assert not (folder / "nuevo.txt").exists()


@pytest.mark.slow
def test_the_wall_clock_kills_a_kernel_from_outside(tmp_path):
    """With wall_seconds=4, is the kernel dead soon after 4 s, though it was alive at start?"""

    async def go():
        km = ConfinedKernelManager(kernel_name="python3", wall_seconds=4)
        started = time.monotonic()
        await km.start_kernel(cwd=str(tmp_path))
        try:
            assert await km.is_alive()
            while await km.is_alive() and time.monotonic() - started < 30:
                await asyncio.sleep(0.2)
            return await km.is_alive(), time.monotonic() - started
        finally:
            await km.shutdown_kernel(now=True)

    alive, seconds = _asyncio_run(go())
    assert not alive
    assert 3.5 < seconds < 30


def test_grading_stops_where_it_cannot_confine(released_course, monkeypatch):
    """No bwrap: does `course grade` stop with how to get it and the flag that says the risk?"""
    grade_module = importlib.import_module("course.grading.grade")  # the module, not grade()
    monkeypatch.setattr(grade_module, "confinement_problem", lambda: "bubblewrap is not installed")
    (released_course.root / "submitted" / "ana" / "a1").mkdir(parents=True, exist_ok=True)
    try:
        result = CliRunner().invoke(main, ["--root", str(released_course.root), "grade", "a1"])
    finally:
        (released_course.root / "submitted" / "ana" / "a1").rmdir()
    assert result.exit_code == 1
    assert "bubblewrap is not installed" in result.output
    assert "--unconfined-i-trust-student-code" in result.output


@pytest.mark.parametrize("flag", ["--unconfined-i-trust-student-code"])
def test_the_unconfined_flag_is_offered_by_course_grade(flag):
    """Is the risky flag spelled the way the refusal tells the instructor to spell it?"""
    result = CliRunner().invoke(main, ["grade", "--help"])
    assert flag in result.output


@pytest.mark.slow
@pytest.mark.docker
def test_on_backend_docker_the_confined_kernel_reaches_the_engine_and_nothing_else(
    tmp_path, docker_client
):
    """With the engine handed in, does the kernel reach it through its proxy only: no network, no
    engine socket of the host, no container of anyone else, nothing privileged, and is what it
    leaves on the engine gone once it ends (judged from the host's client)?"""
    from course import images
    from course.grading.grade import engine_socket

    web = images.ensure_image(docker_client, "web", 1)
    other = docker_client.containers.run(web, detach=True, name="m7-sandbox-other",
                                         labels={"course.kit": "modulo7"})
    code = (
        "import docker, os, socket\n"
        "c = docker.from_env(timeout=10)\n"
        "print('ping', c.ping())\n"
        "print('others', [x.name for x in c.containers.list(all=True)])\n"
        "try:\n"
        f"    c.containers.run({web!r}, detach=True, privileged=True); print('privileged ran')\n"
        "except docker.errors.APIError as e:\n"
        "    print('privileged', e.status_code)\n"
        f"left = c.containers.run({web!r}, detach=True, labels={{'course.kit': 'modulo7'}})\n"
        "print('left', left.id)\n"
        "s = socket.socket()\n"
        "try:\n"
        "    s.connect(('127.0.0.1', 5432)); print('net open')\n"
        "except OSError:\n"
        "    print('net closed')\n"
    )
    try:
        out, _ = _run({"docker_socket": engine_socket()}, tmp_path, code)
        other.reload()
        assert other.status == "running"
    finally:
        other.remove(force=True)
    assert "ping True" in out and "others []" in out, out
    assert "privileged 403" in out and "net closed" in out, out
    left = out.split("left ", 1)[1].split()[0]
    with pytest.raises(docker.errors.NotFound):
        docker_client.containers.get(left)


def test_the_submission_wall_clock_spans_its_notebooks(course_copy):
    """With submission_seconds=25, does a submission whose second notebook sleeps keep the first
    notebook's points and lose every later one (the third never runs), judged by the gradebook
    and by the grader's own error in the autograded notebook?"""
    import nbformat

    from course import grading
    from course.grading.fixtures import solution_submission
    from course.grading.gradebook import scores
    from course.grading.nbconfig import db_url_of
    from course.grading.preprocessors import OUT_OF_TIME

    from .conftest import ASSIGNMENT, hand_in

    config = course_copy.root / "nbgrader_config.py"
    config.write_text(config.read_text() + "\nc.ConfinedKernelManager.submission_seconds = 25\n")
    release = course_copy.step_dir("release", ASSIGNMENT)
    for path in course_copy.notebooks("source", ASSIGNMENT):
        nb = solution_submission(path, release / path.name)
        if path.stem == "02-entorno":
            cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
            cell.source += "\nimport time\ntime.sleep(120)\n"
        hand_in(course_copy, "lenta", path.stem, nb)
    started = time.monotonic()
    report = grading.grade(course_copy, ASSIGNMENT, jobs=1)
    assert time.monotonic() - started < 150  # 25 s, the 10 s start grace, the 3rd kernel
    assert report.ok, [r.error for r in report.results]
    got = scores(db_url_of(course_copy.root), ASSIGNMENT, "lenta")
    assert all(score == top for score, top in got["01-sumas"].values())
    assert all(score == 0 for score, _ in got["02-entorno"].values())
    assert all(score == 0 for score, _ in got["03-contenedores"].values())
    graded = course_copy.root / "autograded" / "lenta" / ASSIGNMENT / "03-contenedores.ipynb"
    cells = nbformat.read(graded, 4).cells
    tests = [c for c in cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert tests and all(OUT_OF_TIME in str(c.outputs) for c in tests)


def test_the_seccomp_filter_refuses_what_a_kernel_never_needs(tmp_path):
    """In a confined kernel: do unshare (a new user namespace), keyctl and ptrace fail with
    EPERM while threads and child processes (what kernels and lessons use) still work?"""
    code = (
        "import ctypes, subprocess, threading\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "def errno_of(result):\n"
        "    return ctypes.get_errno() if result == -1 else 0\n"
        "print('unshare', errno_of(libc.unshare(0x10000000)))\n"
        "print('keyctl', errno_of(libc.syscall(250, 0, 0)))\n"
        "print('ptrace', errno_of(libc.syscall(101, 0, 0, 0, 0)))\n"
        "t = threading.Thread(target=lambda: print('thread ran')); t.start(); t.join()\n"
        "print('child', subprocess.run(['true']).returncode)\n"
    )
    from course.grading import seccomp

    if not seccomp.supported():
        pytest.skip("the filter is written for x86_64 and aarch64")
    out, _ = _run({}, tmp_path, code)
    assert "unshare 1" in out and "keyctl 1" in out and "ptrace 1" in out, out
    assert "thread ran" in out and "child 0" in out, out


def test_the_seccomp_program_assembles_for_both_architectures():
    """Does each architecture's program hold whole sock_filter records, end with a return, and
    refuse the x32 calls only on x86_64?"""
    from course.grading import seccomp

    for machine in ("x86_64", "aarch64"):
        code = seccomp.program(machine)
        assert len(code) % 8 == 0 and len(code) // 8 > len(seccomp.DENIED) // 2
        assert code[-8:-6] == bytes([seccomp.RET_K, 0])
    x86, arm = seccomp.program("x86_64"), seccomp.program("aarch64")
    assert seccomp.X32_BIT.to_bytes(4, "little") in x86
    assert seccomp.X32_BIT.to_bytes(4, "little") not in arm
