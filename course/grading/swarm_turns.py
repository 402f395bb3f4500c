"""Swarm mode is one state of the engine: the notebooks that use it take turns while grading.

On ``--backend docker`` two grading workers run kernels on one engine at once. Their labs keep to
their own names and labels, except for Swarm mode: a lesson that enters it and a lab that leaves it
when idle (:mod:`course.swarm_mode`) would race. So a worker holds an ``flock`` while it runs a
notebook whose released text uses Swarm mode; every other notebook grades in parallel. The lock is
taken by the grader's process, outside the sandbox, and which notebooks need it is read from the
instructor's ``source/``, never from a submission.

And the grader holds Swarm mode for the whole run (``swarm_held``): leaving it makes the engine
(docker 20.10 at least) forget the DNS names and aliases of every container on user-defined
networks (``nslookup`` answers NXDOMAIN after ``docker swarm leave``, for good), so a lab that
left the swarm at its cleanup broke the lookups of the notebook graded beside it (lesson 03 lost
right points that way). The held swarm carries a label that is not the kit's, so no lab leaves it.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from .. import swarm_mode

# How a lesson enters Swarm mode: the lab's helper, or docker-py's call itself.
SWARM_CALLS = ("ensure_swarm(", "swarm.init(")
# Spec.Labels of the swarm the grader holds: not the kit's (swarm_mode.kit_swarm_is_idle), so a
# lab's cleanup never leaves it.
HELD_LABELS = {swarm_mode.KIT_LABEL: "grader"}


def swarm_notebooks(source_dir: Path) -> list[str]:
    """The notebooks (stems) of ``source_dir`` whose code enters Swarm mode."""
    return sorted(
        nb.stem for nb in source_dir.glob("*.ipynb")
        if any(call in nb.read_text(encoding="utf-8") for call in SWARM_CALLS)
    )


def default_lock() -> str:
    """One lock per machine (two courses graded at once share the engine too); the
    ``COURSE_SWARM_LOCK`` environment variable names another (one other tools hold too)."""
    return os.environ.get("COURSE_SWARM_LOCK") or str(
        Path(tempfile.gettempdir()) / "course-engine-swarm-turn.lock")


@contextmanager
def swarm_turn(path: str | None):
    """Hold the Swarm turn (waiting for it) when ``path`` is given; do nothing otherwise."""
    if not path:
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def swarm_held(client, needed: bool):
    """While grading on the engine, keep it in Swarm mode from start to end when ``needed`` (some
    notebook uses Swarm mode): enter it first unless it already is, leave it at the end only if
    this call entered it."""
    made = needed and not swarm_mode.in_swarm(client)
    if made:
        client.swarm.init(advertise_addr="127.0.0.1", labels=HELD_LABELS)
    try:
        if made:  # until the manager answers; a swarm that never does is left again below
            swarm_mode.ensure_swarm(client, time.monotonic, time.sleep)
        yield made
    finally:
        if made:
            swarm_mode.leave_swarm(client, time.monotonic, time.sleep)
