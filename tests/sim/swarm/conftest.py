"""Fixtures: a simulated engine in Swarm mode, and helpers to read task history."""

from __future__ import annotations

import pytest

from course.sim import Engine
from course.sim.swarm import install


def make_engine(seed: int = 0) -> Engine:
    engine = Engine(seed=seed)
    install(engine)  # idempotent: a no-op once the Engine installs its Swarm itself
    return engine


@pytest.fixture
def engine():
    engine = make_engine()
    engine.client().swarm.init(advertise_addr="127.0.0.1")
    return engine


@pytest.fixture
def client(engine):
    return engine.client()


def running(service, image=None) -> list[dict]:
    """Tasks of ``service`` desired and observed running (optionally of one image)."""
    return [t for t in service.tasks(filters={"desired-state": "running"})
            if t["Status"]["State"] == "running"
            and (image is None or t["Spec"]["ContainerSpec"]["Image"] == image)]
