"""Same seed and calls → same history; bad input → the engine's error class and a hint."""

from __future__ import annotations

import docker
import pytest
from docker.types import ServiceMode, UpdateConfig

from course.sim.clock import RealWaits

from .conftest import make_engine

SECOND = 1_000_000_000


def _history(seed: int) -> list[tuple]:
    engine = make_engine(seed)
    # the promise is for calls without real waits: a loaded machine's pause between two calls
    # (over RealWaits' 0.25 s) would move the clock and fail this test for nothing
    engine.real_waits = RealWaits(threshold=float("inf"))
    client = engine.client()
    client.swarm.init(advertise_addr="127.0.0.1")
    engine.swarm.add_node("w1")
    engine.swarm.add_node("w2", cpus=1)
    web = client.services.create(
        "course/web:1", name="web", mode=ServiceMode("replicated", 5),
        update_config=UpdateConfig(parallelism=2, delay=SECOND, failure_action="rollback",
                                   monitor=2 * SECOND, order="start-first"))
    engine.advance(4)
    seen = []
    web.reload()
    web.update(image="course/web:2")
    for _ in range(30):  # sample during the rolling update
        engine.advance(0.5)
        seen.append(tuple((t["ID"], t["Status"]["State"], t["DesiredState"]) for t in web.tasks()))
    engine.swarm.node_down("w1")
    engine.advance(20)
    seen.append(tuple((t["ID"], t.get("NodeID"), t["Status"]["State"], t["Status"]["Timestamp"])
                      for t in web.tasks()))
    return seen


def test_same_seed_same_history():
    """Do two runs with the same seed and calls give identical task histories?"""
    assert _history(7) == _history(7)


def test_other_seed_other_ids():
    """Does another seed give other ids (randomness comes from the seed)?"""
    assert _history(7)[-1] != _history(8)[-1]


def test_swarm_not_initialised():
    """Without swarm.init, is it a 503 APIError that says to run docker swarm init?"""
    client = make_engine().client()
    with pytest.raises(docker.errors.APIError) as info:
        client.services.create("course/web:1", name="web")
    assert info.value.status_code == 503
    assert "docker swarm init" in str(info.value)
    with pytest.raises(docker.errors.APIError, match="docker swarm init"):
        client.secrets.list()


def test_service_name_conflict(client):
    """Is a second service with a taken name a 409 APIError naming it?"""
    client.services.create("course/web:1", name="web")
    with pytest.raises(docker.errors.APIError) as info:
        client.services.create("course/web:1", name="web")
    assert info.value.status_code == 409
    assert "service web already exists" in str(info.value)


def test_unknown_image_rejects_tasks(engine, client):
    """As on the engine, is an unknown image accepted and its tasks rejected, then retried?"""
    bad = client.services.create("course/nope:9", name="bad")
    engine.advance(8)
    tasks = bad.tasks()
    assert tasks and all(t["Status"]["State"] in ("rejected", "ready", "assigned", "pending")
                         for t in tasks)
    rejected = [t for t in tasks if t["Status"]["State"] == "rejected"]
    assert rejected[0]["Status"]["Err"] == "No such image: course/nope:9"
    assert len(rejected) >= 2  # retried after the restart delay


def test_scaling_global_service(engine, client):
    """Is scaling a global service docker-py's InvalidArgument?"""
    agent = client.services.create("course/web:1", name="agent", mode=ServiceMode("global"))
    with pytest.raises(docker.errors.InvalidArgument, match="global"):
        agent.scale(3)


def test_secret_name_conflict(client):
    """Is a second secret with a taken name a 409 APIError?"""
    client.secrets.create(name="db", data=b"one")
    with pytest.raises(docker.errors.APIError) as info:
        client.secrets.create(name="db", data=b"two")
    assert info.value.status_code == 409
    assert "secret db already exists" in str(info.value)


def test_not_found_errors(client):
    """Are unknown services, tasks, nodes and secrets NotFound?"""
    for get in (client.services.get, client.nodes.get, client.secrets.get,
                client.api.inspect_task):
        with pytest.raises(docker.errors.NotFound):
            get("nope")


def test_stale_version_is_out_of_sequence(engine, client):
    """Is an update with a stale version refused (the student must reload first)?"""
    web = client.services.create("course/web:1", name="web")
    stale = web.version
    web.reload()
    web.update(image="course/web:2")
    with pytest.raises(docker.errors.APIError, match="update out of sequence"):
        client.api.update_service(web.id, stale, mode=ServiceMode("replicated", 2),
                                  fetch_current_spec=True)


def test_secret_in_use_cannot_be_removed(client):
    """Is removing a secret a service uses a 400 that names the service?"""
    secret = client.secrets.create(name="db", data=b"x")
    client.services.create("course/web:1", name="web",
                           secrets=[docker.types.SecretReference(secret.id, "db")])
    with pytest.raises(docker.errors.APIError, match="in use by the following service: web"):
        secret.remove()


def test_init_twice_and_leave(client):
    """Is a second init a 503, and leaving without force refused for the manager?"""
    with pytest.raises(docker.errors.APIError, match="already part of a swarm"):
        client.swarm.init(advertise_addr="127.0.0.1")
    with pytest.raises(docker.errors.APIError, match="--force"):
        client.swarm.leave()
    client.services.create("course/web:1", name="web")
    assert client.swarm.leave(force=True)
    with pytest.raises(docker.errors.APIError, match="docker swarm init"):
        client.services.list()
