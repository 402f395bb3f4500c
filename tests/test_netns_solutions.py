"""CI proof of issue 13: the solutions run with papermill on the real engine from a kernel
that cannot route to the containers.

Each notebook runs in a network namespace of its own (``unshare --net`` with ``lo`` up, so the
Jupyter kernel's ZMQ sockets work): only the engine's Unix socket answers, as on Docker Desktop,
rootless Docker or a confined grading kernel. Lessons that enter Swarm mode run under the shared
engine's Swarm lock (``flock /tmp/engine-swarm.lock``) when ``flock`` exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# 04 and 05-1 run in a browser page instead, on a JupyterLab in a namespace of its own, which also
# draws their views (tests/browser/test_notebooks.py, ENGINE_LESSONS): running them here too
# would pay twice for the same cells.
IN_THE_BROWSER = ("04-", "05-1-")
SOURCES = [p for p in sorted((ROOT / "source" / "m7-orquestacion").glob("*.ipynb"))
           if not p.name.startswith(IN_THE_BROWSER)]
SWARM_LESSONS = ("02-", "05-2-", "07-", "08-")
SWARM_LOCK = "/tmp/engine-swarm.lock"

pytestmark = [
    pytest.mark.docker,
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"),
                       reason="a network namespace of its own needs root, unshare and ip"),
]

RUN = """
import sys
from pathlib import Path
from course.grading.validate import run_notebooks
[run] = run_notebooks([Path(sys.argv[1])], "docker", Path(sys.argv[2]), timeout=600)
print(f"{run.notebook}: {run.seconds:.0f} s")
if run.error:
    print(run.error)
    sys.exit(1)
"""


# The runs wait on the engine far more than they compute (lab.sleep, containers starting), so
# they overlap: WORKERS lessons without Swarm at a time, plus the Swarm ones one after another
# (each under the lock) beside them. COURSE_NETNS_WORKERS=1 runs everything in sequence.
WORKERS = int(os.environ.get("COURSE_NETNS_WORKERS", "2"))


def _run(notebook: Path, outdir: Path) -> subprocess.CompletedProcess:
    command = ["unshare", "--net", "sh", "-c",
               f'ip link set lo up && exec {sys.executable} -c "$0" "$1" "$2"',
               RUN, str(notebook), str(outdir)]
    if notebook.name.startswith(SWARM_LESSONS) and shutil.which("flock"):
        command = ["flock", SWARM_LOCK, *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory):
    """``{notebook: Future}``: the run of every lesson this session selected (``-k``), all
    started at once in the background."""
    outdir = tmp_path_factory.mktemp("netns-runs")
    selected = [item.callspec.params["notebook"] for item in request.session.items
                if item.path == request.path and hasattr(item, "callspec")]
    swarm = [p for p in selected if p.name.startswith(SWARM_LESSONS)]
    plain = [p for p in selected if p not in swarm]
    with (ThreadPoolExecutor(max(WORKERS, 1)) as pool,
          ThreadPoolExecutor(1) as swarm_pool):
        if WORKERS <= 1:
            swarm_pool = pool
        futures = {p: pool.submit(_run, p, outdir) for p in plain}
        futures.update({p: swarm_pool.submit(_run, p, outdir) for p in swarm})
        yield futures


@pytest.mark.parametrize("notebook", SOURCES, ids=lambda p: p.stem)
def test_solution_runs_on_the_engine_from_a_kernel_without_routes(notebook, runs):
    result = runs[notebook].result()
    assert result.returncode == 0, (
        f"{notebook.stem} failed from a kernel with no route to the containers:\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
