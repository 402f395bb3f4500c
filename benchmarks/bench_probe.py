"""Benchmark (not a test): what one ``lab.http_get`` costs, before and after it went through the
engine.

Run: ``python benchmarks/bench_probe.py [N]``. On the real engine it starts one lab container
and sends it N requests (default 50) three ways, side by side:

- *host route* (the kit before issue 13): urllib from this process to the container's bridge
  address. Only possible where the host routes to the bridge (Linux, rootful); Docker Desktop,
  rootless Docker and a confined kernel cannot do it at all.
- *through the engine, whole call*: ``lab.http_get(container)`` as lessons call it today (the
  container lookup, ``containers.get``, plus the helper's request).
- *through the engine, exec only*: the helper's request without the lookup: one line to the
  long-lived exec session in the lab's helper container, which runs wget and answers.
- *docker-py exec_run*: the same wget as a new ``exec`` each time (create, start, inspect: the
  runtime spawns a process in the container), the first version of the path, for the ratio.

The ways run interleaved (one request of each in turn) so a loaded machine weighs on all alike.

and, for scale, ``lab.http_get`` on the simulator. It prints the median and p95 per request
and the ratios. The sampling question it answers: lesson 05's probe sends one request every
``paso`` = 0.2 s; a request that takes a large part of that slows the timeline's sampling.
Everything it makes is the lab's and is removed by ``lab.cleanup()``.
"""

from __future__ import annotations

import statistics
import sys
import time
import urllib.request

from course import Lab
from course.probe import container_address

N = int(sys.argv[1]) if len(sys.argv) > 1 else 50


def timed(call, n: int) -> list[float]:
    return interleaved({"": call}, n)[""]


def interleaved(calls: dict, n: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(n):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return times


def line(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    p95 = sorted(times)[int(0.95 * (len(times) - 1))]
    print(f"  {label:<38} median {median * 1000:8.2f} ms   p95 {p95 * 1000:8.2f} ms")
    return median


def host_route(address: str) -> None:
    with urllib.request.urlopen(f"http://{address}/", timeout=2) as reply:
        reply.read()


def main() -> None:
    print(f"lab.http_get: {N} requests per way")
    with Lab(backend="sim", quiet=True) as sim:
        web = sim.client.containers.run(sim.image("web", 1), detach=True, name=sim.name("web"),
                                        labels=sim.labels())
        sim_median = line("simulator (virtual engine)", timed(lambda: sim.http_get(web), N))
    try:
        lab = Lab(backend="docker", quiet=True)
    except Exception as error:  # no engine: say so, the simulator's figure still printed
        print(f"  real engine: skipped ({error})")
        return
    try:
        web = lab.client.containers.run(lab.image("web", 1), detach=True, name=lab.name("web"),
                                        labels=lab.labels())
        deadline = time.monotonic() + 20
        while not lab.http_get(web).ok and time.monotonic() < deadline:
            time.sleep(0.2)
        web.reload()
        address = container_address(web)
        helper = lab.runtime.http._ensure()
        lab.runtime.container_get(web, 80, "/", 2.0)  # attach the helper to the network
        ways = {
            "through the engine: lab.http_get": lambda: lab.http_get(web),
            "through the engine: the exec alone": (
                lambda: lab.runtime.container_get(web, 80, "/", 2.0)),
            "docker-py exec_run (3 API calls)": (
                lambda: helper.exec_run(["/bin/wget", "-T", "2", "-qO-", f"http://{address}/"])),
        }
        try:
            host_route(address)
            ways["host route (before: urllib to the IP)"] = lambda: host_route(address)
        except OSError as error:
            print(f"  host route: impossible here ({error}): the reason for issue 13")
        medians = {name: line(name, times) for name, times in interleaved(ways, N).items()}
        whole = medians["through the engine: lab.http_get"]
        exec_only = medians["through the engine: the exec alone"]
        host = medians.get("host route (before: urllib to the IP)")
        if host:
            print(f"  ratio engine/host route: {whole / host:.1f}x (exec alone "
                  f"{exec_only / host:.1f}x)")
        print(f"  ratio exec_run/exec alone: "
              f"{medians['docker-py exec_run (3 API calls)'] / exec_only:.2f}x")
        print(f"  ratio engine/simulator: {whole / sim_median:.1f}x")
        print(f"  share of lesson 05's 0.2 s sampling step: {whole / 0.2:.0%}")
    finally:
        lab.cleanup()


if __name__ == "__main__":
    main()
