"""``course export``: nbgrader's grades CSV plus one row per graded cell.

``grades.csv`` is nbgrader's own ``CsvExportPlugin`` output (one row per student and assignment:
raw score, late penalty, score, max score). ``cells.csv`` adds what nbgrader does not export:
every graded cell of every submission, with its automatic and manual scores, so an instructor
can see which exercise a class failed.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .layout import Course
from .nbconfig import load_config

CELL_COLUMNS = [
    "assignment",
    "student_id",
    "notebook",
    "cell",
    "kind",
    "auto_score",
    "manual_score",
    "extra_credit",
    "score",
    "max_score",
    "needs_manual_grade",
]


def export(
    course: Course, dest: Path, assignment: str | None = None, db_url: str | None = None
) -> tuple[Path, Path]:
    """Write ``dest/grades.csv`` and ``dest/cells.csv``; return their paths."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.plugins.export import CsvExportPlugin

    config = load_config(course.root, db_url=db_url)
    coursedir = CourseDirectory(config=config)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    grades, cells = dest / "grades.csv", dest / "cells.csv"
    plugin = CsvExportPlugin(config=config)
    plugin.to = str(grades)
    plugin.assignment = [assignment] if assignment else []
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        plugin.export(gb)
        with cells.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CELL_COLUMNS)
            for a in gb.assignments:
                if assignment and a.name != assignment:
                    continue
                for sub in sorted(a.submissions, key=lambda s: s.student_id):
                    for nb in sorted(sub.notebooks, key=lambda n: n.name):
                        answers = {c.name for c in nb.notebook.solution_cells}
                        for g in sorted(nb.grades, key=lambda g: g.name):
                            writer.writerow(
                                [
                                    a.name,
                                    sub.student_id,
                                    nb.name,
                                    g.name,
                                    "answer" if g.name in answers else "test",
                                    g.auto_score,
                                    g.manual_score,
                                    g.extra_credit,
                                    g.score,
                                    g.max_score,
                                    g.needs_manual_grade,
                                ]
                            )
    return grades, cells
