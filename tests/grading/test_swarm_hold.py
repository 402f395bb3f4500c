"""Grading on the engine holds Swarm mode for the run: a lab's cleanup beside another notebook
must not take the engine out of Swarm mode, because leaving it wipes the DNS names of every
container on user-defined networks (course.grading.swarm_turns says more)."""

from __future__ import annotations

import re

import pytest

from course.grading.swarm_turns import HELD_LABELS, default_lock, swarm_held, swarm_turn
from course.lab import Lab
from course.swarm_mode import in_swarm

pytestmark = pytest.mark.docker


def _addresses(asker, name: str) -> list[str]:
    out = asker.exec_run(["nslookup", name]).output.decode()
    answer = out.split("Name:", 1)[1] if "Name:" in out else ""
    return sorted(re.findall(r"Address:?\s+(\d+\.\d+\.\d+\.\d+)", answer))


def test_a_labs_cleanup_beside_a_dns_notebook_leaves_the_held_swarm_and_its_names(docker_client):
    """With the swarm held, does a Swarm lab's cleanup leave the engine in Swarm mode, do the
    other lab's three aliased replicas still resolve after it, and is the engine out of Swarm
    mode once the hold ends?"""
    if in_swarm(docker_client):
        pytest.skip("the engine is already in Swarm mode (someone else's): nothing to hold")
    with swarm_turn(default_lock()), swarm_held(docker_client, True) as made:
        assert made and docker_client.swarm.attrs["Spec"]["Labels"] == HELD_LABELS
        dns_lab = Lab(backend="docker", quiet=True)
        try:
            net = dns_lab.client.networks.create(dns_lab.name("red"), labels=dns_lab.labels())
            endpoint = dns_lab.client.api.create_endpoint_config(aliases=["web"])
            replicas = [dns_lab.client.containers.run(
                dns_lab.image("web", 1), detach=True, name=dns_lab.name(f"web-{i}"),
                labels=dns_lab.labels(), network=net.name, networking_config={net.name: endpoint})
                for i in (1, 2, 3)]
            asker = dns_lab.client.containers.run(dns_lab.image("web", 1), detach=True,
                                                  name=dns_lab.name("api"),
                                                  labels=dns_lab.labels(), network=net.name)
            assert len(_addresses(asker, "web")) == 3
            with Lab(backend="docker", quiet=True) as swarm_lab:
                assert swarm_lab.ensure_swarm() is False  # already in Swarm mode: not its own
            assert in_swarm(docker_client), "a lab left the swarm the grader holds"
            found = _addresses(asker, "web")
            assert len(found) == 3 and len(replicas) == 3, f"after the cleanup 'web' gives {found}"
        finally:
            dns_lab.cleanup()
    assert not in_swarm(docker_client), "the grader must leave the swarm it entered"
