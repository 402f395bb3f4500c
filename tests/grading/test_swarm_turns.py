"""Swarm turns: on the engine, the notebooks that enter Swarm mode grade one at a time, the others
in parallel (course.grading.swarm_turns). Judged from outside: which notebooks the grader's
configuration lists, and whether a second process can take the turn while one holds it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import nbformat

from course.grading.grade import autograde_config
from course.grading.swarm_turns import swarm_notebooks, swarm_turn

TRY_LOCK = textwrap.dedent("""
    import fcntl, sys
    with open(sys.argv[1], "a") as h:
        try:
            fcntl.flock(h, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("busy")
        else:
            print("free")
""")


def _notebook(path, code):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbformat.write(nb, path)


def test_the_notebooks_that_enter_swarm_mode_are_read_from_source(tmp_path):
    """Are exactly the notebooks that call ensure_swarm or swarm.init listed?"""
    source = tmp_path / "course" / "source" / "a1"
    source.mkdir(parents=True)
    _notebook(source / "01-contenedores.ipynb", "lab.run('web')")
    _notebook(source / "02-swarm.ipynb", "lab.ensure_swarm()")
    _notebook(source / "03-init.ipynb", "client.swarm.init(advertise_addr='127.0.0.1')")
    assert swarm_notebooks(source) == ["02-swarm", "03-init"]
    root = tmp_path / "course"
    docker = autograde_config(root, "sqlite://", None, "docker", confine=False, assignment="a1")
    assert docker.ResilientExecute.swarm_notebooks == ["02-swarm", "03-init"]
    assert docker.ResilientExecute.swarm_lock
    sim = autograde_config(root, "sqlite://", None, "sim", confine=False, assignment="a1")
    assert "swarm_notebooks" not in sim.ResilientExecute  # the simulator: one cluster per kernel


def test_a_second_process_waits_for_the_turn(tmp_path):
    """While one grader holds the turn, is it busy for another process, and free after?"""
    lock = str(tmp_path / "turn.lock")

    def other() -> str:
        return subprocess.run([sys.executable, "-c", TRY_LOCK, lock], capture_output=True,
                              text=True, check=True).stdout.strip()

    with swarm_turn(lock):
        assert other() == "busy"
    assert other() == "free"
    with swarm_turn(None):  # no lock given (the simulator): nothing held
        assert other() == "free"
