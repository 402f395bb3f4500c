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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
