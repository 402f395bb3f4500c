"""``course validate``: prove an assignment's grading in a throwaway course root.

For each backend asked for, in order:

1. papermill runs every source notebook with ``BACKEND`` injected [the lesson runs clean,
   widgets and all, top to bottom; wall time printed per notebook];
2. nbgrader ``generate_assignment`` [the same step ``course release`` takes];
3. ``course grade`` autogrades, on that backend, three kinds of submissions [scores are read
   from the gradebook, not from ``nbgrader validate``'s exit code, which is 0 when tests fail]:
   * ``solution``: every solution cell filled in → every graded cell full marks;
   * ``stub``: the release as is → every autograded test cell 0 (no vacuous test);
   * each fixture → its ``expected`` scores, full marks elsewhere in its notebook.

Nothing is written to the real course: the throwaway root is deleted at the end.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .errors import GradingError
from .fixtures import Fixture, build_submission, load_fixtures, solution_submission
from .gradebook import scores_of
from .layout import Course
from .nbconfig import db_url_of, make_api
from .release import fresh_source

SOLUTION, STUB = "solution", "stub"


@dataclass
class Run:
    """One papermill run of a source notebook."""

    notebook: str
    backend: str
    seconds: float
    error: str = ""


@dataclass
class Check:
    """One graded cell of one submission, against what it must score."""

    backend: str
    notebook: str
    cell: str
    submission: str
    got: float | None
    expected: float | None
    max_score: float
    why: str = ""  # a mismatch's error in its autograded cell (name: message), to diagnose it

    @property
    def ok(self) -> bool:
        if self.expected is None:
            return True
        return self.got is not None and abs(self.got - self.expected) < 1e-9


@dataclass
class ValidateReport:
    assignment: str
    notebooks: list[str] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.problems
            and all(not r.error for r in self.runs)
            and all(c.ok for c in self.checks)
        )

    def tables(self) -> str:
        """One table per backend and notebook: a row per graded cell, a column per submission."""
        out = []
        keys = sorted({(c.backend, c.notebook) for c in self.checks})
        for backend, notebook in keys:
            checks = [c for c in self.checks if (c.backend, c.notebook) == (backend, notebook)]
            columns = list(dict.fromkeys(c.submission for c in checks))
            columns.sort(key=lambda name: {SOLUTION: 0, STUB: 1}.get(name, 2))
            cells = list(dict.fromkeys(c.cell for c in checks))
            by = {(c.cell, c.submission): c for c in checks}
            rows = [["cell", "max", *columns]]
            for cell in cells:
                row = [cell, _num(next(c.max_score for c in checks if c.cell == cell))]
                for column in columns:
                    check = by.get((cell, column))
                    row.append("" if check is None else _mark(check))
                rows.append(row)
            widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
            out.append(f"{notebook} [{backend}]")
            out += [
                "  " + "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=False)).rstrip()
                for r in rows
            ]
            out += [f"  ✗ {c.cell} / {c.submission}: {c.why or 'no error in the cell'}"
                    for c in checks if not c.ok]
        return "\n".join(out)


def _num(value) -> str:
    return "—" if value is None else f"{value:g}"


def _mark(check: Check) -> str:
    if check.expected is None:
        return f"{_num(check.got)} ·"
    return (
        f"{_num(check.got)} ✓" if check.ok else f"{_num(check.got)} ✗ want {_num(check.expected)}"
    )


def isolate_config(config: Path, root: Path) -> None:
    """Copy the course's nbgrader config into a throwaway root, with a gradebook of its own there.

    The course may point ``db_url`` at a shared PostgreSQL gradebook; a validation run must never
    write into it.
    """
    text = config.read_text(encoding="utf-8") if config.is_file() else "c = get_config()\n"
    db = root / "gradebook.db"
    text += (
        "\n# added by course validate: this throwaway root grades into its own gradebook\n"
        f"c.CourseDirectory.db_url = {f'sqlite:///{db}'!r}\n"
    )
    (root / "nbgrader_config.py").write_text(text, encoding="utf-8")


def run_notebooks(
    notebooks: list[Path], backend: str, outdir: Path, timeout: int | None = None
) -> list[Run]:
    """papermill-run each notebook with ``BACKEND`` injected; stop a notebook at its first error.

    On ``sim`` the kernel is killed once the notebook has run, as ``course grade`` does (the
    reason is in :mod:`course.grading.grade`); on ``docker`` it shuts down gracefully, so the
    lab's cleanup at exit runs.
    """
    import papermill

    shutdown = "immediate" if backend == "sim" else "graceful"

    runs = []
    outdir.mkdir(parents=True, exist_ok=True)
    for path in notebooks:
        started = time.monotonic()
        error = ""
        try:
            papermill.execute_notebook(
                str(path),
                str(outdir / f"{path.stem}.{backend}.ipynb"),
                parameters={"BACKEND": backend},
                cwd=str(path.parent),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                execution_timeout=timeout,
                shutdown_kernel=shutdown,
            )
        except Exception as exc:  # PapermillExecutionError names the cell and the exception
            error = _short_error(exc)
        runs.append(Run(path.stem, backend, time.monotonic() - started, error))
    return runs


def _short_error(exc: Exception) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    cell = getattr(exc, "exec_count", None)
    where = f" (cell [{cell}])" if cell is not None else ""
    return f"{ename}: {str(evalue).strip()[:300]}{where}"


def graded_kinds(db_url: str, assignment: str) -> dict[str, dict[str, str]]:
    """``{notebook: {grade_id: "test" | "answer"}}``: answers are graded solution cells."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        return {
            nb.name: {
                g.name: "answer" if g.name in {s.name for s in nb.solution_cells} else "test"
                for g in nb.grade_cells
            }
            for nb in gb.find_assignment(assignment).notebooks
        }


def validate(
    course: Course,
    assignment: str,
    backends: tuple[str, ...] = ("sim",),
    jobs: int = 2,
    timeout: int | None = None,
    papermill: bool = True,
    echo: Callable[[str], None] = lambda line: None,
    only: tuple[str, ...] = (),
) -> ValidateReport:
    """Validate one assignment; see the module docstring for the steps.

    Args:
        course: the course; its lessons (or source notebooks) and fixtures are read, not changed.
        assignment: the assignment.
        backends: ``("sim",)``, ``("docker",)`` or both.
        jobs: parallel grading processes.
        timeout: seconds a cell may run, for papermill and nbgrader.
        papermill: run the notebooks with papermill first (step 1).
        echo: called with a line of progress (wall times) as the run goes.
        only: validate only these notebooks (stems, or how they begin: ``05``, ``05-1``) and
            their fixtures.
    """
    from .grade import grade

    report = ValidateReport(assignment)
    fixtures = load_fixtures(course.fixture_dir(assignment))
    with tempfile.TemporaryDirectory(prefix="course-validate-") as tmp:
        root = Path(tmp) / "course"
        source_dir = root / "source" / assignment
        fresh_source(course, assignment, source_dir)
        if only:
            keep_only(source_dir, only)
            fixtures = [f for f in fixtures if (source_dir / f"{f.notebook}.ipynb").exists()]
        notebooks = sorted(source_dir.glob("*.ipynb"))
        report.notebooks = [p.stem for p in notebooks]
        if not notebooks:
            return report
        isolate_config(course.root / "nbgrader_config.py", root)
        for fixture in fixtures:
            if fixture.notebook not in report.notebooks:
                report.problems.append(
                    f"fixture {fixture.name}: no notebook {fixture.notebook!r} in {assignment}"
                )
        if papermill:
            for backend in backends:
                for run in run_notebooks(notebooks, backend, Path(tmp) / "papermill", timeout):
                    report.runs.append(run)
                    status = "ok" if not run.error else f"FAILED {run.error}"
                    echo(f"papermill {run.notebook} [{backend}]: {run.seconds:.1f} s {status}")
        started = time.monotonic()
        result = make_api(root).generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            raise GradingError(f"generate_assignment failed:\n{result.get('error')}")
        echo(f"generate_assignment: {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        tmp_course = Course(root)
        release_dir = root / "release" / assignment
        handed_in = write_submissions(tmp_course, assignment, notebooks, release_dir, fixtures)
        echo(
            f"submissions: {len(handed_in)} written ({sum(handed_in.values())} notebooks), "
            f"{time.monotonic() - started:.1f} s"
        )
        db_url = db_url_of(root)
        kinds = graded_kinds(db_url, assignment)
        for backend in backends:
            started = time.monotonic()
            graded = grade(tmp_course, assignment, jobs=jobs, backend=backend, timeout=timeout)
            echo(
                f"autograde [{backend}]: {len(graded.results)} submissions, "
                f"{time.monotonic() - started:.1f} s "
                f"({sum(r.seconds for r in graded.results):.1f} s in the workers)"
            )
            got = scores_of(db_url, assignment, [r.student for r in graded.results if r.ok])
            for res in graded.results:
                if not res.ok:
                    report.problems.append(f"[{backend}] grading {res.student} failed: {res.error}")
                    continue
                checks = expected_checks(backend, res.student, got[res.student], kinds, fixtures)
                for check in checks:
                    if not check.ok:
                        check.why = cell_error(root / "autograded" / res.student / assignment
                                               / f"{check.notebook}.ipynb", check.cell)
                report.checks += checks
    return report


def cell_error(notebook: Path, grade_id: str) -> str:
    """The error an autograded cell raised, as ``name: message`` (an assertion's message says
    what the student's code did); ``""`` if the cell raised nothing."""
    try:
        nb = nbformat.read(notebook, as_version=4)
    except (OSError, ValueError) as error:
        return f"no autograded notebook ({error})"
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != grade_id:
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"{output.get('ename')}: {str(output.get('evalue', '')).strip()[:400]}"
        return ""
    return "cell not in the autograded notebook"


def keep_only(source_dir: Path, only: tuple[str, ...]) -> None:
    """Remove from ``source_dir`` the notebooks ``only`` does not name; none named is an error."""
    def named(stem: str) -> bool:
        return any(stem == name or stem.startswith(f"{name}-") for name in only)

    notebooks = list(source_dir.glob("*.ipynb"))
    if not any(named(nb.stem) for nb in notebooks):
        raise GradingError(
            f"no notebook named {', '.join(only)}; there are: "
            + ", ".join(sorted(nb.stem for nb in notebooks))
        )
    for nb in notebooks:
        if not named(nb.stem):
            nb.unlink()


def write_submissions(
    course, assignment, notebooks, release_dir, fixtures: list[Fixture]
) -> dict[str, int]:
    """``solution``, ``stub`` and one submission per fixture into ``course``'s submitted/.

    Returns the notebooks written per student.
    """
    written: dict[str, int] = {}

    def write(student: str, name: str, nb) -> None:
        folder = course.root / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
        written[student] = written.get(student, 0) + 1

    for source_nb in notebooks:
        release_nb = release_dir / source_nb.name
        write(SOLUTION, source_nb.stem, solution_submission(source_nb, release_nb))
        write(STUB, source_nb.stem, nbformat.read(release_nb, as_version=4))
    for fixture in fixtures:
        source_nb = release_dir.parent.parent / "source" / assignment / f"{fixture.notebook}.ipynb"
        if source_nb.exists():
            nb = build_submission(fixture, source_nb, release_dir / source_nb.name)
            write(fixture.student, fixture.notebook, nb)
    return written


def expected_checks(backend, student, got, kinds, fixtures) -> list[Check]:
    """The checks of one graded submission: ``solution``, ``stub`` or a fixture's student."""
    checks = []
    fixture = next((f for f in fixtures if f.student == student), None)
    for notebook, cells in got.items():
        if fixture is not None and notebook != fixture.notebook:
            continue  # a fixture hands in one notebook; the others score 0 by design
        column = fixture.name if fixture else student
        for cell, (score, max_score) in cells.items():
            kind = kinds.get(notebook, {}).get(cell, "test")
            if student == SOLUTION:
                expected = max_score if kind == "test" else None
            elif student == STUB:
                expected = 0.0 if kind == "test" else None
            else:
                expected = fixture.expected.get(cell, max_score if kind == "test" else None)
            checks.append(Check(backend, notebook, cell, column, score, expected, max_score))
    if fixture is not None:
        for cell in sorted(set(fixture.expected) - set(kinds.get(fixture.notebook, {}))):
            checks.append(
                Check(
                    backend, fixture.notebook, cell, fixture.name, None, fixture.expected[cell], 0.0
                )
            )
    return checks
