"""Volumes: where data lives, on both backends."""

from __future__ import annotations

import docker
import pytest


def test_named_volume_survives_replacement(kit):
    """Is a file in a named volume still there for the container that replaces the first,
    while a file in the container's own layer is gone?"""
    vol = kit.volume("datos")
    first = kit.run(1, "first", volumes={vol.name: {"bind": "/data", "mode": "rw"}})
    assert first.exec_run(["sh", "-c", "echo hola > /data/f.txt; echo x > /www/own"]).exit_code == 0
    first.remove(force=True)
    second = kit.run(1, "second", volumes=[f"{vol.name}:/data"])
    assert second.exec_run("cat /data/f.txt").output == b"hola\n"
    assert second.exec_run("ls /data").output == b"f.txt\n"
    assert second.exec_run("cat /www/own").exit_code == 1
    second.reload()
    mount = second.attrs["Mounts"][0]
    assert (mount["Type"], mount["Name"], mount["Destination"], mount["RW"]) == (
        "volume", vol.name, "/data", True)
    assert second.attrs["HostConfig"]["Binds"] == [f"{vol.name}:/data"]


def test_volume_attributes_and_errors(kit):
    """Do create (idempotent), get, list by label, in-use and missing errors agree?"""
    vol = kit.volume("attrs")
    assert vol.attrs["Mountpoint"] == f"/var/lib/docker/volumes/{vol.name}/_data"
    assert vol.attrs["Labels"]["course.kit"] == "modulo7"
    assert kit.client.volumes.create(vol.name).id == vol.id
    listed = kit.client.volumes.list(filters={"label": f"course.test={kit.test_id}"})
    assert [v.name for v in listed] == [vol.name]
    user = kit.run(1, "user", volumes=[f"{vol.name}:/d"])
    with pytest.raises(docker.errors.APIError) as caught:
        vol.remove()
    assert caught.value.response.status_code == 409
    assert caught.value.explanation == f"remove {vol.name}: volume is in use - [{user.id}]"
    with pytest.raises(docker.errors.NotFound) as missing:
        kit.client.volumes.get(kit.name("nada"))
    assert missing.value.explanation == f"get {kit.name('nada')}: no such volume"


def test_anonymous_volume_goes_with_the_container(kit):
    """Does ``remove(v=True)`` delete the anonymous volume a container got for ``/anon``?"""
    c = kit.run(1, "anon", volumes=["/anon"])
    c.reload()
    mount = c.attrs["Mounts"][0]
    assert (mount["Destination"], len(mount["Name"])) == ("/anon", 64)
    c.remove(force=True, v=True)
    with pytest.raises(docker.errors.NotFound):
        kit.client.volumes.get(mount["Name"])
