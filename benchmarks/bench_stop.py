"""Benchmark (not a test): what stopping the lab's replicas costs on the real engine, with the
image's start script that ends on SIGTERM against the one it replaced (``exec httpd``: PID 1
without a handler, so the signal is dropped and each stop waits out the grace period).

Run: ``python benchmarks/bench_stop.py [--rounds N]`` with the engine up and not in Swarm mode
(it enters Swarm mode and leaves it). Both columns run the same ``course/web:1`` image, health
check on; the "before" column only overrides its command with the old script. Side by side in
one run, alternating:

- ``stop``: ``container.stop()`` at docker's default 10 s timeout, of a healthy replica;
- ``update``: a 3-replica service updated to ``course/web:2`` (stop-first, parallelism 1, the
  defaults), until every task runs the new image, healthy;
- floor: ``stop`` of a container whose process has already exited (the API round trip alone).

Printed: the median seconds of each, and the ratio before / now.
"""

from __future__ import annotations

import argparse
import statistics
import time

import docker
from docker.types import ServiceMode

from course.images import tag

OLD_START = ('mkdir -p /www; echo "web v${WEB_VERSION} $(hostname)" > /www/index.html; '
             'if [ "${WEB_BROKEN:-0}" != 1 ]; then echo ok > /www/health; fi; '
             'exec httpd -f -p 80 -h /www')
LABELS = {"course.kit": "modulo7", "course.bench": "stop"}


def _healthy(client, container, limit=30.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        container.reload()
        if container.health == "healthy":
            return
        time.sleep(0.1)
    raise RuntimeError(f"{container.name} did not turn healthy")


def time_stop(client, command) -> float:
    c = client.containers.run(tag("web", 1), command, detach=True, labels=LABELS)
    try:
        _healthy(client, c)
        start = time.perf_counter()
        c.stop()
        return time.perf_counter() - start
    finally:
        c.remove(force=True)


def time_floor(client) -> float:
    c = client.containers.run(tag("web", 1), ["true"], detach=True, labels=LABELS,
                              healthcheck={"test": ["NONE"]})
    try:
        c.wait()
        start = time.perf_counter()
        c.stop()
        return time.perf_counter() - start
    finally:
        c.remove(force=True)


def time_update(client, command, name: str) -> float:
    args = {} if command is None else {"command": command}
    service = client.services.create(tag("web", 1), name=name, labels=LABELS,
                                     mode=ServiceMode("replicated", 3), **args)
    try:
        _converged(service, tag("web", 1))
        service.reload()
        start = time.perf_counter()
        service.update(image=tag("web", 2))
        _converged(service, tag("web", 2))
        return time.perf_counter() - start
    finally:
        service.remove()


def _converged(service, image: str, limit: float = 180.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        tasks = service.tasks(filters={"desired-state": "running"})
        live = [t for t in service.tasks() if t["Status"]["State"] == "running"]
        if (len(tasks) == 3 and len(live) == 3
                and all(t["Spec"]["ContainerSpec"]["Image"].startswith(image) for t in live)):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{service.name} did not converge on {image}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    client = docker.from_env()
    old = ["/bin/sh", "-c", OLD_START]
    figures: dict[str, list[float]] = {k: [] for k in
                                       ("stop now", "stop before", "update now", "update before",
                                        "floor")}
    made_swarm = client.info()["Swarm"]["LocalNodeState"] != "active"
    if made_swarm:
        client.swarm.init(advertise_addr="127.0.0.1")
    try:
        for i in range(rounds):
            figures["floor"].append(time_floor(client))
            figures["stop now"].append(time_stop(client, None))
            figures["stop before"].append(time_stop(client, old))
            figures["update now"].append(time_update(client, None, f"m7bench-now-{i}"))
            figures["update before"].append(time_update(client, old, f"m7bench-old-{i}"))
    finally:
        if made_swarm:
            client.swarm.leave(force=True)
    med = {k: statistics.median(v) for k, v in figures.items()}
    print(f"{rounds} rounds, medians (s):")
    print(f"  floor (stop of an exited container)  {med['floor']:7.2f}")
    for what in ("stop", "update"):
        now, before = med[f"{what} now"], med[f"{what} before"]
        print(f"  {what:6}  now {now:7.2f}   before {before:7.2f}   "
              f"before/now {before / now:6.1f}x")


if __name__ == "__main__":
    main()
