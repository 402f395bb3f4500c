"""Benchmark (not a test): the simulator at 10,000 containers, and its cost against the engine.

Run: ``python benchmarks/bench_containers.py [N]``. It prints, for the simulator, the wall time
of creating and starting N containers (default 10,000) through docker-py, listing them with a
label filter and removing them, with the peak memory traced by ``tracemalloc``; then the same
calls for 20 containers on the real engine (skipped, with a line saying so, when none answers)
and the per-call ratio engine/simulator for that same 20-container workload. Everything on the
engine carries ``course.kit=modulo7`` and is removed at the end. The machine's load moves the
engine's figures a lot (other processes share its cores); the simulator's are steadier.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
import uuid

import docker

from course.sim import Engine

N_SIM = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
N_ENGINE = 20
IMAGE_SIM = "busybox"
COMMAND = ["sleep", "86400"]


def exercise(client, image: str, count: int, tag: str, command=None) -> dict[str, list[float]]:
    """run (create+start) ``count`` containers, list half by label, remove all; per-call times."""
    times: dict[str, list[float]] = {"run": [], "list": [], "remove": []}
    made = []
    for i in range(count):
        start = time.perf_counter()
        made.append(client.containers.run(
            image, command, detach=True, name=f"m7b-{tag}-{i}",
            labels={"course.kit": "modulo7", "bench": tag, "half": str(i % 2)}))
        times["run"].append(time.perf_counter() - start)
    start = time.perf_counter()
    found = client.containers.list(filters={"label": [f"bench={tag}", "half=0"]})
    times["list"].append(time.perf_counter() - start)
    assert len(found) == (count + 1) // 2, f"label filter found {len(found)} of {(count + 1) // 2}"
    for container in made:
        start = time.perf_counter()
        container.remove(force=True)
        times["remove"].append(time.perf_counter() - start)
    return times


def simulator() -> dict[str, list[float]]:
    """Two passes over the same calls: wall time untraced, then peak memory under tracemalloc
    (which slows Python down several times, so its pass is not timed)."""
    began = time.perf_counter()
    engine = Engine(seed=0)
    times = exercise(engine.client(), IMAGE_SIM, N_SIM, "sim", COMMAND)
    total = time.perf_counter() - began
    tenth = max(1, N_SIM // 10)
    growth = {call: statistics.median(times[call][-tenth:]) / statistics.median(times[call][:tenth])
              for call in ("run", "remove")}
    print(f"simulator, {N_SIM} containers: total {total:.1f} s wall "
          f"(run {sum(times['run']):.1f} s, list by label {sum(times['list']):.2f} s for "
          f"{(N_SIM + 1) // 2} matches, remove {sum(times['remove']):.1f} s); "
          f"virtual clock {engine.clock.now:.0f} s; {len(engine.events)} events")
    print(f"  linear? median call time, last tenth / first tenth: run {growth['run']:.2f}x, "
          f"remove {growth['remove']:.2f}x (about 1 means no call gets slower as N grows)")
    del engine
    tracemalloc.start()
    exercise(Engine(seed=0).client(), IMAGE_SIM, N_SIM, "sim", COMMAND)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak memory (tracemalloc, second pass): {peak / 2**20:.0f} MiB")
    return times


def real_engine() -> dict[str, list[float]] | None:
    try:
        client = docker.from_env(timeout=60)
        client.ping()
    except Exception as error:  # any failure: no engine to compare with
        print(f"real engine: skipped, none answers ({type(error).__name__})")
        return None
    from course.images import ensure_image

    image = ensure_image(client, "web", 1)
    tag = uuid.uuid4().hex[:6]
    try:
        times = exercise(client, image, N_ENGINE, tag)
    finally:
        for c in client.containers.list(all=True, filters={"label": f"bench={tag}"}):
            c.remove(force=True)
        client.close()
    print(f"real engine, {N_ENGINE} containers: run {sum(times['run']):.1f} s, "
          f"list {sum(times['list']):.2f} s, remove {sum(times['remove']):.1f} s")
    return times


def main() -> None:
    simulator()
    engine = real_engine()
    if engine is None:
        return
    # the same 20-container workload on a fresh simulator, so both columns do the same work
    sim = exercise(Engine(seed=0).client(), "course/web:1", N_ENGINE, "sim20")
    print(f"per call, {N_ENGINE} containers (median)  engine      simulator   engine/sim")
    for call in ("run", "list", "remove"):
        e, s = statistics.median(engine[call]), statistics.median(sim[call])
        print(f"  {call:<28} {e * 1000:9.2f} ms {s * 1000:9.2f} ms {e / s:10.0f}x")


if __name__ == "__main__":
    main()
