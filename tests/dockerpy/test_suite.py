"""docker-py's own integration suite against the simulator, and against the real engine as the
baseline (see README.md: where the suite comes from and why it is not in this repository).

Each area runs in a subprocess (the suite turns every warning into an error and keeps its own
``tests`` package: neither may leak into this session). Zero wrong answers: every test passes, or
fails with the simulator's not-supported error and is listed in ``expected.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from . import expected  # noqa: I001
from .engine_images import ensure_test_images, remove_leftovers

HERE = Path(__file__).parent
SUITE = Path(os.environ.get("COURSE_DOCKERPY_SRC", Path.home() / ".cache/course/docker-py-7.2.0"))

#: area -> docker-py's files (below tests/integration/)
AREAS = {
    "containers": ("api_container_test.py", "models_containers_test.py",
                   "api_healthcheck_test.py"),
    "exec": ("api_exec_test.py",),
    "networks": ("api_network_test.py", "models_networks_test.py"),
    "volumes": ("api_volume_test.py", "models_volumes_test.py"),
    "swarm": ("api_swarm_test.py", "models_swarm_test.py"),
    "services": ("api_service_test.py", "models_services_test.py"),
    "secrets": ("api_secret_test.py",),
    "nodes": ("models_nodes_test.py",),
    "build": ("api_build_test.py",),
}
ENGINE_AREAS = ("containers", "exec", "networks", "volumes")  # never Swarm on the shared engine


def require_suite() -> None:
    if not (SUITE / "tests/integration").is_dir():
        pytest.skip(f"docker-py's suite is not at {SUITE} (tests/dockerpy/README.md: how to "
                    "bring it); set COURSE_DOCKERPY_SRC")


def run_area(area: str, backend: str, tmp_path: Path) -> dict[str, dict]:
    require_suite()
    report = tmp_path / f"{backend}-{area}.json"
    env = {**os.environ, "COURSE_DOCKERPY_BACKEND": backend,
           "COURSE_DOCKERPY_REPORT": str(report), "PYTHONPATH": str(HERE)}
    files = [f"tests/integration/{name}" for name in AREAS[area]]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "dockerpy_plugin", "-p", "no:cacheprovider",
         "--rootdir", str(SUITE), *files],
        cwd=SUITE, env=env, capture_output=True, text=True, timeout=600)
    if not report.exists():
        pytest.fail(f"the suite did not run:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return json.loads(report.read_text())


def judge(outcomes: dict[str, dict], listed: dict[str, str], area: str, backend: str,
          flaky: dict[str, str] | None = None) -> None:
    counts = {k: 0 for k in ("passed", "unsupported", "wrong", "skipped")}
    wrong, unlisted, now_passing = [], [], []
    for nodeid, result in sorted(outcomes.items()):
        outcome = result["outcome"]
        if nodeid in (flaky or {}):
            outcome = "passed" if outcome == "passed" else "unsupported"
            counts[outcome] += 1
            continue
        if outcome == "wrong" and nodeid in listed and backend == "docker":
            outcome = "unsupported"  # a known limit of this machine's engine (expected.py)
        counts[outcome] += 1
        if outcome == "wrong":
            wrong.append(f"{nodeid}: {result['message']}")
        elif outcome == "unsupported" and nodeid not in listed:
            unlisted.append(f"{nodeid}: {result['message']}")
        elif outcome == "passed" and nodeid in listed:
            now_passing.append(nodeid)
    # on the engine "unsupported" counts the known failures of this machine (expected.py)
    print(f"docker-py {area} on {backend}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    problems = [*(f"WRONG {w}" for w in wrong),
                *(f"not-supported but not in expected.py: {u}" for u in unlisted),
                *(f"listed in expected.py but passes now: {p}" for p in now_passing)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("area", sorted(AREAS))
def test_dockerpy_suite_on_simulator(area, tmp_path):
    judge(run_area(area, "sim", tmp_path), expected.UNSUPPORTED_ON_SIM, area, "sim")


@pytest.mark.docker
@pytest.mark.parametrize("area", ENGINE_AREAS)
def test_dockerpy_suite_on_engine(area, tmp_path):
    require_suite()
    ensure_test_images()
    try:
        outcomes = run_area(area, "docker", tmp_path)
    finally:
        remove_leftovers()
    judge(outcomes, expected.FAILS_ON_ENGINE, area, "docker", expected.FLAKY_ON_ENGINE)
