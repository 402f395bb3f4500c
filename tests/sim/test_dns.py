"""The embedded DNS: names, aliases and short ids, only on user-defined networks."""

from __future__ import annotations

import pytest

from course.sim import Engine, dns


@pytest.fixture
def net(client):
    network = client.networks.create("lab")
    cfg = {"lab": client.api.create_endpoint_config(aliases=["web"])}
    replicas = [client.containers.run("course/web:1", name=f"web{i}", detach=True, network="lab",
                                      networking_config=cfg) for i in range(3)]
    probe = client.containers.run("busybox", ["sleep", "3600"], name="probe", detach=True,
                                  network="lab")
    for c in (*replicas, probe):
        c.reload()
    return network, replicas, probe


def ip(container, network="lab"):
    return container.attrs["NetworkSettings"]["Networks"][network]["IPAddress"]


def test_name_alias_and_short_id_resolve(engine, net):
    """Do a container's name, alias and short id resolve on a user-defined network?"""
    _, replicas, probe = net
    target = engine.containers.find(probe.id)
    assert dns.resolve(engine, target, "web0") == [ip(replicas[0])]
    assert dns.resolve(engine, target, replicas[1].id[:12]) == [ip(replicas[1])]
    assert sorted(dns.resolve(engine, target, "web")) == sorted(ip(c) for c in replicas)


def test_shared_alias_answers_are_shuffled(engine, net):
    """Does a shared alias give every replica, in an order that changes between queries?"""
    _, _, probe = net
    target = engine.containers.find(probe.id)
    orders = {tuple(dns.resolve(engine, target, "web")) for _ in range(20)}
    assert len(orders) > 1, "20 queries always gave the same order: no round-robin shuffle"


def test_nslookup_output_is_busybox(net):
    """Does ``nslookup`` print busybox 1.35's format, with 127.0.0.11 as the server?"""
    _, replicas, probe = net
    out = probe.exec_run("nslookup web0")
    assert out.exit_code == 0
    assert out.output.decode() == (
        "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\n"
        f"Name:\tweb0\nAddress: {ip(replicas[0])}\n\nNon-authoritative answer:\n\n")
    missing = probe.exec_run("nslookup nadie")
    assert missing.exit_code == 1
    assert "** server can't find nadie: NXDOMAIN" in missing.output.decode()


def test_default_bridge_has_no_names(client):
    """On the default bridge, does a container fail to resolve another one's name?"""
    client.containers.run("busybox", ["sleep", "60"], name="aa", detach=True)
    b = client.containers.run("busybox", ["sleep", "60"], name="bb", detach=True)
    out = b.exec_run("nslookup aa")
    assert out.exit_code == 1 and b"NXDOMAIN" in out.output
    assert b.exec_run("ping -c 1 aa").output == b"ping: bad address 'aa'\n"


def test_stopped_container_leaves_dns(engine, net):
    """Does a stopped replica stop answering for the shared alias?"""
    _, replicas, probe = net
    replicas[0].kill()
    answers = dns.resolve(engine, engine.containers.find(probe.id), "web")
    assert ip(replicas[0]) not in answers and len(answers) == 2


def test_networks_are_isolated(client):
    """Can a container on one bridge not resolve, nor reach, a container on another?"""
    client.networks.create("uno")
    client.networks.create("dos")
    a = client.containers.run("course/web:1", name="aa", detach=True, network="uno")
    b = client.containers.run("busybox", ["sleep", "600"], name="bb", detach=True, network="dos")
    a.reload()
    assert b.exec_run("nslookup aa").exit_code == 1
    out = b.exec_run(f"wget -qO- -T 1 http://{ip(a, 'uno')}/")
    assert (out.exit_code, out.output) == (1, b"wget: download timed out\n")


def test_same_seed_same_shuffle():
    """Do two engines with the same seed shuffle DNS answers identically?"""
    def answers(seed):
        engine = Engine(seed=seed)
        client = engine.client()
        client.networks.create("n")
        cfg = {"n": client.api.create_endpoint_config(aliases=["s"])}
        for i in range(4):
            client.containers.run("busybox", ["sleep", "60"], name=f"c{i}", detach=True,
                                  network="n", networking_config=cfg)
        probe = engine.containers.find("c0")
        return [tuple(dns.resolve(engine, probe, "s")) for _ in range(5)]

    assert answers(7) == answers(7)
