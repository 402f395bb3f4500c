"""CI proof of issue 13: the ten solutions run with papermill on the real engine from a kernel
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
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "source" / "m7-orquestacion").glob("*.ipynb"))
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


@pytest.mark.parametrize("notebook", SOURCES, ids=lambda p: p.stem)
def test_solution_runs_on_the_engine_from_a_kernel_without_routes(notebook, tmp_path):
    command = ["unshare", "--net", "sh", "-c",
               f'ip link set lo up && exec {sys.executable} -c "$0" "$1" "$2"',
               RUN, str(notebook), str(tmp_path)]
    if notebook.name.startswith(SWARM_LESSONS) and shutil.which("flock"):
        command = ["flock", SWARM_LOCK, *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert result.returncode == 0, (
        f"{notebook.stem} failed from a kernel with no route to the containers:\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
