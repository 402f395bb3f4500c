"""Fixtures for the simulator's unit tests: a fresh engine and docker-py's client on it."""

from __future__ import annotations

import pytest

from course.sim import Engine


@pytest.fixture
def engine():
    return Engine(seed=0)


@pytest.fixture
def client(engine):
    return engine.client()
