"""Placement rules: filter (ready, active, resources, constraints), then spread."""

from __future__ import annotations

from collections import Counter

import docker
from docker.types import Resources, ServiceMode

from .conftest import running


def _by_node(engine, service) -> Counter:
    names = {n.id: n.hostname for n in engine.swarm.nodes}
    tasks = service.tasks(filters={"desired-state": "running"})
    return Counter(names[t["NodeID"]] for t in tasks if t.get("NodeID"))


def test_spread_evenly_over_nodes(engine, client):
    """Are 6 replicas spread 2-2-2 over three equal nodes?"""
    engine.swarm.add_node("w1")
    engine.swarm.add_node("w2")
    web = client.services.create("course/web:1", name="web", mode=ServiceMode("replicated", 6))
    engine.advance(3)
    assert _by_node(engine, web) == Counter({"sim": 2, "w1": 2, "w2": 2})
    assert len(running(web)) == 6


def test_spread_ties_go_to_first_joined(engine, client):
    """With fewer tasks than nodes, do the first-joined nodes get them, reproducibly?"""
    for name in ("w1", "w2", "w3"):
        engine.swarm.add_node(name)
    web = client.services.create("course/web:1", name="web", mode=ServiceMode("replicated", 2))
    engine.advance(3)
    assert set(_by_node(engine, web)) == {"sim", "w1"}


def test_spread_counts_other_services(engine, client):
    """Does a node already busy with another service get the new service's task last?"""
    engine.swarm.add_node("w1")
    client.services.create("course/web:1", name="a", mode=ServiceMode("replicated", 1))
    engine.advance(2)
    b = client.services.create("course/web:1", name="b", mode=ServiceMode("replicated", 1))
    engine.advance(2)
    assert set(_by_node(engine, b)) == {"w1"}


def test_constraints_filter_nodes(engine, client):
    """Do constraints on node labels and role restrict placement?"""
    engine.swarm.add_node("east-1", labels={"zone": "east"})
    engine.swarm.add_node("west-1", labels={"zone": "west"})
    web = client.services.create("course/web:1", name="web", mode=ServiceMode("replicated", 3),
                                 constraints=["node.labels.zone==east"])
    engine.advance(3)
    assert _by_node(engine, web) == Counter({"east-1": 3})
    workers = client.services.create("course/web:1", name="w", constraints=["node.role!=manager"],
                                     mode=ServiceMode("replicated", 2))
    engine.advance(3)
    assert "sim" not in _by_node(engine, workers)


def test_unsatisfiable_constraint_stays_pending(engine, client):
    """Is a task no node can take pending, with the engine's explanation?"""
    web = client.services.create("course/web:1", name="web", constraints=["node.labels.x==y"])
    engine.advance(2)
    (task,) = web.tasks()
    assert task["Status"]["State"] == "pending"
    assert task["Status"]["Err"] == ("no suitable node (scheduling constraints not satisfied "
                                     "on 1 node)")
    engine.swarm.add_node("w1", labels={"x": "y"})
    engine.advance(3)
    assert len(running(web)) == 1


def test_capacity_limits_placement(engine, client):
    """Do CPU reservations cap how many tasks a node takes, leaving the rest pending?"""
    engine.swarm.add_node("small", cpus=1, memory_gb=1)
    web = client.services.create(
        "course/web:1", name="web", mode=ServiceMode("replicated", 5),
        resources=Resources(cpu_reservation=1_000_000_000))
    engine.advance(3)
    by_node = _by_node(engine, web)
    placed = [t for t in web.tasks() if t["Status"]["State"] == "running"]
    assert len(placed) == 3  # 2 CPUs on the manager, 1 on "small"
    pending = [t for t in web.tasks() if t["Status"]["State"] == "pending"]
    assert len(pending) == 2
    assert pending[0]["Status"]["Err"] == "no suitable node (insufficient resources on 2 nodes)"
    assert by_node == Counter({"sim": 2, "small": 1})
    engine.swarm.add_node("big", cpus=4, memory_gb=8)
    engine.advance(3)
    assert len(running(web)) == 5


def test_node_down_reschedules(engine, client):
    """Are a down node's tasks replaced on the other nodes, and not moved back later?"""
    engine.swarm.add_node("w1")
    engine.swarm.add_node("w2")
    web = client.services.create("course/web:1", name="web", mode=ServiceMode("replicated", 6))
    engine.advance(3)
    engine.swarm.node_down("w2")
    assert client.nodes.get("w2").attrs["Status"]["State"] == "down"
    engine.advance(10)
    assert len(running(web)) == 6
    assert _by_node(engine, web) == Counter({"sim": 3, "w1": 3})
    engine.swarm.node_up("w2")
    engine.advance(5)
    assert _by_node(engine, web) == Counter({"sim": 3, "w1": 3})  # Swarm does not rebalance
    lost = [t for t in web.tasks() if t["DesiredState"] == "shutdown"]
    assert len(lost) == 2 and all(t["Status"]["State"] == "shutdown" for t in lost)


def test_global_mode_one_task_per_node(engine, client):
    """Does a global service run one task on every active node, following joins and downs?"""
    engine.swarm.add_node("w1")
    agent = client.services.create("course/web:1", name="agent", mode=ServiceMode("global"))
    engine.advance(3)
    assert _by_node(engine, agent) == Counter({"sim": 1, "w1": 1})
    engine.swarm.add_node("w2")
    engine.advance(3)
    assert _by_node(engine, agent) == Counter({"sim": 1, "w1": 1, "w2": 1})
    engine.swarm.node_down("w1")
    engine.advance(12)
    assert _by_node(engine, agent) == Counter({"sim": 1, "w2": 1})
    assert len(running(agent)) == 2


def test_drain_moves_tasks(engine, client):
    """Does draining a node move its replicated tasks to the others?"""
    engine.swarm.add_node("w1")
    web = client.services.create("course/web:1", name="web", mode=ServiceMode("replicated", 4))
    engine.advance(3)
    node = client.nodes.get("w1")
    spec = dict(node.attrs["Spec"], Availability="drain")
    node.update(spec)
    engine.advance(15)
    assert _by_node(engine, web) == Counter({"sim": 4})


def test_scale_down_prefers_crowded_nodes(engine, client):
    """Does scaling down remove tasks from the node holding the most copies first?"""
    engine.swarm.add_node("w1")
    web = client.services.create("course/web:1", name="web", mode=ServiceMode("replicated", 4))
    engine.advance(3)
    engine.swarm.add_node("w2")
    web.reload()
    web.scale(3)  # docker-py posts the spec with defaults: a rolling update (as on the engine)
    engine.advance(60)
    counts = _by_node(engine, web)
    assert sum(counts.values()) == 3 and max(counts.values()) - min(counts.values()) <= 1


def test_node_down_of_manager_refused(engine):
    """Is taking the engine's own (manager) node down refused with a reason?"""
    import pytest

    from course.sim.swarm import SwarmError

    with pytest.raises(SwarmError, match="manager"):
        engine.swarm.node_down("sim")
    assert docker  # docker-py is what the other tests speak
