"""Benchmark of the simulated Swarm (not a test: it prints figures).

Covers: the orchestrator at a scale no lesson reaches, to show the data structures hold up.
Scenario: 1,000 nodes; a 10,000-replica service converged from nothing; then 100 nodes taken
down and their tasks rescheduled; then a rolling update of all 10,000 tasks with parallelism
100 (start-first). The scenario runs twice: once timed (wall and CPU time, nothing traced),
once under tracemalloc for each step's peak (tracing slows Python down several times, so its
times are not reported). Goal: each step under 1 s and under 300 MB on the development
machines (2 cores, shared).

Run: ``.venv/bin/python benchmarks/bench_swarm.py``
"""

from __future__ import annotations

import resource
import time
import tracemalloc

from docker.types import EndpointSpec, ServiceMode, UpdateConfig

from course.sim import Engine

RANDOM_SEED = 0
NODES = 1_000
REPLICAS = 10_000
NODES_DOWN = 100
PARALLELISM = 100
SECOND = 1_000_000_000


def run_until_converged(engine, service_id: str, limit: float = 3_600.0, step: float = 2.0):
    """Advance virtual time until the service has its replicas running on its current spec."""
    swarm = engine.swarm
    start = engine.clock.now
    while engine.clock.now - start < limit:
        engine.advance(step)
        if swarm.converged():
            return engine.clock.now - start
    raise RuntimeError(f"not converged after {limit} virtual seconds")


def timed(action) -> tuple[float, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    virtual = action()
    return time.perf_counter() - wall, time.process_time() - cpu, virtual


def traced(action) -> float:
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def scenario() -> tuple[list, object]:
    """The three steps as callables over one fresh engine (run them in order)."""
    engine = Engine(seed=RANDOM_SEED)
    client = engine.client()
    client.swarm.init(advertise_addr="127.0.0.1")
    for i in range(1, NODES):
        engine.swarm.add_node(f"worker-{i:04d}", cpus=4, memory_gb=8)
    holder = {}

    def converge():
        service = client.services.create(
            "course/web:1", name="web", mode=ServiceMode("replicated", REPLICAS),
            endpoint_spec=EndpointSpec(mode="dnsrr"),
            update_config=UpdateConfig(parallelism=PARALLELISM, delay=0, order="start-first",
                                       failure_action="pause", monitor=SECOND))
        holder["service"] = service
        return run_until_converged(engine, service.id)

    def nodes_down():
        for i in range(1, NODES_DOWN + 1):
            engine.swarm.node_down(f"worker-{i:04d}")
        return run_until_converged(engine, holder["service"].id)

    def rolling_update():
        service = holder["service"]
        service.reload()
        service.update(image="course/web:2")
        return run_until_converged(engine, service.id)

    steps = [
        (f"1. {REPLICAS} réplicas convergen desde cero", converge),
        (f"2. {NODES_DOWN} nodos caen y sus tareas se reprograman", nodes_down),
        (f"3. rolling update de {REPLICAS} tareas, parallelism {PARALLELISM}", rolling_update),
    ]
    return steps, (engine, holder)


def main() -> None:
    print(f"Swarm simulado: {NODES} nodos, {REPLICAS} réplicas (semilla {RANDOM_SEED})")
    steps, _ = scenario()
    times = [timed(action) for _, action in steps]
    traced_steps, (engine, holder) = scenario()
    peaks = [traced(action) for _, action in traced_steps]
    for (label, _), (wall, cpu, virtual), peak in zip(steps, times, peaks, strict=True):
        print(f"{label:<58} wall {wall:5.2f} s  cpu {cpu:5.2f} s  pico {peak:6.1f} MB  "
              f"(virtual {virtual:5.1f} s)")
    swarm = engine.swarm
    service = swarm.services[holder["service"].id]
    live = [t for t in swarm.tasks.of_service(service.id)
            if t.desired == "running" and t.state == "running"]
    print(f"Tareas en marcha: {len(live)}, todas con {service.image}: "
          f"{all(t.key == service.key for t in live)}; tareas guardadas: {len(swarm.tasks)}; "
          f"UpdateStatus: {service.update_status['State']}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Memoria residente máxima del proceso (dos escenarios completos): {rss:.0f} MB")


if __name__ == "__main__":
    main()
