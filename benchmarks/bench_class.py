"""Benchmark: a whole class graded as an instructor grades it, and its gradebook checked.

Not a test. Builds a throwaway course root with N students (default 300), each handing in every
notebook of the assignment: for each notebook a student hands in the instructor's solution or, with
probability ``--wrong`` (default 0.3), one of that notebook's fixtures (a known wrong answer with
known scores), chosen by a seeded RNG. Then grades the class with ``course grade --jobs J`` (the
kit's defaults otherwise, so confined wherever the kit confines) and prints the wall time, the time
per graded notebook, the peak memory of the whole process tree (sampled), and whether every
automatically graded cell of every student got exactly its expected score.

With ``--split K`` the class is cut into K student ranges graded at the same time by K
``course grade --student ...`` processes, each from its own copy of the course root, into one shared
PostgreSQL gradebook (``--db``): what K machines of a department do for a class too big for one.

    .venv/bin/python benchmarks/bench_class.py                       # 300 students, --jobs 2
    .venv/bin/python benchmarks/bench_class.py --students 20 --notebooks 00-por-que-orquestar
    .venv/bin/python benchmarks/bench_class.py --students 40 --split 2 \
        --db postgresql://course:course@127.0.0.1:5432/course_gradebook
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.grading import Course  # noqa: E402
from course.grading.fixtures import build_submission, load_fixtures, solution_submission  # noqa: E402
from course.grading.gradebook import normalize_db_url, scores_of  # noqa: E402
from course.grading.nbconfig import db_url_of, make_api  # noqa: E402
from course.grading.release import fresh_source  # noqa: E402
from course.grading.validate import graded_kinds, isolate_config  # noqa: E402

BIN = Path(sys.executable).parent


def build_class(assignment, notebooks, students, wrong, seed, dest: Path) -> dict:
    """A course root at ``dest`` with the class handed in; returns ``{student: {notebook:
    fixture or None}}`` (None: the solution)."""
    course = Course(ROOT)
    source = dest / "source" / assignment
    fresh_source(course, assignment, source)
    for path in source.glob("*.ipynb"):
        if notebooks and path.stem not in notebooks:
            path.unlink()
    isolate_config(ROOT / "nbgrader_config.py", dest)
    result = make_api(dest).generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise SystemExit(f"generate_assignment failed:\n{result.get('error')}")
    release = dest / "release" / assignment
    names = sorted(p.stem for p in source.glob("*.ipynb"))
    fixtures = load_fixtures(course.fixture_dir(assignment))
    by_notebook = {n: [f for f in fixtures if f.notebook == n] for n in names}
    solved = {n: solution_submission(source / f"{n}.ipynb", release / f"{n}.ipynb") for n in names}
    rng = random.Random(seed)
    plan = {}
    for index in range(students):
        student = f"a{index + 1:04d}"
        folder = dest / "submitted" / student / assignment
        folder.mkdir(parents=True)
        plan[student] = {}
        for name in names:
            choice = rng.choice(by_notebook[name]) if by_notebook[name] and rng.random() < wrong \
                else None
            plan[student][name] = choice
            nb = solved[name] if choice is None else build_submission(
                choice, source / f"{name}.ipynb", release / f"{name}.ipynb")
            nbformat.write(nb, folder / f"{name}.ipynb")
    return plan


class PeakMemory:
    """Samples the summed resident memory of a process and all its descendants."""

    def __init__(self, interval: float = 0.25):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self.roots: list[int] = []

    def _tree_rss(self) -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
                rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        total, todo = 0, list(self.roots)
        while todo:
            pid = todo.pop()
            total += rss.get(pid, 0)
            todo += children.get(pid, [])
        return total

    def _run(self):
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._tree_rss())

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def grade(roots: list[Path], assignment, jobs, db, ranges) -> float:
    """Run one ``course grade`` per root (with its student range) at once; wall seconds."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    started = time.monotonic()
    with PeakMemory() as memory:
        procs = []
        for root, students in zip(roots, ranges, strict=True):
            cmd = [str(BIN / "course"), "--root", str(root), "grade", assignment,
                   "--jobs", str(jobs)]
            if db:
                cmd += ["--db", db]
            for student in students if len(roots) > 1 else []:
                cmd += ["--student", student]
            procs.append(subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True))
            memory.roots.append(procs[-1].pid)
        outputs = [p.communicate()[0] for p in procs]
    seconds = time.monotonic() - started
    for proc, out in zip(procs, outputs, strict=True):
        if proc.returncode != 0:
            print(out[-4000:], file=sys.stderr)
            raise SystemExit(f"course grade failed ({proc.returncode})")
    grade.peak = memory.peak
    return seconds


def check(db_url, assignment, plan) -> list[str]:
    """Every auto-graded cell of every student against its expected score: the wrong ones."""
    kinds = graded_kinds(db_url, assignment)
    got = scores_of(db_url, assignment, sorted(plan))
    wrong = []
    for student, notebooks in plan.items():
        for notebook, fixture in notebooks.items():
            for cell, (score, top) in got[student].get(notebook, {}).items():
                if kinds.get(notebook, {}).get(cell) != "test":
                    continue
                expected = top if fixture is None else fixture.expected.get(cell, top)
                if expected is not None and (score or 0) != expected:  # None: not judged
                    label = fixture.name if fixture else "solution"
                    wrong.append(f"{student} {notebook}/{cell} ({label}): {score} != {expected}")
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="m7-orquestacion")
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--wrong", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--split", type=int, default=1, help="concurrent `course grade`s")
    parser.add_argument("--db", help="shared gradebook URL (needed with --split > 1)")
    parser.add_argument("--notebooks", nargs="*", help="only these notebooks (default: all)")
    args = parser.parse_args()
    if args.split > 1 and not (args.db or "").startswith("postgresql"):
        raise SystemExit("--split needs a shared PostgreSQL gradebook (--db postgresql://...)")

    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        base = Path(tmp) / "course"
        started = time.monotonic()
        plan = build_class(args.assignment, args.notebooks, args.students, args.wrong,
                           args.seed, base)
        built = time.monotonic() - started
        per = len(next(iter(plan.values())))
        total = per * args.students
        wrong_answers = sum(f is not None for nbs in plan.values() for f in nbs.values())
        db = args.db
        if db:
            _reset(db, base, args.assignment)
        roots = [base] + [Path(tmp) / f"course-{k}" for k in range(1, args.split)]
        for root in roots[1:]:
            shutil.copytree(base, root)
        students = sorted(plan)
        ranges = [students[k::args.split] for k in range(args.split)]
        seconds = grade(roots, args.assignment, args.jobs, db, ranges)
        wrong = check(normalize_db_url(db) if db else db_url_of(base), args.assignment, plan)

    print(f"{args.students} students x {per} notebooks = {total} graded notebooks "
          f"({wrong_answers} wrong answers from fixtures), {os.cpu_count()} cores, "
          f"built in {built:.0f} s")
    print(f"course grade --jobs {args.jobs}" + (f" x {args.split} at once" if args.split > 1
                                                 else "") + f": {seconds:.0f} s wall, "
          f"{seconds / total:.2f} s per notebook, peak memory {grade.peak / 2**20:.0f} MiB "
          f"(the process tree, sampled every 0.25 s)")
    print(f"gradebook: {'every auto-graded cell as expected' if not wrong else 'WRONG:'}")
    for line in wrong[:30]:
        print("  " + line)
    if wrong:
        raise SystemExit(1)


def _reset(db: str, root: Path, assignment: str) -> None:
    """A shared gradebook that starts empty and holds the assignment's definition."""
    from sqlalchemy import create_engine, text

    engine = create_engine(normalize_db_url(db))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    config = root / "nbgrader_config.py"
    config.write_text(config.read_text() + f"\nc.CourseDirectory.db_url = {db!r}\n")
    result = make_api(root).generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise SystemExit(f"generate_assignment into {db} failed:\n{result.get('error')}")


if __name__ == "__main__":
    main()
