"""The virtual clock: SimPy's shape, no wall time."""

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


def test_api_calls_move_the_clock(engine, client):
    """Does every API call cost a small virtual step, so polling loops make progress?"""
    before = engine.clock.now
    for _ in range(10):
        client.containers.list()
    assert engine.clock.now > before
