"""Benchmark: `course grade --jobs 2` against plain sequential `nbgrader autograde`.

Not a test. Builds a throwaway course root from an assignment of this course, hands in the same
N submissions (default 20: the perfect solution, the stubs and every fixture, in turn), then in one
run grades them twice, each from a clean copy:

* ``nbgrader autograde <a> --force``: nbgrader's own CLI, one process, one submission after another;
* ``course grade <a> --jobs 2``: this kit's parallel grading (worker processes, private gradebooks
  merged into one);

and prints both wall times, their ratio, the time per graded notebook, and that time against a
bare kernel start (the floor: every graded notebook starts one kernel). It also checks that both
gradebooks hold the same grades.

Then, notebook by notebook, it grades the same submissions confined (the default: every kernel in
a bubblewrap sandbox) and unconfined (``--unconfined-i-trust-student-code``), one submission after
another, in alternating rounds, and prints the median seconds per graded notebook side by side
with their ratio (goal: confinement costs at most 15 %). Both columns run the tamper probes (they
are part of grading, sandbox or not); the difference is the sandbox. The time is each
submission's autograde (its kernel's start and stop included), not the CLI's start: a figure
per notebook, not diluted by what is paid once per run.

    .venv/bin/python benchmarks/bench_grade.py          # m7-orquestacion, 20 submissions
    .venv/bin/python benchmarks/bench_grade.py --notebooks 01-estado-deseado --submissions 20
    .venv/bin/python benchmarks/bench_grade.py --confinement-only --submissions 4 --rounds 2
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.grading import Course  # noqa: E402
from course.grading.fixtures import build_submission, load_fixtures, solution_submission  # noqa: E402
from course.grading.gradebook import dump  # noqa: E402
from course.grading.nbconfig import db_url_of, make_api  # noqa: E402
from course.grading.release import fresh_source  # noqa: E402
from course.grading.validate import isolate_config  # noqa: E402

BIN = Path(sys.executable).parent


def bare_kernel_start(times: int = 3) -> float:
    """Median seconds to start a python3 kernel, get its first reply, and shut it down."""
    from jupyter_client.manager import start_new_kernel

    samples = []
    for _ in range(times):
        started = time.monotonic()
        km, kc = start_new_kernel(kernel_name="python3", stderr=subprocess.DEVNULL)
        kc.execute_interactive("pass", timeout=60)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        samples.append(time.monotonic() - started)
    return statistics.median(samples)


def build_course(assignment: str, notebooks: list[str] | None, count: int, dest: Path) -> int:
    """A course root at ``dest`` with ``count`` submissions; returns notebooks per submission."""
    course = Course(ROOT)
    source = dest / "source" / assignment
    fresh_source(course, assignment, source)
    if notebooks:
        for path in source.glob("*.ipynb"):
            if path.stem not in notebooks:
                path.unlink()
    isolate_config(ROOT / "nbgrader_config.py", dest)
    result = make_api(dest).generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise SystemExit(f"generate_assignment failed:\n{result.get('error')}")
    release = dest / "release" / assignment
    names = sorted(p.stem for p in source.glob("*.ipynb"))
    kinds = ["solution", "stub"] + [
        f for f in load_fixtures(course.fixture_dir(assignment)) if f.notebook in names
    ]
    for index, kind in zip(range(count), itertools.cycle(kinds), strict=False):
        folder = dest / "submitted" / f"s{index + 1:02d}" / assignment
        folder.mkdir(parents=True)
        for name in names:
            src, rel = source / f"{name}.ipynb", release / f"{name}.ipynb"
            if kind == "stub":
                nb = nbformat.read(rel, as_version=4)
            elif kind == "solution" or kind.notebook != name:
                nb = solution_submission(src, rel)
            else:
                nb = build_submission(kind, src, rel)
            nbformat.write(nb, folder / f"{name}.ipynb")
    return len(names)


def timed(cmd: list[str], cwd: Path) -> float:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return seconds


GRADE_ONE_ROUND = """
import json, sys
from pathlib import Path
from course.grading import Course
from course.grading.grade import grade
report = grade(Course(Path(sys.argv[1])), sys.argv[2], jobs=1, confine=sys.argv[3] == "boxed")
assert report.ok, [r.error for r in report.results]
print(json.dumps({r.student: r.seconds for r in report.results}))
"""


def grade_seconds(root: Path, assignment: str, mode: str) -> dict[str, float]:
    """Seconds per submission of one sequential ``grade()`` (nbgrader's autograde of each
    submission, its kernel included; the worker pool's start and the merge are left out)."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(
        [sys.executable, "-c", GRADE_ONE_ROUND, str(root), assignment, mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"grading failed ({mode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def confinement_costs(args) -> None:
    """Per notebook: each submission graded confined (the default: bubblewrap sandbox) and
    unconfined (``confine=False``; the tamper probes run in both), in alternating rounds."""
    course = Course(ROOT)
    names = args.notebooks or [p.stem for p in course.notebooks("source", args.assignment)]
    print(
        f"\nconfinement: {args.submissions} submissions x {args.rounds} rounds per notebook, "
        f"sequential, {os.cpu_count()} cores; median seconds per graded notebook"
    )
    print(
        f"{'notebook':28}{'unconfined s':>14}{'confined s':>12}{'ratio':>8}{'cost':>8}  same grades"
    )
    totals = {"free": 0.0, "boxed": 0.0}
    for name in names:
        with tempfile.TemporaryDirectory(prefix="bench-confine-") as tmp:
            base = Path(tmp) / "base"
            build_course(args.assignment, [name], args.submissions, base)
            samples: dict[str, list[float]] = {"free": [], "boxed": []}
            dumps = {}
            for turn in range(args.rounds):
                # alternate which goes first: the first run of a round warms the disk cache
                for mode in ("free", "boxed") if turn % 2 == 0 else ("boxed", "free"):
                    copy = Path(tmp) / f"{mode}-{turn}"
                    shutil.copytree(base, copy)
                    isolate_config(ROOT / "nbgrader_config.py", copy)
                    samples[mode] += grade_seconds(copy, args.assignment, mode).values()
                    dumps[mode] = dump(db_url_of(copy), args.assignment)
                    shutil.rmtree(copy)
        free, boxed = (statistics.median(samples[m]) for m in ("free", "boxed"))
        totals["free"] += sum(samples["free"])
        totals["boxed"] += sum(samples["boxed"])
        same = "yes" if dumps["free"] == dumps["boxed"] else "NO"
        print(
            f"{name:28}{free:14.2f}{boxed:12.2f}{boxed / free:8.2f}{boxed / free - 1:+8.0%}"
            f"  {same}",
            flush=True,
        )
    ratio = totals["boxed"] / totals["free"]
    print(
        f"{'all (sum of every sample)':28}{totals['free']:14.1f}{totals['boxed']:12.1f}"
        f"{ratio:8.2f}{ratio - 1:+8.0%}  (goal: at most +15 % per notebook)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="m7-orquestacion")
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--notebooks", nargs="*", help="only these notebooks (default: all)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="confined/unconfined rounds per notebook (alternating order)",
    )
    parser.add_argument(
        "--confinement-only", action="store_true", help="only the confined-against-unconfined table"
    )
    args = parser.parse_args()
    if not args.confinement_only:
        sequential_against_parallel(args)
    confinement_costs(args)


def sequential_against_parallel(args) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        base = Path(tmp) / "base"
        per = build_course(args.assignment, args.notebooks, args.submissions, base)
        total = per * args.submissions
        print(
            f"{args.submissions} submissions x {per} notebooks = {total} graded notebooks "
            f"({args.assignment}), {os.cpu_count()} cores"
        )
        plain, ours = Path(tmp) / "plain", Path(tmp) / "ours"
        for copy in (plain, ours):
            shutil.copytree(base, copy)
            isolate_config(ROOT / "nbgrader_config.py", copy)  # its own gradebook.db
        kernel = bare_kernel_start()
        t_plain = timed([str(BIN / "nbgrader"), "autograde", args.assignment, "--force"], plain)
        t_ours = timed(
            [
                str(BIN / "course"),
                "--root",
                str(ours),
                "grade",
                args.assignment,
                "--jobs",
                str(args.jobs),
            ],
            ours,
        )
        same = dump(db_url_of(plain), args.assignment) == dump(db_url_of(ours), args.assignment)

    rows = [
        ("nbgrader autograde (sequential)", t_plain),
        (f"course grade --jobs {args.jobs}", t_ours),
    ]
    print(f"{'':34}{'total s':>9}{'s/notebook':>12}{'x kernel start':>16}")
    for label, seconds in rows:
        print(f"{label:34}{seconds:9.1f}{seconds / total:12.2f}{seconds / total / kernel:16.1f}")
    print(f"bare kernel start: {kernel:.2f} s")
    print(f"speed-up: {t_plain / t_ours:.2f}x (goal >= 1.5x on 2 cores)")
    print(f"same grades in both gradebooks: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
