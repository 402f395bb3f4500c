"""``lessons/<a>/NN-name.py`` (jupytext py:percent) → ``source/<a>/NN-name.ipynb``.

The text is the source of truth (as in scikit-learn-mooc): it diffs like code and keeps no
machine-specific metadata. The notebooks are derived, canonical (:mod:`course.grading.cells`),
and byte-identical when regenerated, so ``--check`` can compare bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .cells import canonical, dumps
from .layout import Course


@dataclass
class SyncReport:
    """What a sync did (or, with ``check``, would do) to ``source/``."""

    written: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.stale and not self.orphans


def lesson_to_notebook_text(lesson: Path) -> str:
    """The canonical ``.ipynb`` text of one lesson file."""
    import jupytext

    nb = jupytext.read(lesson, fmt="py:percent")
    return dumps(canonical(nb))


def sync(course: Course, assignment: str | None = None, check: bool = False) -> SyncReport:
    """Write (or with ``check=True`` only compare) the source notebooks of the lessons.

    Args:
        course: the course.
        assignment: one assignment, or every assignment under ``lessons/``.
        check: write nothing; report stale notebooks and notebooks no lesson produces.

    Returns:
        a :class:`SyncReport`; with ``check`` its ``ok`` says whether source/ is up to date.
    """
    report = SyncReport()
    for name in course.pick(assignment):
        lessons = course.lessons(name)
        if not lessons:
            continue  # an assignment authored directly as notebooks, or not started yet
        target_dir = course.step_dir("source", name)
        expected = set()
        for lesson in lessons:
            target = target_dir / (lesson.stem + ".ipynb")
            expected.add(target)
            text = lesson_to_notebook_text(lesson)
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current == text:
                report.unchanged.append(target)
            elif check:
                report.stale.append(target)
            else:
                target_dir.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                report.written.append(target)
        report.orphans.extend(p for p in course.notebooks("source", name) if p not in expected)
    return report
