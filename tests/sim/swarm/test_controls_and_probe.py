"""The simulator-only controls and the service HTTP probe."""

from __future__ import annotations

import pytest
from docker.types import EndpointSpec, ServiceMode, UpdateConfig

from course.sim.swarm import SwarmError

from .conftest import running

SECOND = 1_000_000_000


def _web(client, replicas=3, **kwargs):
    return client.services.create("course/web:1", name="web", endpoint_spec=EndpointSpec("dnsrr"),
                                  mode=ServiceMode("replicated", replicas), **kwargs)


def test_kill_task_on_worker_is_replaced(engine, client):
    """Does kill_task fail a task on a worker node (no visible container) and get it replaced?"""
    worker = engine.swarm.add_node("w1")
    web = _web(client, replicas=2)
    engine.advance(3)
    remote = next(t for t in web.tasks() if t["NodeID"] == worker.id)
    assert client.containers.list(filters={"label": f"com.docker.swarm.task.id={remote['ID']}"}) \
        == []  # the manager's API shows only its own node's containers, as on the engine
    engine.swarm.kill_task(remote["ID"])
    engine.advance(0.1)
    killed = client.api.inspect_task(remote["ID"])
    assert killed["Status"]["State"] == "failed" and killed["DesiredState"] == "shutdown"
    engine.advance(8)
    assert len(running(web)) == 2


def test_kill_task_refuses_unknown(engine):
    """Does kill_task say which task it could not find?"""
    with pytest.raises(SwarmError, match="nope"):
        engine.swarm.kill_task("nope")


def test_add_node_needs_swarm():
    """Does add_node before swarm.init say to call swarm.init?"""
    from .conftest import make_engine

    with pytest.raises(SwarmError, match="swarm.init"):
        make_engine().swarm.add_node("w1")


def test_probe_round_robin_over_tasks(engine, client):
    """Does the probe rotate over every running task, across nodes?"""
    engine.swarm.add_node("w1")
    _web(client, replicas=4)
    engine.advance(3)
    names = [engine.service_http_request("web")[2] for _ in range(8)]
    assert len(set(names)) == 4 and names[:4] == names[4:]
    status, body, _ = engine.service_http_request("web", path="/health")
    assert status == 200


def test_probe_fails_without_healthy_tasks(engine, client):
    """Is a request to a service with no healthy task a ConnectionError?"""
    client.services.create("course/web:3", name="broken", endpoint_spec=EndpointSpec("dnsrr"))
    for _ in range(20):
        engine.advance(0.5)
        with pytest.raises(ConnectionError):
            engine.service_http_request("broken")


def test_probe_sees_versions_during_update(engine, client):
    """During a start-first update, do answers move from v1 to v2 without failures?"""
    web = _web(client, replicas=3, update_config=UpdateConfig(
        parallelism=1, order="start-first", monitor=SECOND, failure_action="pause"))
    engine.advance(3)
    web.reload()
    web.update(image="course/web:2")
    versions = []
    for _ in range(160):
        engine.advance(0.25)
        status, body, _ = engine.service_http_request("web")
        assert status == 200
        versions.append(body.split()[1])
    assert versions[0] == "v1" and versions[-1] == "v2" and {"v1", "v2"} == set(versions)


def test_rejected_tasks_retry_every_restart_delay(engine, client):
    """Are an unknown image's tasks retried once per restart delay (5 s), as on the engine?"""
    ghost = client.services.create("course/ghost:404", name="ghost")
    engine.advance(12)
    assert len(ghost.tasks()) == 4  # at 0 s, at once, then after 5 s and 10 s


def test_secret_data_is_immutable(client):
    """Can only a secret's labels change, never its data?"""
    import docker

    secret = client.secrets.create(name="db", data=b"x")
    secret.reload()
    version = secret.attrs["Version"]["Index"]
    with pytest.raises(docker.errors.APIError, match="only updates to Labels are allowed"):
        client.api._result(client.api._post_json(
            client.api._url("/secrets/{0}/update", secret.id),
            data={"Name": "db", "Data": "eQ==", "Labels": {}}, params={"version": version}))


def test_leave_removes_task_containers_and_overlays(engine, client):
    """Does swarm.leave(force=True) remove task containers and overlay networks?"""
    client.networks.create("appnet", driver="overlay", attachable=True)
    _web(client, replicas=2, networks=["appnet"])
    engine.advance(3)
    assert len(client.containers.list()) == 2
    client.swarm.leave(force=True)
    assert client.containers.list(all=True) == []
    assert [n.name for n in client.networks.list() if n.name == "appnet"] == []


def test_published_ports_refused_honestly(client):
    """Are ingress ports with dnsrr the engine's 400, and other published ports a clear 501?"""
    import docker

    with pytest.raises(docker.errors.APIError, match="can't be used with dnsrr mode"):
        client.services.create("course/web:1", name="a",
                               endpoint_spec=EndpointSpec(mode="dnsrr", ports={8080: 80}))
    with pytest.raises(docker.errors.APIError, match="El simulador del curso no implementa"):
        client.services.create("course/web:1", name="b", endpoint_spec=EndpointSpec(
            mode="dnsrr", ports={8080: (80, "tcp", "host")}))


def test_service_volume_mount(engine, client):
    """Does a service's volume mount reach its task's container?"""
    from docker.types import Mount

    client.services.create("course/web:1", name="web",
                           mounts=[Mount(target="/data", source="datos", type="volume")])
    engine.advance(3)
    (container,) = client.containers.list()
    assert container.exec_run("sh -c 'echo hola > /data/f'").exit_code == 0
    assert client.volumes.get("datos").name == "datos"


def test_removing_task_containers_by_hand(engine, client):
    """After removing a service and force-removing its containers, is each destroyed once?"""
    web = _web(client, replicas=2, container_labels={"x": "1"})
    engine.advance(3)
    web.remove()
    for container in client.containers.list(all=True, filters={"label": "x=1"}):
        container.remove(force=True)
    engine.advance(1)
    assert client.containers.list(all=True) == []
    destroyed = [e["Actor"]["ID"] for e in engine.events
                 if e["Type"] == "container" and e["Action"] == "destroy"]
    assert len(destroyed) == len(set(destroyed)) == 2


def test_history_keeps_five_tasks_per_slot(engine, client):
    """After 7 failures in one slot, are 5 tasks kept (and the reaped tasks' containers gone)?"""
    web = _web(client, replicas=1)
    engine.advance(3)
    for _ in range(7):
        (task,) = [t for t in web.tasks(filters={"desired-state": "running"})
                   if t["Status"]["State"] == "running"]
        client.containers.get(task["Status"]["ContainerStatus"]["ContainerID"]).kill()
        engine.advance(8)
    assert len(web.tasks()) == 5
    assert len(client.containers.list(all=True)) == 5
