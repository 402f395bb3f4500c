"""The virtual clock: SimPy's shape; real time counts only where the caller really waits."""

from __future__ import annotations

import pytest

from course.sim import Clock, EmptySchedule


def test_timers_fire_in_time_order():
    """Do timers fire in the order of their due time, with the clock at that time?"""
    clock, seen = Clock(), []
    clock.schedule(3.0, lambda: seen.append(("b", clock.now)))
    clock.schedule(1.0, lambda: seen.append(("a", clock.now)))
    clock.run(until=10.0)
    assert seen == [("a", 1.0), ("b", 3.0)]
    assert clock.now == 10.0


def test_cancelled_timer_never_fires():
    """Does a cancelled timer stay silent, and does peek skip it?"""
    clock, seen = Clock(), []
    timer = clock.schedule(1.0, lambda: seen.append(1))
    clock.cancel(timer)
    assert clock.peek() == float("inf")
    clock.advance(5)
    assert seen == []


def test_step_on_empty_schedule_raises():
    """Is stepping an empty schedule an ``EmptySchedule`` error rather than a hang?"""
    with pytest.raises(EmptySchedule):
        Clock().step()


def test_same_time_timers_keep_insertion_order():
    """Do two timers due at the same instant fire in the order they were scheduled?"""
    clock, seen = Clock(), []
    for name in "xyz":
        clock.schedule(1.0, lambda n=name: seen.append(n))
    clock.advance(1.0)
    assert seen == ["x", "y", "z"]


def test_time_moves_only_through_the_clock():
    """Is ``now`` read-only, so that nothing but the clock's own step/run/advance moves time?"""
    clock = Clock()
    with pytest.raises(AttributeError):
        clock.now = 5.0
    clock.advance(2.0)
    assert clock.now == 2.0


def test_api_calls_move_the_clock(engine, client):
    """Does every API call cost a small virtual step, so polling loops make progress?"""
    before = engine.clock.now
    for _ in range(10):
        client.containers.list()
    assert engine.clock.now > before


def test_a_real_wait_between_calls_passes_on_the_cluster(engine, client):
    """Does a time.sleep between two API calls (docker-py's own polling loops) move the clock,
    while lab.sleep (engine.advance) stays instant?"""
    import time

    client.ping()
    before = engine.clock.now
    time.sleep(0.6)
    client.ping()
    assert engine.clock.now - before >= 0.5  # 0.6 s real, counted in 0.25 s steps
    began = time.monotonic()
    engine.advance(3600)
    assert time.monotonic() - began < 1.0


def test_real_gaps_below_the_threshold_count_as_nothing():
    """Is the computation between calls (gaps under 0.25 s) ignored, and are real waits counted
    in whole 0.25 s steps, so histories without real waits stay identical?"""
    from course.sim.clock import RealWaits

    ticks = iter([10.0, 10.24, 10.24, 10.74, 11.3])
    waits = RealWaits(monotonic=lambda: next(ticks))
    assert [waits.since_last() for _ in range(5)] == [0.0, 0.0, 0.0, 0.5, 0.5]


def test_a_service_polled_with_real_sleeps_starts(engine, client):
    """Does the loop docker-py's service tests use (list, time.sleep(0.5), repeat) see the
    service's task container start, as on the engine?"""
    import time

    client.swarm.init()
    client.services.create("busybox", ["sleep", "300"], name="polled")
    for _ in range(20):
        if client.containers.list(filters={"name": "polled"}):
            break
        time.sleep(0.5)
    assert client.containers.list(filters={"name": "polled"}), "the task never started"
