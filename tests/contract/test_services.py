"""Swarm services on both backends: the same scenarios, the same docker-py answers.

Scenarios (each runs on the simulator and, marked ``docker``, on a real single-node Swarm with
``endpoint_mode=dnsrr``: the machines here have no IPVS): init, create, scale, a killed task
replaced, rolling updates start-first and stop-first, a broken update rolled back, secrets.
Real-engine waits are bounded polling loops; the simulator's are virtual.
"""

from __future__ import annotations

import json
import re

import docker
import pytest

from .swarm_kit import (
    SECOND,
    converged,
    create_service,
    in_swarm,
    kit_leftovers,
    remove_scoped,
    repair_wedged_swarm,
    running,
    swarm_lease,
    tasks,
    update_state,
)


@pytest.fixture(scope="module")
def docker_swarm():
    """The real engine in Swarm mode for this module; left again at the end if we joined it."""
    client = docker.from_env(timeout=60)
    with swarm_lease():
        repair_wedged_swarm(client)
        joined = not in_swarm(client)
        if joined:
            client.swarm.init(advertise_addr="127.0.0.1")
        yield client
        left = kit_leftovers(client)
        if joined:
            client.swarm.leave(force=True)
        still_swarm = in_swarm(client)
    client.close()
    assert not left, f"the suite left: {left}"
    assert not (joined and still_swarm), "the engine is still in Swarm mode"


@pytest.fixture
def skit(kit, request):
    """A contract kit whose backend is in Swarm mode; the test's objects are removed after."""
    if kit.backend == "docker":
        request.getfixturevalue("docker_swarm")
    else:
        kit.client.swarm.init(advertise_addr="127.0.0.1")
    try:
        yield kit
    finally:
        remove_scoped(kit)


def test_swarm_init_single_manager(skit):
    """Is the engine a single ready manager node, leader, reported active by info()?"""
    client = skit.client
    assert client.info()["Swarm"]["LocalNodeState"] == "active"
    nodes = client.nodes.list()
    assert len(nodes) == 1
    node = nodes[0].attrs
    assert node["Spec"]["Role"] == "manager" and node["Spec"]["Availability"] == "active"
    assert node["Status"]["State"] == "ready"
    assert node["ManagerStatus"]["Leader"] is True
    assert client.swarm.attrs["Spec"]["Orchestration"]["TaskHistoryRetentionLimit"] == 5
    with pytest.raises(docker.errors.APIError, match="already part of a swarm"):
        client.swarm.init(advertise_addr="127.0.0.1")


def test_create_replicated_dnsrr(skit):
    """Does a dnsrr service with an explicit UpdateConfig run 2 labelled task containers?"""
    web = create_service(skit, replicas=2, order="start-first", failure_action="rollback")
    skit.wait_until(lambda: converged(web, 2, skit.image(1)), timeout=30)
    web.reload()
    spec = web.attrs["Spec"]
    assert spec["Mode"] == {"Replicated": {"Replicas": 2}}
    assert spec["EndpointSpec"] == {"Mode": "dnsrr"}
    assert spec["UpdateConfig"] == {"Parallelism": 1, "FailureAction": "rollback",
                                    "Monitor": 2 * SECOND, "MaxFailureRatio": 0,
                                    "Order": "start-first"}
    assert "UpdateStatus" not in web.attrs and "PreviousSpec" not in web.attrs
    for task in tasks(web, "running"):
        container = skit.client.containers.get(task["Status"]["ContainerStatus"]["ContainerID"])
        assert container.name == f"{web.name}.{task['Slot']}.{task['ID']}"
        assert container.labels["com.docker.swarm.service.name"] == web.name
        assert container.labels["com.docker.swarm.task.id"] == task["ID"]
        assert container.labels["com.docker.swarm.node.id"] == task["NodeID"]
        assert container.labels["course.kit"] == "modulo7"
    assert sorted(t["Slot"] for t in tasks(web, "running")) == [1, 2]


def test_scale_up_and_down(skit):
    """Does scale() reach 3 running tasks, then 1 (removed tasks leave the list)?"""
    web = create_service(skit, replicas=2, order="start-first", parallelism=0)
    skit.wait_until(lambda: converged(web, 2, skit.image(1)), timeout=30)
    web.reload()
    web.scale(3)
    skit.wait_until(lambda: converged(web, 3, skit.image(1)), timeout=60)
    web.reload()
    assert web.attrs["Spec"]["Mode"]["Replicated"]["Replicas"] == 3
    skit.wait_until(lambda: update_state(web) in (None, "completed"), timeout=30)
    web.reload()
    web.scale(1)
    skit.wait_until(lambda: converged(web, 1, skit.image(1)), timeout=60)
    skit.wait_until(lambda: len(running(web)) == 1, timeout=30)


def test_killed_task_is_replaced(skit):
    """Is a killed task's container a failed task (137), replaced in its slot by a new task?"""
    web = create_service(skit, replicas=2)
    skit.wait_until(lambda: converged(web, 2, skit.image(1)), timeout=30)
    victim = next(t for t in tasks(web, "running") if t["Slot"] == 1)
    skit.client.containers.get(victim["Status"]["ContainerStatus"]["ContainerID"]).kill()

    def failed_and_replaced():
        by_id = {t["ID"]: t for t in web.tasks()}
        old = by_id.get(victim["ID"])
        new = [t for t in tasks(web, "running")
               if t["Slot"] == 1 and t["ID"] != victim["ID"] and t["Status"]["State"] == "running"]
        return old is not None and old["Status"]["State"] == "failed" and new and (old, new[0])

    old, new = skit.wait_until(failed_and_replaced, timeout=40)
    assert old["DesiredState"] == "shutdown"
    assert old["Status"]["Err"] == "task: non-zero exit (137)"
    assert old["Status"]["ContainerStatus"]["ExitCode"] == 137
    assert new["Spec"]["ContainerSpec"]["Image"] == skit.image(1)
    assert converged(web, 2, skit.image(1))


@pytest.mark.parametrize("order", ["start-first", "stop-first"])
def test_rolling_update_v1_to_v2(skit, order):
    """Does v1→v2 end with every slot on v2, keeping N running (start-first) or never more
    than N (stop-first), with UpdateStatus completed and PreviousSpec on v1?"""
    web = create_service(skit, replicas=2, order=order, monitor=SECOND)
    skit.wait_until(lambda: converged(web, 2, skit.image(1)), timeout=30)
    web.reload()
    web.update(image=skit.image(2))
    samples = []

    def done():
        samples.append(len(running(web)))
        return update_state(web) == "completed" and converged(web, 2, skit.image(2))

    skit.wait_until(done, timeout=90, step=0.25)
    if order == "start-first":
        assert min(samples) >= 2, samples
    else:
        assert max(samples) <= 2, samples
    web.reload()
    assert web.attrs["PreviousSpec"]["TaskTemplate"]["ContainerSpec"]["Image"] == skit.image(1)
    assert web.attrs["UpdateStatus"]["Message"] == "update completed"
    for slot in (1, 2):
        history = [t for t in web.tasks() if t["Slot"] == slot]
        images = [t["Spec"]["ContainerSpec"]["Image"] for t in
                  sorted(history, key=lambda t: t["CreatedAt"])]
        assert images == [skit.image(1), skit.image(2)]


def test_broken_update_rolls_back(skit):
    """Does updating to the broken v3 with failure_action rollback end in rollback_completed,
    with v2 running again?"""
    web = create_service(skit, version=2, replicas=2, order="start-first",
                         failure_action="rollback", monitor=2 * SECOND)
    skit.wait_until(lambda: converged(web, 2, skit.image(2)), timeout=30)
    web.reload()
    web.update(image=skit.image(3))
    skit.wait_until(lambda: update_state(web) == "rollback_completed", timeout=150, step=0.5)
    web.reload()
    assert web.attrs["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] == skit.image(2)
    assert web.attrs["UpdateStatus"]["Message"] == "rollback completed"
    skit.wait_until(lambda: converged(web, 2, skit.image(2)), timeout=60)
    broken = [t for t in web.tasks() if t["Spec"]["ContainerSpec"]["Image"] == skit.image(3)]
    assert broken and all(t["DesiredState"] == "shutdown" for t in broken)
    assert any(t["Status"]["State"] == "failed" for t in broken)


def test_secrets_mounted_never_shown(skit):
    """Is a secret readable at /run/secrets/<name>, absent from env and every inspect, and
    refused (409) under a taken name and (400) for removal while in use?"""
    client = skit.client
    data = b"s3cr3t-m7"
    name = skit.name("db-password")
    secret = client.secrets.create(name=name, data=data, labels=skit.labels)
    assert "Data" not in secret.attrs["Spec"] and "Data" not in client.api.inspect_secret(
        secret.id)["Spec"]
    with pytest.raises(docker.errors.APIError) as conflict:
        client.secrets.create(name=name, data=b"other", labels=skit.labels)
    assert conflict.value.status_code == 409
    web = create_service(skit, replicas=1, secrets=[
        docker.types.SecretReference(secret.id, name)])
    skit.wait_until(lambda: converged(web, 1, skit.image(1)), timeout=30)
    (task,) = tasks(web, "running")
    container = client.containers.get(task["Status"]["ContainerStatus"]["ContainerID"])
    result = container.exec_run(f"cat /run/secrets/{name}")
    assert result.exit_code == 0 and result.output == data
    assert data.decode() not in json.dumps(container.attrs)
    assert data.decode() not in json.dumps(web.attrs) + json.dumps(task)
    assert not any(data.decode() in e for e in container.attrs["Config"]["Env"])
    with pytest.raises(docker.errors.APIError) as in_use:
        secret.remove()
    assert in_use.value.status_code == 400
    assert f"is in use by the following service: {web.name}" in str(in_use.value)


def test_bad_input_errors(skit):
    """Are a taken service name (409), scaling a global service and unknown objects the
    engine's docker.errors, with messages that say what happened?"""
    client = skit.client
    web = create_service(skit, replicas=1)
    with pytest.raises(docker.errors.APIError) as taken:
        create_service(skit, replicas=1)
    assert taken.value.status_code == 409
    assert f"service {web.name} already exists" in str(taken.value)
    agent = client.services.create(skit.image(1), name=skit.name("agent"), labels=skit.labels,
                                   mode=docker.types.ServiceMode("global"),
                                   endpoint_spec=docker.types.EndpointSpec(mode="dnsrr"))
    with pytest.raises(docker.errors.InvalidArgument, match="Cannot scale a global"):
        agent.scale(2)
    for get, what in ((client.services.get, "service"), (client.secrets.get, "secret"),
                      (client.nodes.get, "node"), (client.api.inspect_task, "task")):
        with pytest.raises(docker.errors.NotFound, match=f"{what} m7-nope not found"):
            get("m7-nope")


def test_unknown_image_tasks_rejected(skit):
    """Is a service of an image the engine lacks accepted, its tasks rejected with
    'No such image'?"""
    ghost = skit.client.services.create(
        "course/ghost:404", name=skit.name("ghost"), labels=skit.labels,
        endpoint_spec=docker.types.EndpointSpec(mode="dnsrr"))

    def rejected():
        return [t for t in ghost.tasks() if t["Status"]["State"] == "rejected"]

    (first, *_) = skit.wait_until(rejected, timeout=30)
    assert first["Status"]["Err"] == "No such image: course/ghost:404"
    assert first["DesiredState"] == "shutdown" or first["DesiredState"] == "ready"


def test_overlay_dns_service_and_tasks(skit):
    """On an attachable overlay network, do the service name and tasks.<service> resolve to
    every task's address?"""
    client = skit.client
    net = client.networks.create(skit.name("net"), driver="overlay", attachable=True,
                                 labels=skit.labels)
    assert net.attrs["Scope"] == "swarm"
    web = create_service(skit, replicas=2, networks=[net.name])
    skit.wait_until(lambda: converged(web, 2, skit.image(1)), timeout=30)
    addresses = set()
    containers = []
    for task in tasks(web, "running"):
        container = client.containers.get(task["Status"]["ContainerStatus"]["ContainerID"])
        containers.append(container)
        addresses.add(container.attrs["NetworkSettings"]["Networks"][net.name]["IPAddress"])
    for name in (web.name, f"tasks.{web.name}"):
        output = containers[0].exec_run(f"nslookup {name}").output.decode()
        found = set(re.findall(r"Address: (\d+\.\d+\.\d+\.\d+)", output))
        assert found == addresses, (name, output)


def test_list_filters(skit):
    """Do label, name and desired-state filters select alike, and bad filters fail alike?"""
    client = skit.client
    web = create_service(skit, replicas=2)
    skit.wait_until(lambda: converged(web, 2, skit.image(1)), timeout=30)
    mine = client.services.list(filters={"label": f"course.test={skit.test_id}"})
    assert [s.id for s in mine] == [web.id]
    assert [s.id for s in client.services.list(filters={"name": web.name})] == [web.id]
    assert len(web.tasks(filters={"desired-state": "running"})) == 2
    assert web.tasks(filters={"desired-state": "shutdown"}) == []
    node = client.nodes.list()[0]
    assert len(web.tasks(filters={"node": node.id})) == 2
    with pytest.raises(docker.errors.APIError, match="Invalid filter 'bogus'"):
        client.services.list(filters={"bogus": "1"})
    with pytest.raises(docker.errors.APIError, match="Invalid desired-state filter: 'up'"):
        web.tasks(filters={"desired-state": "up"})


def test_unhealthy_task_is_replaced(skit):
    """Does a task whose health check starts failing get killed and replaced (Swarm does this;
    plain Docker would not)?"""
    web = create_service(skit, replicas=1)
    skit.wait_until(lambda: converged(web, 1, skit.image(1)), timeout=30)
    (task,) = tasks(web, "running")
    container = skit.client.containers.get(task["Status"]["ContainerStatus"]["ContainerID"])
    assert container.exec_run("rm /www/health").exit_code == 0

    def replaced():
        old = skit.client.api.inspect_task(task["ID"])
        return old["Status"]["State"] == "failed" and converged(web, 1, skit.image(1)) and old

    old = skit.wait_until(replaced, timeout=60, step=0.5)
    assert old["Status"]["Err"] == "task: non-zero exit (143): dockerexec: unhealthy container"
    assert old["DesiredState"] == "shutdown"
