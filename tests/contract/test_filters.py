"""Labels and list filters: the same selection on both backends."""

from __future__ import annotations

import docker
import pytest


@pytest.fixture
def fleet(kit):
    made = {
        "front": kit.run(1, "front", labels={"app": "web", "tier": "front"}),
        "back": kit.run(2, "back", labels={"app": "web", "tier": "back"}),
        "job": kit.run(1, "job", labels={"app": "job"}, command=["sh", "-c", "exit 2"]),
        "idle": kit.client.containers.create(kit.image(1), name=kit.name("idle"),
                                             labels={**kit.labels, "app": "idle"}),
    }
    made["job"].wait()
    return made


def names(kit, **kwargs):
    filters = {"label": [f"course.test={kit.test_id}"], **kwargs.pop("filters", {})}
    found = kit.client.containers.list(filters=filters, **kwargs)
    return sorted(c.name.rsplit("-", 1)[-1] for c in found)


# One fleet per backend serves every case: starting four containers per case made this file
# the slowest of the suite on the engine.
CASES = [
    ({}, False, ["back", "front"]),
    ({}, True, ["back", "front", "idle", "job"]),
    ({"label": ["app=web"]}, False, ["back", "front"]),
    ({"label": ["app=web", "tier=back"]}, False, ["back"]),
    ({"label": ["tier"]}, True, ["back", "front"]),
    ({"label": ["app=nada"]}, True, []),
    ({"status": "exited"}, False, ["job"]),
    ({"status": "created"}, False, ["idle"]),
    ({"status": ["created", "exited"]}, True, ["idle", "job"]),
    ({"exited": "2"}, True, ["job"]),
]


def test_label_and_status_filters(kit, fleet):
    """Does each label/status filter (all of CASES) select the same containers on both?"""
    wrong = []
    for filters, all_, expected in CASES:
        if "label" in filters:
            filters = {"label": [f"course.test={kit.test_id}", *filters["label"]],
                       **{k: v for k, v in filters.items() if k != "label"}}
        got = names(kit, filters=filters, all=all_)
        if got != expected:
            wrong.append(f"filters={filters} all={all_}: got {got}, expected {expected}")
    assert not wrong, f"[{kit.backend}] " + "; ".join(wrong)


def test_name_ancestor_filters_and_order(kit, fleet):
    """Are ``name`` (a regex searched in ``/name``) and ``ancestor`` filters the engine's, and
    is the list newest first?"""
    assert names(kit, filters={"name": f"{kit.test_id}-fr"}) == ["front"]
    assert names(kit, filters={"name": f"^/m7c-{kit.test_id}-(front|back)$"}) == ["back", "front"]
    assert names(kit, filters={"ancestor": kit.image(2)}, all=True) == ["back"]
    found = kit.client.containers.list(all=True, filters={"label": f"course.test={kit.test_id}"})
    assert [c.name.rsplit("-", 1)[-1] for c in found] == ["idle", "job", "back", "front"]


def test_invalid_filters(kit):
    """Are an unknown filter and a bad status value 400s with the engine's text?"""
    with pytest.raises(docker.errors.APIError) as caught:
        kit.client.containers.list(filters={"colour": "red"})
    assert (caught.value.response.status_code, caught.value.explanation) == (
        400, "Invalid filter 'colour'")
    with pytest.raises(docker.errors.APIError) as status:
        kit.client.containers.list(filters={"status": "dormido"})
    assert status.value.explanation == "Invalid filter 'status=dormido'"
    with pytest.raises(docker.errors.APIError) as health:
        kit.client.containers.list(filters={"health": "sano"})
    assert health.value.explanation == "Unrecognised filter value for health: sano"


def test_sparse_list_summary(kit, fleet):
    """With ``sparse=True``, do the list summaries (Names, Image, State, Status) agree?"""
    found = kit.client.containers.list(all=True, sparse=True,
                                       filters={"label": f"course.test={kit.test_id}"})
    by_name = {c.attrs["Names"][0]: c.attrs for c in found}
    front = by_name[f"/{kit.name('front')}"]
    assert (front["Image"], front["State"], front["Labels"]["tier"]) == (
        kit.image(1), "running", "front")
    assert front["Status"].startswith("Up ")
    job = by_name[f"/{kit.name('job')}"]
    assert job["State"] == "exited" and job["Status"].startswith("Exited (2) ")
    assert by_name[f"/{kit.name('idle')}"]["Status"] == "Created"
    assert job["Command"] == "sh -c 'exit 2'"
