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
        name = type(error).__name__
        return f"no Docker engine answers ({name}); start one with scripts/engine.sh start"


_PROBLEM: list[str | None] = []


def engine_problem() -> str | None:
    if not _PROBLEM:
        _PROBLEM.append(_engine_problem())
    return _PROBLEM[0]


#: the PostgreSQL gradebook tests use (scripts/postgres.sh starts it and prints this URL)
POSTGRES_URL = os.environ.get(
    "COURSE_TEST_POSTGRES_URL", "postgresql://course:course@127.0.0.1:5432/course_gradebook"
)
_PG_PROBLEM: list[str | None] = []


def postgres_problem() -> str | None:
    """Why no PostgreSQL answers at ``POSTGRES_URL`` (``None`` when one does)."""
    if not _PG_PROBLEM:
        try:
            import psycopg2

            psycopg2.connect(POSTGRES_URL, connect_timeout=3).close()
            _PG_PROBLEM.append(None)
        except Exception as error:  # any failure means: no usable server
            _PG_PROBLEM.append(
                f"no PostgreSQL answers at {POSTGRES_URL} ({type(error).__name__}); "
                "start one with scripts/postgres.sh start"
            )
    return _PG_PROBLEM[0]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "postgres: needs a PostgreSQL server (skipped without one, fails under CI=true)"
    )


def pytest_runtest_setup(item):
    for marker, find_problem in (("docker", engine_problem), ("postgres", postgres_problem)):
        if item.get_closest_marker(marker) is None:
            continue
        problem = find_problem()
        if problem is None:
            continue
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


def _kit_leftovers() -> list[str]:
    """Everything on the engine that still carries the kit's label (or [] without an engine)."""
    import docker

    try:
        client = docker.from_env(timeout=10)
        client.ping()
    except Exception:
        return []
    flt = {"label": "course.kit=modulo7"}
    listed = client.containers.list(all=True, filters=flt, ignore_removed=True)
    found = [f"container {c.name}" for c in listed]
    found += [f"network {n.name}" for n in client.networks.list(filters=flt)]
    found += [f"volume {v.name}" for v in client.volumes.list(filters=flt)]
    if client.info().get("Swarm", {}).get("LocalNodeState") == "active":
        try:
            found += [f"service {s.name}" for s in client.services.list(filters=flt)]
            found += [f"secret {s.name}" for s in client.secrets.list(filters=flt)]
        except docker.errors.APIError as error:
            found.append(f"a Swarm that does not answer ({error.explanation})")
    client.close()
    return found


def pytest_sessionfinish(session, exitstatus):
    """After the whole suite, does anything of the kit remain on the engine? Then the run fails."""
    if getattr(session.config, "workerinput", None) is not None:
        return  # only the controlling process checks
    leftovers = _kit_leftovers()
    if leftovers:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            "LEAK: the suite left these on the engine (label course.kit=modulo7): "
            + ", ".join(leftovers), red=True)
        session.exitstatus = 1
