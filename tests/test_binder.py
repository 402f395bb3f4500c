"""Does the repository open as it is on a Binder-style service (repo2docker)?

``repo2docker --no-build`` reads the repository the way mybinder.org does and prints the Dockerfile
it would build; nothing is downloaded. What it cannot check offline: that conda-forge solves
environment.yml, and that the image then starts (both need the network and a registry).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPO2DOCKER = Path(sys.executable).parent / "repo2docker"


def _recipe() -> str:
    assert REPO2DOCKER.exists(), "repo2docker is a dev dependency: make test installs it"
    done = subprocess.run(
        [str(REPO2DOCKER), "--no-build", "--no-run", "--debug", "--user-id", "1000",
         "--user-name", "jovyan", str(ROOT)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


def test_repo2docker_builds_the_course_from_environment_yml_and_post_build():
    """Does repo2docker pick the conda environment, the exact Python, and run postBuild?"""
    recipe = _recipe()
    assert '--file "environment.yml"' in recipe
    assert "Building conda environment for python=3.11" in recipe, recipe[:2000]
    after_copy = recipe.split("COPY --chown=1000:1000 src/", 1)[-1]  # the repository is in place
    assert "RUN ./postBuild" in after_copy, recipe[-3000:]


def test_post_build_installs_the_lab_settings(tmp_path):
    """Does postBuild, run as repo2docker runs it (in the repository), install the settings?"""
    prefix = tmp_path / "env"
    subprocess.run(["bash", str(ROOT / "postBuild")], cwd=ROOT, check=True,
                   env={"PATH": "/usr/bin:/bin", "NB_PYTHON_PREFIX": str(prefix)})
    installed = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert installed.read_text() == (ROOT / "scripts" / "jupyterlab-overrides.json").read_text()
