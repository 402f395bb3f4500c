"""Rolling updates: order, parallelism, failure actions, rollback, UpdateStatus."""

from __future__ import annotations

import pytest
from docker.types import Healthcheck, RollbackConfig, ServiceMode, UpdateConfig

from .conftest import running

SECOND = 1_000_000_000


def _service(engine, client, replicas=4, spec=None, **update):
    config = dict(parallelism=1, delay=0, failure_action="pause", monitor=2 * SECOND,
                  order="stop-first", max_failure_ratio=0)
    config.update(update)
    web = client.services.create("course/web:1", name="web",
                                 mode=ServiceMode("replicated", replicas),
                                 update_config=UpdateConfig(**config), **(spec or {}))
    engine.advance(3)
    web.reload()
    return web


def _watch(engine, web, seconds, step=0.25):
    """Sample (running v1, running v2, live tasks) every ``step`` virtual seconds."""
    samples = []
    for _ in range(int(seconds / step)):
        engine.advance(step)
        live = [t for t in web.tasks(filters={"desired-state": "running"})]
        samples.append((len(running(web, "course/web:1")), len(running(web, "course/web:2")),
                        sum(1 for t in web.tasks() if t["Status"]["State"] == "running")))
        del live
    return samples


def _state(web):
    web.reload()
    return (web.attrs.get("UpdateStatus") or {}).get("State")


def test_stop_first_never_exceeds_replicas(engine, client):
    """With stop-first, are there never more than N running tasks, and at least N-1?"""
    web = _service(engine, client, order="stop-first")
    web.update(image="course/web:2")
    samples = _watch(engine, web, 80)
    assert all(total <= 4 for _, _, total in samples)
    assert all(v1 + v2 >= 3 for v1, v2, _ in samples)
    assert samples[-1][:2] == (0, 4)
    assert _state(web) == "completed"


def test_start_first_never_drops_below_replicas(engine, client):
    """With start-first, are N tasks always running (a surge of one), never fewer? (A PID 1 that
    ignores SIGTERM keeps the surge in sight for its grace period; the lab image ends at once.)"""
    deaf = {"command": ["sleep", "600"], "healthcheck": Healthcheck(test=["NONE"])}
    web = _service(engine, client, order="start-first", spec=deaf)
    web.update(image="course/web:2")
    samples = _watch(engine, web, 80)
    assert all(v1 + v2 >= 4 for v1, v2, _ in samples)
    assert max(total for _, _, total in samples) >= 5
    assert samples[-1][:2] == (0, 4)


def test_parallelism_bounds_tasks_in_flight(engine, client):
    """With parallelism 2 and stop-first, are at most 2 slots down at once?"""
    web = _service(engine, client, replicas=6, parallelism=2)
    web.update(image="course/web:2")
    samples = _watch(engine, web, 60)
    assert min(v1 + v2 for v1, v2, _ in samples) == 4
    assert samples[-1][:2] == (0, 6)


def test_update_status_states_and_previous_spec(engine, client):
    """Does UpdateStatus go updating → completed, with PreviousSpec holding v1?"""
    web = _service(engine, client, replicas=2)
    web.update(image="course/web:2")
    engine.advance(1)
    assert _state(web) == "updating"
    assert web.attrs["UpdateStatus"]["Message"] == "update in progress"
    engine.advance(60)
    assert _state(web) == "completed"
    assert web.attrs["UpdateStatus"]["Message"] == "update completed"
    assert web.attrs["PreviousSpec"]["TaskTemplate"]["ContainerSpec"]["Image"] == "course/web:1"


def test_failure_action_pause(engine, client):
    """Does a broken image pause the update after the first failure, leaving the rest on v1?"""
    web = _service(engine, client, failure_action="pause")
    web.update(image="course/web:3")
    engine.advance(60)
    assert _state(web) == "paused"
    assert web.attrs["UpdateStatus"]["Message"].startswith("update paused due to failure")
    assert len(running(web, "course/web:1")) == 3


def test_failure_action_continue(engine, client):
    """With continue, does the update go through every slot despite failures?"""
    web = _service(engine, client, failure_action="continue", replicas=3)
    web.update(image="course/web:3")
    engine.advance(120)
    assert _state(web) == "completed"
    assert len(running(web, "course/web:1")) == 0


def test_failure_action_rollback(engine, client):
    """Does a failing update roll back to the previous spec and report rollback_completed?"""
    web = _service(engine, client, failure_action="rollback", order="start-first")
    web.update(image="course/web:2")
    engine.advance(60)
    web.reload()
    web.update(image="course/web:3")
    for _ in range(240):
        engine.advance(0.5)
        if _state(web) == "rollback_completed":
            break
    assert _state(web) == "rollback_completed"
    assert web.attrs["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] == "course/web:2"
    engine.advance(30)
    assert len(running(web, "course/web:2")) == 4


def test_rollback_visits_the_failed_slot(engine, client):
    """As on the engine (docker 20.10, measured): the slot whose new task failed still holds it
    (desired running) when the rollback starts, so the rollback visits that slot, keeps its old
    task (swarmkit's useExistingTask) and waits RollbackConfig's monitor (5 s by default)."""
    web = _service(engine, client, replicas=3, failure_action="rollback", order="start-first")
    web.update(image="course/web:3")
    states = []
    for _ in range(240):
        engine.advance(0.25)
        state = _state(web)
        if not states or states[-1][1] != state:
            states.append((engine.clock.now, state))
        if state == "rollback_completed":
            break
    assert [s for _, s in states] == ["updating", "rollback_started", "rollback_completed"]
    started, completed = states[1][0], states[2][0]
    assert 4.5 <= completed - started <= 5.5  # the engine: 4.9 s and 5.2 s
    slot_one = sorted((t["Spec"]["ContainerSpec"]["Image"], t["Status"]["State"])
                      for t in web.tasks() if t["Slot"] == 1)
    assert slot_one == [("course/web:1", "running"), ("course/web:3", "failed")]
    assert len(running(web, "course/web:1")) == 3


def test_failing_rollback_pauses(engine, client):
    """Is a rollback that fails paused (never rolled back again)?"""
    web = client.services.create(
        "course/web:3", name="web", mode=ServiceMode("replicated", 2),
        update_config=UpdateConfig(parallelism=1, failure_action="rollback", monitor=SECOND),
        rollback_config=RollbackConfig(parallelism=1, failure_action="pause", monitor=SECOND))
    engine.advance(3)
    web.reload()
    web.update(image="course/web:3", env=["X=1"])  # still broken: the rollback target too
    for _ in range(200):
        engine.advance(0.5)
        if _state(web) in ("rollback_paused", "rollback_completed"):
            break
    assert _state(web) in ("rollback_paused", "rollback_completed")


def test_manual_rollback_swaps_specs(engine, client):
    """Does rollback=previous swap Spec and PreviousSpec (twice = back where it was)?"""
    web = _service(engine, client, replicas=1)
    web.update(image="course/web:2")
    engine.advance(30)
    web.reload()
    client.api._result(client.api._post_json(
        client.api._url("/services/{0}/update", web.id), data=web.attrs["Spec"],
        params={"version": web.version, "rollback": "previous"}), True)
    web.reload()
    assert web.attrs["UpdateStatus"]["State"] == "rollback_started"
    assert web.attrs["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] == "course/web:1"
    assert web.attrs["PreviousSpec"]["TaskTemplate"]["ContainerSpec"]["Image"] == "course/web:2"
    engine.advance(30)
    assert _state(web) == "rollback_completed"
    assert len(running(web, "course/web:1")) == 1


def test_delay_spaces_slots(engine, client):
    """Does delay=10s put at least 10 s between the start of consecutive slots?"""
    web = _service(engine, client, replicas=2, delay=10 * SECOND, order="start-first")
    web.update(image="course/web:2")
    engine.advance(60)
    new = sorted(t["CreatedAt"] for t in web.tasks()
                 if t["Spec"]["ContainerSpec"]["Image"] == "course/web:2")
    assert len(new) == 2
    from datetime import datetime

    first, second = (datetime.fromisoformat(s.rstrip("Z")) for s in new)
    assert (second - first).total_seconds() >= 10


@pytest.mark.parametrize("field", ["Parallelism", "FailureAction", "Monitor", "Order"])
def test_swarm_defaults_when_absent(engine, client, field):
    """Does insertDefaults show Swarm's own defaults for a service created without them?"""
    web = client.services.create("course/web:1", name="web")
    spec = client.api.inspect_service(web.id, insert_defaults=True)["Spec"]
    expected = {"Parallelism": 1, "FailureAction": "pause", "Monitor": 5 * SECOND,
                "Order": "stop-first"}
    assert spec["UpdateConfig"][field] == expected[field]


def test_global_service_update(engine, client):
    """Is a global service updated node by node, one task per node throughout?"""
    engine.swarm.add_node("w1")
    engine.swarm.add_node("w2")
    agent = client.services.create(
        "course/web:1", name="agent", mode=ServiceMode("global"),
        update_config=UpdateConfig(parallelism=1, order="stop-first", monitor=SECOND))
    engine.advance(3)
    agent.reload()
    agent.update(image="course/web:2")
    for _ in range(160):
        engine.advance(0.25)
        live = agent.tasks(filters={"desired-state": "running"})
        assert len({t["NodeID"] for t in live}) == len(live) <= 3
    assert len(running(agent, "course/web:2")) == 3
    assert _state(agent) == "completed"


def test_max_failure_ratio_tolerates_failures(engine, client):
    """With max_failure_ratio 0.5 over 4 slots, does the update pause only at the 3rd failure?"""
    web = _service(engine, client, failure_action="pause", max_failure_ratio=0.5)
    web.update(image="course/web:3")
    for _ in range(400):
        engine.advance(0.5)
        if _state(web) == "paused":
            break
    assert _state(web) == "paused"
    tried = {t["Slot"] for t in web.tasks()
             if t["Spec"]["ContainerSpec"]["Image"] == "course/web:3"}
    assert len(tried) == 3
