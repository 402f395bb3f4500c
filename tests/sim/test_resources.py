"""Volumes, networks, ports, images and the engine's error messages."""

from __future__ import annotations

import docker
import pytest


def test_named_volume_outlives_its_container(client):
    """Is a file written in a named volume there for the container that replaces the first?"""
    first = client.containers.run("busybox", ["sleep", "60"], name="uno", detach=True,
                                  volumes={"datos": {"bind": "/data", "mode": "rw"}})
    first.exec_run(["sh", "-c", "echo hola > /data/f.txt"])
    first.exec_run(["sh", "-c", "echo local > /root/g.txt"])
    first.remove(force=True)
    second = client.containers.run("busybox", ["sleep", "60"], name="dos", detach=True,
                                   volumes=["datos:/data"])
    assert second.exec_run("cat /data/f.txt").output == b"hola\n"
    assert second.exec_run("cat /root/g.txt").exit_code == 1
    assert client.volumes.get("datos").name == "datos"


def test_volume_in_use_and_missing(client):
    """Is removing a used volume a 409 and getting a missing one a 404 with the engine's text?"""
    client.volumes.create("datos")
    c = client.containers.run("busybox", ["sleep", "60"], detach=True, volumes=["datos:/d"])
    with pytest.raises(docker.errors.APIError) as caught:
        client.volumes.get("datos").remove()
    assert caught.value.response.status_code == 409
    assert caught.value.explanation == f"remove datos: volume is in use - [{c.id}]"
    with pytest.raises(docker.errors.NotFound) as missing:
        client.volumes.get("nada")
    assert missing.value.explanation == "get nada: no such volume"


def test_anonymous_volume_goes_with_remove_v(client):
    """Does ``remove(v=True)`` delete the container's anonymous volume?"""
    c = client.containers.run("busybox", ["sleep", "60"], detach=True, volumes=["/anon"])
    assert len(client.volumes.list()) == 1
    c.remove(force=True, v=True)
    assert client.volumes.list() == []


def test_networks_builtin_and_user_subnets(client):
    """Do bridge/host/none exist, and user networks get 172.18.0.0/16, 172.19.0.0/16, ...?"""
    assert {"bridge", "host", "none"} <= {n.name for n in client.networks.list()}
    assert client.networks.get("bridge").attrs["IPAM"]["Config"] == [{"Subnet": "172.17.0.0/16"}]
    a, b = client.networks.create("a1"), client.networks.create("b1")
    assert a.attrs["IPAM"]["Config"] == [{"Subnet": "172.18.0.0/16", "Gateway": "172.18.0.1"}]
    assert b.attrs["IPAM"]["Config"][0]["Subnet"] == "172.19.0.0/16"


def test_connect_with_alias_and_remove_in_use(client):
    """Does ``connect(aliases=...)`` register the alias, and removing a used network fail 403?"""
    net = client.networks.create("lab")
    c = client.containers.run("busybox", ["sleep", "60"], name="uno", detach=True)
    net.connect(c, aliases=["db"])
    c.reload()
    assert c.attrs["NetworkSettings"]["Networks"]["lab"]["Aliases"] == ["db", c.id[:12]]
    with pytest.raises(docker.errors.APIError) as caught:
        net.remove()
    assert caught.value.response.status_code == 403
    net.disconnect(c)
    net.remove()
    with pytest.raises(docker.errors.NotFound) as missing:
        client.networks.get("lab")
    assert missing.value.explanation == "network lab not found"


def test_port_conflict_is_the_engines_500(client):
    """Is a host port taken by a running container the engine's 500 on start, leaving the
    second container ``created`` with exit code 128?"""
    client.containers.run("course/web:1", name="uno", detach=True, ports={"80/tcp": 8080})
    with pytest.raises(docker.errors.APIError) as caught:
        client.containers.run("course/web:1", name="dos", detach=True, ports={"80/tcp": 8080})
    assert caught.value.response.status_code == 500
    assert caught.value.explanation.startswith(
        "driver failed programming external connectivity on endpoint dos (")
    assert caught.value.explanation.endswith(
        "Bind for 0.0.0.0:8080 failed: port is already allocated")
    second = client.containers.get("dos")
    assert (second.status, second.attrs["State"]["ExitCode"]) == ("created", 128)


def test_published_port_answers_from_the_host(engine, client):
    """Does ``http_request('127.0.0.1', host_port)`` reach the container behind the port?"""
    c = client.containers.run("course/web:2", name="uno", detach=True, ports={"80/tcp": None})
    c.reload()
    host_port = int(c.ports["80/tcp"][0]["HostPort"])
    assert host_port >= 49153
    assert engine.http_request("127.0.0.1", host_port, "/") == (200, f"web v2 {c.id[:12]}\n")


def test_http_request_errors(engine, client):
    """Are a free port and an unknown address connection errors, not fake answers?"""
    c = client.containers.run("course/web:1", detach=True)
    c.reload()
    address = c.attrs["NetworkSettings"]["IPAddress"]
    with pytest.raises(ConnectionRefusedError):
        engine.http_request(address, 81, "/")
    with pytest.raises(ConnectionError):
        engine.http_request("172.17.9.9", 80, "/")
    assert engine.http_request(address, 80, "/health") == (200, "ok\n")
    broken = client.containers.run("course/web:3", detach=True)
    broken.reload()
    status, _ = engine.http_request(broken.attrs["NetworkSettings"]["IPAddress"], 80, "/health")
    assert status == 404


def test_name_conflict_message(client):
    """Is a duplicate name the engine's 409 with its exact sentence?"""
    first = client.containers.create("busybox", name="dup")
    with pytest.raises(docker.errors.APIError) as caught:
        client.containers.create("busybox", name="dup")
    assert caught.value.response.status_code == 409
    assert caught.value.explanation == (
        f'Conflict. The container name "/dup" is already in use by container "{first.id}". '
        "You have to remove (or rename) that container to be able to reuse that name.")


def test_remove_running_and_missing(client):
    """Is removing a running container 409, and a missing one ``NotFound``?"""
    c = client.containers.run("busybox", ["sleep", "60"], detach=True)
    with pytest.raises(docker.errors.APIError) as caught:
        c.remove()
    assert caught.value.response.status_code == 409
    with pytest.raises(docker.errors.NotFound) as missing:
        client.containers.get("nadie")
    assert missing.value.explanation == "No such container: nadie"


def test_unknown_image(client):
    """Is an unknown image 404 on create and ``ImageNotFound`` from ``containers.run``?"""
    with pytest.raises(docker.errors.ImageNotFound) as caught:
        client.api.create_container("nada/img:1")
    assert caught.value.explanation == "No such image: nada/img:1"
    with pytest.raises(docker.errors.ImageNotFound) as pulled:
        client.containers.run("nada/img:1")
    assert "repository does not exist" in pulled.value.explanation


def test_unsupported_feature_says_what_to_do(client):
    """Does an unmodelled feature answer 501 in Spanish, naming the way out?"""
    with pytest.raises(docker.errors.APIError) as caught:
        client.images.build(fileobj=__import__("io").BytesIO(b"FROM busybox\nUSER nobody"))
    assert caught.value.response.status_code == 501
    assert "Lab(backend='docker')" in caught.value.explanation


def test_images_catalogue(client):
    """Are busybox and the three lab images there, with their tags?"""
    tags = sorted(t for i in client.images.list() for t in i.tags)
    assert tags == ["busybox:latest", "course/web:1", "course/web:2", "course/web:3"]
    c = client.containers.run("course/web:2", detach=True)
    assert c.image.tags == ["course/web:2"]


def test_non_detached_run_returns_output(client):
    """Does ``containers.run`` without detach return stdout, and raise ``ContainerError``?"""
    assert client.containers.run("busybox", ["echo", "hola"], remove=True) == b"hola\n"
    with pytest.raises(docker.errors.ContainerError) as caught:
        client.containers.run("busybox", ["sh", "-c", "echo mal >&2; exit 2"])
    assert caught.value.exit_status == 2 and caught.value.stderr == b"mal\n"
