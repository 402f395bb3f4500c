"""Benchmark (not a test): N lab containers (their health check on) through docker-py, against
the simulator, the old simulator and the floor, side by side in one run.

Run: ``python benchmarks/bench_containers.py [N] [--old PATH]``. The workload: ``containers.run``
N containers of ``course/web:1`` (its HEALTHCHECK probes every virtual second), one
``containers.list`` by label (half of them match: docker-py inspects each), then ``remove``
each. Three columns, each in its own process so peak memory (max RSS) is its own:

- **floor**: the same docker-py calls against a ``requests`` transport that answers canned
  responses: what docker-py and requests cost alone, the least any in-process simulator can cost;
- **new**: this tree's simulator;
- **old**: the simulator at ``--old PATH`` (a git worktree, e.g. ``git worktree add
  /tmp/sim-old b61c86d``), when given.

Printed: wall time, the ratio to the floor, peak memory, and growth (median call time of the last
tenth of the calls over the first tenth; about 1 means the cost per call does not grow with N).
Goals (issue 16): at most 2x the floor, 300 MB, growth 1.2x.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time

N_DEFAULT = 10_000
IMAGE = "course/web:1"


def exercise(client, count: int) -> dict[str, list[float]]:
    """run ``count`` containers, list half by label, remove all; per-call wall times."""
    times: dict[str, list[float]] = {"run": [], "list": [], "remove": []}
    made = []
    for i in range(count):
        start = time.perf_counter()
        made.append(client.containers.run(IMAGE, detach=True, name=f"m7b-{i}",
                                          labels={"bench": "1", "half": str(i % 2)}))
        times["run"].append(time.perf_counter() - start)
    start = time.perf_counter()
    found = client.containers.list(filters={"label": ["bench=1", "half=0"]})
    times["list"].append(time.perf_counter() - start)
    assert len(found) == (count + 1) // 2, f"label filter found {len(found)}"
    for container in made:
        start = time.perf_counter()
        container.remove(force=True)
        times["remove"].append(time.perf_counter() - start)
    return times


def canned_client(count: int):
    """docker-py over a transport that answers every call with a canned body (no model)."""
    import docker
    import requests
    from requests.adapters import BaseAdapter

    inspect = {"Id": "0" * 64, "Name": "/m7b", "Image": "sha256:" + "1" * 64,
               "Config": {"Image": IMAGE, "Labels": {"bench": "1"}},
               "HostConfig": {"LogConfig": {"Type": "json-file"}},
               "State": {"Status": "running", "Health": {"Status": "starting"}}}
    summaries = [{"Id": f"{i:064x}"} for i in range(0, count, 2)]

    class Canned(BaseAdapter):
        def send(self, request, **kwargs):
            path, method = request.path_url.split("?")[0], request.method
            if method == "POST" and path.endswith("/containers/create"):
                status, body = 201, {"Id": "0" * 64, "Warnings": []}
            elif method == "GET" and path.endswith("/containers/json"):
                status, body = 200, summaries
            elif method == "GET":
                status, body = 200, inspect
            else:
                status, body = 204, None
            response = requests.Response()
            response.status_code, response.request, response.url = status, request, request.url
            response._content = b"" if body is None else json.dumps(body).encode()
            response.headers["Content-Type"] = "application/json"
            return response

        def close(self):
            pass

    client = docker.DockerClient(base_url="tcp://floor.invalid:2375", version="1.41")
    client.api.mount("http://floor.invalid:2375", Canned())
    client.api.trust_env = False
    return client


def measure(kind: str, count: int) -> dict:
    """One column (run in its own process): wall times, peak RSS."""
    if kind == "floor":
        client = canned_client(count)
    else:
        from course.sim import Engine

        client = Engine(seed=0).client()
    began = time.perf_counter()
    times = exercise(client, count)
    total = time.perf_counter() - began
    tenth = max(1, count // 10)
    growth = {c: statistics.median(times[c][-tenth:]) / statistics.median(times[c][:tenth])
              for c in ("run", "remove")}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    return {"total": total, "run": sum(times["run"]), "list": sum(times["list"]),
            "remove": sum(times["remove"]), "growth": growth, "peak_mib": peak,
            "calls": 2 * count + 1}


def column(kind: str, count: int, code_root: str | None) -> dict:
    env = dict(os.environ)
    if code_root:
        env["PYTHONPATH"] = code_root
    out = subprocess.run([sys.executable, __file__, "--column", kind, str(count)], env=env,
                         capture_output=True, text=True, check=True,
                         cwd=code_root or os.getcwd())
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--column"]:
        print(json.dumps(measure(args[1], int(args[2]))))
        return
    old = None
    if "--old" in args:
        old = args[args.index("--old") + 1]
        del args[args.index("--old"):args.index("--old") + 2]
    count = int(args[0]) if args else N_DEFAULT
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    columns = {"floor": column("floor", count, here), "new": column("sim", count, here)}
    if old:
        columns["old"] = column("sim", count, os.path.abspath(old))
    floor = columns["floor"]["total"]
    print(f"{count} containers of {IMAGE} (health check on): run, list by label, remove "
          f"({columns['floor']['calls']} docker-py calls)")
    print(f"  {'':<6} {'wall s':>8} {'x floor':>8} {'run s':>8} {'list s':>7} {'remove s':>9} "
          f"{'peak MiB':>9} {'growth run':>11} {'growth rm':>10}")
    for name, c in columns.items():
        print(f"  {name:<6} {c['total']:8.1f} {c['total'] / floor:8.2f} {c['run']:8.1f} "
              f"{c['list']:7.2f} {c['remove']:9.1f} {c['peak_mib']:9.0f} "
              f"{c['growth']['run']:11.2f} {c['growth']['remove']:10.2f}")
    print("  goals: x floor <= 2, peak <= 300 MiB, growth <= 1.2")


if __name__ == "__main__":
    main()
