"""Shared fixtures: the Docker engine (real parts, not mocks) and the markers' rules.

A test marked ``docker`` needs a real engine. Where none answers it is skipped with a one-line
reason, except under ``CI=true``: there a missing engine is a failure, never a silent skip.
"""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def _engine_problem() -> str | None:
    try:
        import docker

        client = docker.from_env(timeout=5)
        client.ping()
        client.close()
        return None
    except Exception as error:  # any failure means: no usable engine
        return f"no Docker engine answers ({type(error).__name__}); start one with scripts/engine.sh"


_PROBLEM: list[str | None] = []


def engine_problem() -> str | None:
    if not _PROBLEM:
        _PROBLEM.append(_engine_problem())
    return _PROBLEM[0]


def pytest_runtest_setup(item):
    if item.get_closest_marker("docker") is None:
        return
    problem = engine_problem()
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {problem}", pytrace=False)
    pytest.skip(problem)


@pytest.fixture
def docker_client():
    """A docker-py client on the real engine (tests using it must be marked ``docker``)."""
    import docker

    client = docker.from_env(timeout=60)
    yield client
    client.close()
