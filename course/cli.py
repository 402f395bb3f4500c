"""``course``: the instructor's command line, a thin click layer over :mod:`course.grading`.

Every command calls one plain function and prints its report; defaults live in those functions.
Exit status: 0 when everything holds, 1 when a check fails (the message says what), 2 on usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from course import grading
from course.grading.errors import GradingError

BACKENDS = click.Choice(["sim", "docker"])


def _course(ctx: click.Context) -> grading.Course:
    obj = ctx.ensure_object(dict)
    if "course" not in obj:
        obj["course"] = grading.Course.find(obj.get("root"), obj.get("fixtures"))
    return obj["course"]


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except GradingError as error:
            click.secho(f"error: {error}", fg="red", err=True)
            ctx.exit(1)


@click.group(cls=_Group)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Course root (default: the folder holding nbgrader_config.py, from here up).",
)
@click.option(
    "--fixtures",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Fixture submissions folder (default: <root>/tests/fixtures/submissions).",
)
@click.pass_context
def main(ctx, root, fixtures):
    """Instructor tools for the course: release, validate, grade, feedback, export."""
    ctx.ensure_object(dict).update(root=root, fixtures=fixtures)


@main.command()
@click.argument("assignment", required=False)
@click.option("--check", is_flag=True, help="Write nothing; fail when source/ is stale.")
@click.pass_context
def sync(ctx, assignment, check):
    """Write source/<a>/NN-name.ipynb from lessons/<a>/NN-name.py."""
    course = _course(ctx)
    report = grading.sync(course, assignment, check=check)
    for path in report.written:
        click.echo(f"wrote {path.relative_to(course.root)}")
    for path in report.stale:
        click.echo(f"stale: {path.relative_to(course.root)} (run `course sync`)")
    for path in report.orphans:
        click.echo(f"no lesson produces {path.relative_to(course.root)}")
    click.echo(
        f"sync: {len(report.written)} written, {len(report.unchanged)} up to date"
        + (f", {len(report.stale)} stale" if check else "")
    )
    if check and not report.ok:
        ctx.exit(1)


@main.command()
@click.argument("assignment", required=False)
@click.option(
    "--check",
    is_flag=True,
    help="Regenerate in a temporary root and fail when the committed release/ differs.",
)
@click.pass_context
def release(ctx, assignment, check):
    """Sync, nbgrader generate_assignment into release/, prove nothing secret leaked."""
    course = _course(ctx)
    failed = False
    for name in course.pick(assignment):
        report = (grading.check_release if check else grading.release)(course, name)
        for line in report.differences:
            click.echo(f"  {line}")
        for leak in report.leaks:
            click.echo(f"  LEAK {leak}")
        verdict = "ok" if report.ok else "FAILED"
        click.echo(
            f"release{' --check' if check else ''} {name}: "
            f"{len(report.notebooks)} notebooks, {verdict}"
        )
        failed |= not report.ok
    if failed:
        ctx.exit(1)


@main.command()
@click.argument("assignment", required=False)
@click.option(
    "--backend",
    type=click.Choice(["sim", "docker", "both"]),
    default="sim",
    show_default=True,
    help="Backend the notebooks and the grader run on.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1),
    default=2,
    show_default=True,
    help="Parallel grading processes.",
)
@click.option(
    "--timeout",
    type=click.IntRange(1),
    default=None,
    help="Seconds a cell may run (default: Execute.timeout of nbgrader_config.py).",
)
@click.option("--no-papermill", is_flag=True, help="Skip the papermill runs (grading only).")
@click.option(
    "--notebook",
    "-n",
    "only",
    multiple=True,
    help="Only this notebook and its fixtures: its name or how it begins (05, 05-1); repeatable.",
)
@click.pass_context
def validate(ctx, assignment, backend, jobs, timeout, no_papermill, only):
    """Prove an assignment: papermill runs, solution full marks, stubs zero, fixtures as expected.

    Runs in a throwaway course root; nothing in this course changes.
    """
    course = _course(ctx)
    backends = ("sim", "docker") if backend == "both" else (backend,)
    failed = False
    for name in course.pick(assignment):
        click.echo(f"== validate {name} [{', '.join(backends)}]")
        report = grading.validate(
            course,
            name,
            backends=backends,
            jobs=jobs,
            timeout=timeout,
            papermill=not no_papermill,
            echo=click.echo,
            only=only,
        )
        if not report.notebooks:
            click.echo(f"validate {name}: no notebooks yet, nothing to prove")
            continue
        click.echo(report.tables())
        for problem in report.problems:
            click.echo(f"  PROBLEM {problem}")
        wrong = [c for c in report.checks if not c.ok]
        runs_failed = [r for r in report.runs if r.error]
        click.echo(
            f"validate {name}: {len(report.notebooks)} notebooks, "
            f"{len(report.checks)} cell checks, "
            f"{len(wrong)} mismatches, {len(runs_failed)} failed runs: "
            + ("ok" if report.ok else "FAILED")
        )
        failed |= not report.ok
    if failed:
        ctx.exit(1)


@main.command()
@click.argument("assignment")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1),
    default=2,
    show_default=True,
    help="Parallel grading processes.",
)
@click.option(
    "--backend",
    type=BACKENDS,
    default="sim",
    show_default=True,
    help="Backend student code runs on (docker hands it the engine).",
)
@click.option(
    "--timeout",
    type=click.IntRange(1),
    default=None,
    help="Seconds a cell may run (default: Execute.timeout of nbgrader_config.py).",
)
@click.option(
    "--db",
    "db_url",
    default=None,
    help="Gradebook URL (default: nbgrader's, sqlite:///<root>/gradebook.db).",
)
@click.option("--student", "students", multiple=True, help="Grade only these students.")
@click.option(
    "--unconfined-i-trust-student-code",
    "unconfined",
    is_flag=True,
    help="Grade without the sandbox where it cannot run: student code then runs as you, "
    "sees the course root and the gradebook, and can forge its scores.",
)
@click.pass_context
def grade(ctx, assignment, jobs, backend, timeout, db_url, students, unconfined):
    """Autograde every submission of ASSIGNMENT in parallel into one gradebook, each kernel
    confined (course/grading/sandbox.py)."""
    from course.grading.grade import DOCKER_WARNING, submitted_students

    course = _course(ctx)
    course.pick(assignment)  # an unknown assignment is an error, submissions or not
    if backend == "docker":
        click.secho(DOCKER_WARNING, fg="yellow", err=True)
    if unconfined:
        click.secho(
            "warning: grading UNCONFINED: student code runs as you, with your files.",
            fg="yellow",
            err=True,
        )
    chosen = list(students) or submitted_students(course, assignment)
    if not chosen:
        click.echo(
            f"no submissions in submitted/*/{assignment}: run `nbgrader collect {assignment}`"
        )
        return
    with click.progressbar(
        length=len(chosen), label=f"grading {assignment}", file=sys.stderr
    ) as bar:
        report = grading.grade(
            course,
            assignment,
            students=chosen,
            jobs=jobs,
            backend=backend,
            timeout=timeout,
            db_url=db_url,
            on_result=lambda r: bar.update(1),
            confine=not unconfined,
        )
    click.echo(_grade_table(report))
    click.echo(
        f"graded {sum(r.ok for r in report.results)}/{len(report.results)} submissions "
        f"in {report.seconds:.1f} s with {jobs} jobs [{backend}, "
        f"{'UNCONFINED' if unconfined else 'confined'}]"
    )
    if not report.ok:
        ctx.exit(1)


@main.command()
@click.argument("assignment")
@click.option("--student", default=None, help="Only this student (default: every graded one).")
@click.pass_context
def feedback(ctx, assignment, student):
    """nbgrader generate_feedback, without hidden tests; fails if one is found in the HTML."""
    course = _course(ctx)
    report = grading.feedback(course, assignment, student)
    for leak in report.leaks:
        click.echo(f"  LEAK {leak}")
    click.echo(
        f"feedback {assignment}: {len(report.files)} HTML files in feedback/, "
        + ("no hidden test in them" if report.ok else "HIDDEN TESTS FOUND")
    )
    if not report.ok:
        ctx.exit(1)


@main.command()
@click.argument("assignment", required=False)
@click.option(
    "--to",
    "dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("export"),
    show_default=True,
    help="Folder for the CSV files.",
)
@click.option("--db", "db_url", default=None, help="Gradebook URL (default: nbgrader's).")
@click.pass_context
def export(ctx, assignment, dest, db_url):
    """Write grades.csv (nbgrader's export) and cells.csv (one row per graded cell)."""
    course = _course(ctx)
    if not dest.is_absolute():
        dest = Path.cwd() / dest
    grades, cells = grading.export(course, dest, assignment, db_url)
    click.echo(f"wrote {grades}\nwrote {cells}")


@main.command()
@click.pass_context
def doctor(ctx):
    """What is installed and what is missing, each with its fix."""
    from course.grading.doctor import diagnose

    root = ctx.obj.get("root")
    problems = 0
    for check in diagnose(root):
        mark = "ok " if check.ok else ("-- " if check.optional else "XX ")
        click.echo(f"{mark}{check.name}: {check.detail}")
        if not check.ok and check.fix:
            click.echo(f"    fix: {check.fix}")
        problems += not check.ok and not check.optional
    click.echo(
        "doctor: " + ("everything needed is here" if not problems else f"{problems} missing")
    )
    if problems:
        ctx.exit(1)


@main.command()
@click.option(
    "--if-engine",
    is_flag=True,
    help="Build only when a Docker engine answers; otherwise do nothing, successfully.",
)
def images(if_engine):
    """Build the lab images (course/web:1..3) on the local Docker engine."""
    from course.images import build_lab_images

    built = build_lab_images(if_engine)
    for tag in built:
        click.echo(f"built {tag}")
    if not built:
        click.echo("no image built" + (" (no Docker engine answers)" if if_engine else ""))


def _grade_table(report) -> str:
    rows = [["student", "score", "max", "late penalty", "seconds", "status"]]
    notes = []
    for r in report.results:
        status = "ok" if r.ok else "FAILED"
        if r.flagged:
            status += ", FLAGGED for review (tampering)"
            notes += [f"  {r.student}: {line}" for line in r.flagged]
        if r.restored:
            status += f", {len(r.restored)} cells restored"
            notes += [f"  {r.student}: {line}" for line in r.restored]
        if r.error:
            notes.append(f"  {r.student}: {r.error.strip().splitlines()[-1]}")
        score = "" if r.score is None else f"{r.score:g}"
        top = "" if r.max_score is None else f"{r.max_score:g}"
        late = f"{r.penalty:g}" if r.penalty else ""
        rows.append([r.student, score, top, late, f"{r.seconds:.1f}", status])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)).rstrip() for row in rows
    ]
    return "\n".join(lines + notes)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
