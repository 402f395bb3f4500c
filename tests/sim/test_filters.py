"""``containers.list`` filters with the engine's semantics."""

from __future__ import annotations

import docker
import pytest


@pytest.fixture
def fleet(engine, client):
    made = {}
    made["web1"] = client.containers.run("course/web:1", name="web1", detach=True,
                                         labels={"app": "web", "tier": "front"})
    made["web3"] = client.containers.run("course/web:3", name="web3", detach=True,
                                         labels={"app": "web", "tier": "back"})
    made["job"] = client.containers.run("busybox", ["sh", "-c", "exit 2"], name="job",
                                        detach=True, labels={"app": "job"})
    made["new"] = client.containers.create("busybox", name="new-one", labels={"other": ""})
    engine.advance(5)
    return made


def names(containers):
    return sorted(c.name for c in containers)


@pytest.mark.parametrize("filters, all_, expected", [
    ({"label": "app"}, False, ["web1", "web3"]),
    ({"label": "app"}, True, ["job", "web1", "web3"]),
    ({"label": "app=web"}, False, ["web1", "web3"]),
    ({"label": ["app=web", "tier=back"]}, False, ["web3"]),
    ({"label": "app=nope"}, True, []),
    ({"status": "exited"}, False, ["job"]),
    ({"status": ["created", "exited"]}, False, ["job", "new-one"]),
    ({"name": "web"}, False, ["web1", "web3"]),
    ({"name": "^/web1$"}, False, ["web1"]),
    ({"health": "unhealthy"}, False, ["web3"]),
    ({"health": "healthy"}, False, ["web1"]),
    ({"health": "none"}, True, ["job", "new-one"]),
    ({"ancestor": "course/web:3"}, True, ["web3"]),
    ({"exited": "2"}, True, ["job"]),
])
def test_filters(client, fleet, filters, all_, expected):
    """Does each filter select exactly the containers the engine would?"""
    assert names(client.containers.list(all=all_, filters=filters)) == expected


def test_list_is_newest_first_and_limit_implies_all(client, fleet):
    """Is the list newest first, and does ``limit`` include stopped containers?"""
    assert [c.name for c in client.containers.list(all=True)] == ["new-one", "job", "web3", "web1"]
    assert [c.name for c in client.containers.list(limit=2)] == ["new-one", "job"]


def test_invalid_filter_is_400(client):
    """Is an unknown filter name or status value a 400, with the engine's text?"""
    with pytest.raises(docker.errors.APIError) as caught:
        client.containers.list(filters={"colour": "red"})
    assert caught.value.response.status_code == 400
    assert caught.value.explanation == "Invalid filter 'colour'"
    with pytest.raises(docker.errors.APIError) as caught:
        client.containers.list(filters={"status": "dormido"})
    assert caught.value.explanation == "Invalid filter 'status=dormido'"


def test_label_index_follows_removal(client, fleet):
    """After removing a container, does the label filter forget it?"""
    fleet["web1"].remove(force=True)
    assert names(client.containers.list(all=True, filters={"label": "app=web"})) == ["web3"]
