"""busybox wget, ping and nslookup outside the contract suite's cases."""

from __future__ import annotations

import docker
import pytest


@pytest.fixture
def pair(client):
    client.networks.create("lab")
    web = client.containers.run("course/web:2", name="web", detach=True, network="lab")
    box = client.containers.run("busybox", ["sleep", "3600"], name="box", detach=True,
                                network="lab")
    web.reload()
    return web, box, web.attrs["NetworkSettings"]["Networks"]["lab"]["IPAddress"]


def test_wget_saves_to_a_file(pair):
    """Does ``wget URL`` save ``index.html`` in the working directory, and refuse to overwrite?"""
    web, box, ip = pair
    first = box.exec_run("wget http://web/")
    assert first.exit_code == 0
    assert first.output.decode().startswith(f"Connecting to web ({ip}:80)\nsaving to 'index.html'")
    assert box.exec_run("cat /index.html").output == f"web v2 {web.id[:12]}\n".encode()
    again = box.exec_run("wget -q http://web/")
    assert (again.exit_code, again.output) == (1, b"wget: can't open 'index.html': File exists\n")


def test_ping_a_stopped_container(engine, pair):
    """Does pinging the address of a container that stopped lose every packet (exit 1)?"""
    web, box, ip = pair
    web.kill()
    before = engine.clock.now
    out = box.exec_run(f"ping -c 2 {ip}")
    assert out.exit_code == 1
    assert "2 packets transmitted, 0 packets received, 100% packet loss" in out.output.decode()
    assert engine.clock.now - before >= 1.0


def test_outside_names_have_no_dns(pair):
    """Does a name outside the simulator say that no server could be reached?"""
    _, box, _ = pair
    out = box.exec_run("nslookup example.org")
    assert (out.exit_code, out.output) == (
        1, b";; connection timed out; no servers could be reached\n\n")


def test_exec_that_never_ends_is_refused(pair):
    """Is ``exec_run('httpd -f')`` (which would hang on the engine) a 501, not a hang?"""
    _, box, _ = pair
    with pytest.raises(docker.errors.APIError) as caught:
        box.exec_run("httpd -f -p 8080")
    assert caught.value.response.status_code == 501


def test_background_httpd_serves(engine, pair):
    """Does ``httpd -p 8080 -h /srv`` (no -f) start a server a neighbour can fetch from?"""
    web, box, _ = pair
    box.exec_run(["sh", "-c", "mkdir -p /srv; echo hola > /srv/index.html; httpd -p 8080 -h /srv"])
    assert web.exec_run("wget -qO- http://box:8080/").output == b"hola\n"
