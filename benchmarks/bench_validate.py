"""Benchmark: where `course validate` spends its time, before and after a grading change.

Not a test. Runs ``validate`` of one assignment on the simulator several times, alternating two
versions of ``course/grading`` in fresh processes, so both meet the same machine load:

* ``before``: ``course/grading`` as it was at ``--before`` (default: the last commit before the
  validate speed-ups), laid over a copy of today's ``course`` package (lab, simulator and views
  stay the same, so the kernels run the same lesson code);
* ``after``: this working tree.

and prints, per version (median of the rounds), the wall time of each phase: papermill runs,
``generate_assignment``, writing the submissions, autograde (the pool, and what is left after
the last submission is graded: the merge, before it overlapped the grading), reading the scores;
the seconds the workers spent per graded notebook; and whether both versions' tables are equal.

    .venv/bin/python benchmarks/bench_validate.py                  # --no-papermill, 2 rounds
    .venv/bin/python benchmarks/bench_validate.py --papermill --rounds 3
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "c646c9445ef53a6a5bff98916e44dac45341a070"  # course/grading before the speed-ups
PHASES = [
    ("papermill", "papermill runs"),
    ("generate", "generate_assignment"),
    ("write", "write submissions"),
    ("pool", "autograde: grading pool"),
    ("tail", "autograde: after last result"),
    ("merge", "  merge (inside the two above)"),
    ("scores", "read scores"),
    ("total", "validate total"),
]


def child(args) -> None:
    """One validate run with every phase timed; prints one JSON line."""
    import course
    from course.grading.layout import Course

    validate_mod = importlib.import_module("course.grading.validate")
    grade_mod = importlib.import_module("course.grading.grade")
    gradebook_mod = importlib.import_module("course.grading.gradebook")
    from nbgrader.apps.api import NbGraderAPI

    spent: dict[str, float] = {}
    graded = {}

    def timed(owner, name, key):
        original = getattr(owner, name, None)
        if original is None:
            return

        @functools.wraps(original)
        def wrapper(*a, **k):
            started = time.monotonic()
            try:
                return original(*a, **k)
            finally:
                spent[key] = spent.get(key, 0.0) + time.monotonic() - started

        setattr(owner, name, wrapper)

    timed(validate_mod, "run_notebooks", "papermill")
    timed(NbGraderAPI, "generate_assignment", "generate")
    timed(validate_mod, "write_submissions", "write")
    timed(validate_mod, "scores", "scores")
    timed(validate_mod, "scores_of", "scores")
    timed(gradebook_mod, "merge_submission", "merge")
    original_grade = grade_mod.grade

    def grade(*a, **k):
        finished = []
        k["on_result"] = lambda r: finished.append(time.monotonic())
        started = time.monotonic()
        report = original_grade(*a, **k)
        ended = time.monotonic()
        spent["pool"] = max(finished, default=started) - started
        spent["tail"] = ended - max(finished, default=started)
        graded["report"] = report
        return report

    grade_mod.grade = grade
    started = time.monotonic()
    report = validate_mod.validate(
        Course(ROOT), args.assignment, backends=("sim",), jobs=args.jobs, papermill=args.papermill
    )
    spent["total"] = time.monotonic() - started
    results = graded["report"].results
    notebooks = sum(len(r.submitted) for r in results)
    print(
        json.dumps(
            {
                "package": str(Path(course.__file__).parent),
                "ok": report.ok,
                "checks": len(report.checks),
                "tables": report.tables(),
                "spent": spent,
                "submissions": len(results),
                "notebooks": notebooks,
                "worker_seconds": sum(r.seconds for r in results),
            }
        )
    )


def overlay(before: str, dest: Path) -> Path:
    """Today's ``course`` package with ``course/grading`` as it was at ``before``."""
    shutil.copytree(ROOT / "course", dest / "course", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(dest / "course" / "grading")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", before, "course/grading"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def run(package_dir: Path, args) -> dict:
    cmd = [sys.executable, __file__, "--child", "--assignment", args.assignment]
    cmd += ["--jobs", str(args.jobs)] + (["--papermill"] if args.papermill else [])
    env = dict(os.environ, PYTHONPATH=str(package_dir))
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
        raise SystemExit("a validate run failed")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(data["package"]).resolve() != (package_dir / "course").resolve():
        raise SystemExit(f"imported {data['package']}, not {package_dir / 'course'}")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="m7-orquestacion")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--papermill", action="store_true", help="run papermill first too")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", default=BEFORE, help="git revision of the 'before' grading")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        versions = {"before": overlay(args.before, Path(tmp)), "after": ROOT}
        runs: dict[str, list[dict]] = {name: [] for name in versions}
        for round_ in range(args.rounds):
            order = list(versions) if round_ % 2 == 0 else list(reversed(versions))
            for name in order:
                data = run(versions[name], args)
                runs[name].append(data)
                print(
                    f"round {round_ + 1} {name:6}: {data['spent']['total']:6.1f} s, "
                    f"ok={data['ok']}, {data['checks']} checks",
                    flush=True,
                )

    def median(name, pick):
        return statistics.median(pick(d) for d in runs[name])

    first = runs["after"][0]
    print(
        f"\n{args.assignment}, sim, jobs {args.jobs}, "
        f"{'with' if args.papermill else 'no'} papermill: {first['submissions']} submissions, "
        f"{first['notebooks']} graded notebooks, {os.cpu_count()} cores; "
        f"median of {args.rounds} rounds, seconds"
    )
    print(f"{'phase':32}{'before':>9}{'after':>9}{'saved':>9}")
    for key, label in PHASES:
        before = median("before", lambda d, key=key: d["spent"].get(key, 0.0))
        after = median("after", lambda d, key=key: d["spent"].get(key, 0.0))
        print(f"{label:32}{before:9.1f}{after:9.1f}{before - after:9.1f}")
    for name in versions:
        per = median(name, lambda d: d["worker_seconds"] / d["notebooks"])
        print(f"worker s per graded notebook, {name:6}: {per:.2f}")
    tables = {d["tables"] for name in versions for d in runs[name]}
    everything_ok = all(d["ok"] for name in versions for d in runs[name])
    print(
        f"every run ok: {'yes' if everything_ok else 'NO'}; same tables in every run: "
        f"{'yes' if len(tables) == 1 else 'NO'}"
    )


if __name__ == "__main__":
    main()
