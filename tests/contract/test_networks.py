"""Networks, embedded DNS, HTTP between containers and published ports on both backends."""

from __future__ import annotations

import re

import docker
import pytest


@pytest.fixture
def lab_net(kit):
    net = kit.network("net")
    cfg = {net.name: kit.client.api.create_endpoint_config(aliases=["web"])}
    replicas = [kit.ready(kit.run(1, f"web{i}", network=net.name, networking_config=cfg))
                for i in (1, 2)]
    probe = kit.run(2, "probe", network=net.name)
    return net, replicas, probe


def test_user_network_shape(kit, lab_net):
    """Does a user network get a 172.x/16 with gateway .1, and containers aliases + short id?"""
    net, replicas, _ = lab_net
    net.reload()
    ipam = net.attrs["IPAM"]["Config"][0]
    # the engine's default pools: 172.17-31.0.0/16, then 192.168.0.0/16 in /20s (shared engine:
    # other networks may hold the first ones)
    assert re.fullmatch(r"172\.(1[7-9]|2\d|3[01])\.0\.0/16|192\.168\.\d+\.0/20",
                        ipam["Subnet"]), ipam
    assert ipam["Gateway"] == ipam["Subnet"].split("/")[0][:-1] + "1"
    replicas[0].reload()
    settings = replicas[0].attrs["NetworkSettings"]["Networks"][net.name]
    assert settings["Aliases"] == ["web", replicas[0].id[:12]]
    assert settings["IPAddress"].startswith(ipam["Subnet"].rsplit(".", 2)[0] + ".")
    octets = ":".join(f"{int(part):02x}" for part in settings["IPAddress"].split("."))
    assert settings["MacAddress"] == f"02:42:{octets}"


def test_dns_names_and_shared_alias(kit, lab_net):
    """Does nslookup resolve names, short ids and a shared alias exactly as on the engine?"""
    net, replicas, probe = lab_net
    ip1, ip2 = (kit.address(c, net.name) for c in replicas)
    out = probe.exec_run(f"nslookup {kit.name('web1')}")
    assert out.exit_code == 0
    # busybox asks A and AAAA at once and prints whichever answer comes first: compare the parts
    text = out.output.decode()
    assert text.startswith("Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n")
    assert text.count("Non-authoritative answer:\n") == 2
    assert f"Name:\t{kit.name('web1')}\nAddress: {ip1}\n" in text
    shared = probe.exec_run("nslookup web").output.decode()
    assert sorted(re.findall(r"Address: (\S+)", shared)) == sorted([ip1, ip2])
    short = probe.exec_run(f"nslookup {replicas[1].id[:12]}").output.decode()
    assert re.findall(r"Address: (\S+)", short) == [ip2]
    missing = probe.exec_run("nslookup nadie")
    assert missing.exit_code == 1
    assert missing.output.decode().endswith(
        "** server can't find nadie: NXDOMAIN\n\n** server can't find nadie: NXDOMAIN\n\n")


def test_default_bridge_resolves_no_names(kit):
    """On the default bridge, do container names stay unresolvable?"""
    kit.run(1, "left")
    right = kit.run(1, "right")
    out = right.exec_run(f"nslookup {kit.name('left')}")
    assert out.exit_code == 1 and b"NXDOMAIN" in out.output
    assert right.exec_run(f"ping -c 1 {kit.name('left')}").output == (
        f"ping: bad address '{kit.name('left')}'\n".encode())


def test_http_between_containers(kit, lab_net):
    """Do wget by name, refused ports and unknown names answer as busybox does?"""
    net, replicas, probe = lab_net
    ok = probe.exec_run(f"wget -qO- http://{kit.name('web1')}/")
    assert (ok.exit_code, ok.output) == (0, f"web v1 {replicas[0].id[:12]}\n".encode())
    assert probe.exec_run("wget -qO- http://web/").output.startswith(b"web v1 ")
    ip1 = kit.address(replicas[0], net.name)
    refused = probe.exec_run(f"wget -qO- http://{kit.name('web1')}:81/")
    assert (refused.exit_code, refused.output) == (
        1, f"wget: can't connect to remote host ({ip1}): Connection refused\n".encode())
    bad = probe.exec_run("wget -qO- http://nadie/")
    assert (bad.exit_code, bad.output) == (1, b"wget: bad address 'nadie'\n")
    verbose = probe.exec_run(f"wget -O - http://{kit.name('web1')}/", demux=True)
    assert verbose.output[0] == f"web v1 {replicas[0].id[:12]}\n".encode()
    assert verbose.output[1].decode() == (
        f"Connecting to {kit.name('web1')} ({ip1}:80)\nwriting to stdout\n"
        f"-                    100% |{'*' * 32}|    20  0:00:00 ETA\nwritten to stdout\n")


def test_ping_between_containers(kit, lab_net):
    """Does ``ping -c 2`` print busybox's lines (times aside) and exit 0?"""
    net, replicas, probe = lab_net
    ip1 = kit.address(replicas[0], net.name)
    out = probe.exec_run(f"ping -c 2 {kit.name('web1')}")
    assert out.exit_code == 0
    text = re.sub(r"time=\S+ ms", "time=T ms", out.output.decode())
    text = re.sub(r"= \S+/\S+/\S+ ms", "= T ms", text)
    assert text == (
        f"PING {kit.name('web1')} ({ip1}): 56 data bytes\n"
        f"64 bytes from {ip1}: seq=0 ttl=64 time=T ms\n64 bytes from {ip1}: seq=1 ttl=64 "
        f"time=T ms\n\n--- {kit.name('web1')} ping statistics ---\n2 packets transmitted, 2 "
        "packets received, 0% packet loss\nround-trip min/avg/max = T ms\n")


def test_web_image_from_the_host(kit):
    """Does the lab image answer ``web v<n> <hostname>`` on / and its health page by version?"""
    good, broken = kit.run(2, "v2"), kit.run(3, "v3")
    assert kit.http(kit.address(good), 80, "/") == (200, f"web v2 {good.id[:12]}\n")
    assert kit.http(kit.address(good), 80, "/health")[0] == 200
    assert kit.http(kit.address(broken), 80, "/")[1] == f"web v3 {broken.id[:12]}\n"
    assert kit.http(kit.address(broken), 80, "/health")[0] == 404


def test_network_errors(kit, lab_net):
    """Are a missing network (404) and removing one in use (403) the engine's errors?"""
    net, _, _ = lab_net
    with pytest.raises(docker.errors.NotFound) as missing:
        kit.client.networks.get(kit.name("nada"))
    assert missing.value.explanation == f"network {kit.name('nada')} not found"
    with pytest.raises(docker.errors.APIError) as in_use:
        net.remove()
    assert in_use.value.response.status_code == 403
    assert in_use.value.explanation == (
        f"error while removing network: network {net.name} id {net.id} has active endpoints")


def test_connect_and_disconnect(kit):
    """Does connecting a running container with an alias make the alias resolve?"""
    net = kit.network("late")
    target = kit.ready(kit.run(1, "target"))
    probe = kit.run(1, "asker", network=net.name)
    net.connect(target, aliases=["db"])
    target.reload()
    assert target.attrs["NetworkSettings"]["Networks"][net.name]["Aliases"] == [
        "db", target.id[:12]]
    assert probe.exec_run("wget -qO- http://db/").output == (
        f"web v1 {target.id[:12]}\n".encode())
    net.disconnect(target)
    assert probe.exec_run("wget -qO- http://db/").output == b"wget: bad address 'db'\n"


def test_port_conflict(kit):
    """Is a host port already taken the engine's 500 on start, the loser left ``created``?"""
    first = kit.run(1, "p1", ports={"80/tcp": 18481})
    first.reload()
    assert first.ports["80/tcp"] == [{"HostIp": "0.0.0.0", "HostPort": "18481"},
                                     {"HostIp": "::", "HostPort": "18481"}]
    with pytest.raises(docker.errors.APIError) as caught:
        kit.run(1, "p2", ports={"80/tcp": 18481})
    assert caught.value.response.status_code == 500
    assert caught.value.explanation.startswith(
        f"driver failed programming external connectivity on endpoint {kit.name('p2')} (")
    assert caught.value.explanation.endswith(
        "): Bind for 0.0.0.0:18481 failed: port is already allocated")
    loser = kit.client.containers.get(kit.name("p2"))
    assert (loser.status, loser.attrs["State"]["ExitCode"]) == ("created", 128)
    assert kit.http("127.0.0.1", 18481, "/") == (200, f"web v1 {first.id[:12]}\n")


def test_a_loopback_port_the_engine_picks(kit):
    """`ports={"80/tcp": ("127.0.0.1", None)}`: empty before start (as `containers.run` returns
    it), then one binding on 127.0.0.1 in a port of the engine's choosing, another for a second
    container, both reported alike by `ports` and `api.port`, and reaching the container?"""
    first = kit.run(1, "lp1", ports={"80/tcp": ("127.0.0.1", None)})
    assert first.ports == {}
    first.reload()
    [binding] = first.ports["80/tcp"]
    assert binding["HostIp"] == "127.0.0.1" and int(binding["HostPort"]) > 1024
    assert kit.client.api.port(first.id, 80) == [binding]
    second = kit.run(1, "lp2", ports={"80/tcp": ("127.0.0.1", None)})
    second.reload()
    assert second.ports["80/tcp"][0]["HostPort"] != binding["HostPort"]
    assert kit.http("127.0.0.1", int(binding["HostPort"]), "/") == (
        200, f"web v1 {first.id[:12]}\n")
