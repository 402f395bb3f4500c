"""A pytest plugin loaded into the run of docker-py's own integration suite (a subprocess).

It points every ``docker.APIClient`` the suite makes (``docker.APIClient(...)``,
``docker.from_env()``) at one simulated engine, or leaves them on the real engine, and writes each
test's outcome to a JSON report: ``passed``, ``unsupported`` (the simulator said so, in its own
words) or ``wrong`` (any other failure). ``test_suite.py`` judges the report against
``expected.py``.

Environment: ``COURSE_DOCKERPY_BACKEND`` (``sim`` or ``docker``), ``COURSE_DOCKERPY_REPORT``
(where the JSON goes).
"""

from __future__ import annotations

import json
import os
import sys
import types

import pytest

#: every not-supported answer of the simulator starts with this (course/sim/errors.py: NotSupported)
UNSUPPORTED_MARK = "El simulador"

BACKEND = os.environ.get("COURSE_DOCKERPY_BACKEND", "sim")
REPORT = os.environ.get("COURSE_DOCKERPY_REPORT", "dockerpy-report.json")
_outcomes: dict[str, dict] = {}


def _stub_paramiko() -> None:
    """docker-py's tests/helpers.py imports paramiko for its SSH tests, which are not run here."""
    if "paramiko" not in sys.modules:
        try:
            import paramiko  # noqa: F401
        except ImportError:
            stub = sys.modules["paramiko"] = types.ModuleType("paramiko")
            stub.Channel = type("Channel", (), {})  # docker-py's socket helpers test isinstance


def _point_at_simulator() -> None:
    import docker
    import docker.api.client
    import docker.client

    from course.sim import Engine
    from course.sim.api.client import SimAPIClient
    from course.sim.images import dockerpy_test_images

    engine = Engine(seed=0)
    for image in dockerpy_test_images():
        engine.images.add(image)

    class SuiteAPIClient(SimAPIClient):
        """What ``docker.APIClient(...)`` builds inside the suite: a client of the shared engine."""

        def __init__(self, base_url=None, version=None, timeout=60, **_ignored):
            super().__init__(engine, timeout=timeout)

    docker.APIClient = SuiteAPIClient
    docker.api.APIClient = SuiteAPIClient
    docker.api.client.APIClient = SuiteAPIClient
    docker.client.APIClient = SuiteAPIClient


# at import: the suite's conftest (loaded before any hook runs) imports helpers and base
os.environ.setdefault("DOCKER_TEST_API_VERSION", "1.41")  # what Debian's 20.10 engine speaks
_stub_paramiko()
if BACKEND == "sim":
    _point_at_simulator()


def _failure_text(report) -> str:
    longrepr = report.longrepr
    crash = getattr(longrepr, "reprcrash", None)
    return crash.message if crash is not None else str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and not report.passed:
        report.sim_unsupported = _unsupported(call.excinfo.value)


def _unsupported(error: BaseException | None) -> bool:
    """The failure is the simulator's clear not-supported answer (anywhere in the chain)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        status = getattr(getattr(error, "response", None), "status_code", None)
        text = str(getattr(error, "explanation", "") or error)
        if UNSUPPORTED_MARK in text and status in (501, None):
            return True
        error = error.__cause__ or error.__context__
    return False


def pytest_runtest_logreport(report):
    nodeid = report.nodeid.split("tests/integration/", 1)[-1]
    if report.when == "call" or report.failed or report.skipped:
        if nodeid in _outcomes and _outcomes[nodeid]["outcome"] != "passed":
            return  # keep the first failure (teardown after a failed call)
        if report.passed:
            outcome = "passed"
        elif report.skipped:
            outcome = "skipped"
        elif getattr(report, "sim_unsupported", False):
            outcome = "unsupported"
        else:
            outcome = "wrong"
        _outcomes[nodeid] = {"outcome": outcome, "when": report.when,
                             "message": "" if report.passed else _failure_text(report)[:400]}


def pytest_sessionfinish(session):
    with open(REPORT, "w") as out:
        json.dump(_outcomes, out, indent=1, sort_keys=True)
