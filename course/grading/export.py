"""``course export``: nbgrader's grades CSV plus one row per graded cell.

``grades.csv`` is nbgrader's own ``CsvExportPlugin`` output (one row per student and assignment:
raw score, late penalty, score, max score). ``cells.csv`` adds what nbgrader does not export:
every graded cell of every submission, with its automatic and manual scores, so an instructor
can see which exercise a class failed, and ``tamper_evidence``: why the grader flagged the
notebook for review (:mod:`course.grading.tamper`), empty when it did not.

Both files or neither: each is written to a temporary file next to it, and only when both are
complete are they renamed into place [a half-written or mismatched pair is worse than none].
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from .errors import GradingError
from .layout import Course
from .nbconfig import load_config
from .tamper import read_evidence

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
    "tamper_evidence",
]


def export(
    course: Course, dest: Path, assignment: str | None = None, db_url: str | None = None
) -> tuple[Path, Path]:
    """Write ``dest/grades.csv`` and ``dest/cells.csv`` (both or neither); return their paths."""
    from nbgrader.coursedir import CourseDirectory

    config = load_config(course.root, db_url=db_url)
    coursedir = CourseDirectory(config=config)
    dest = Path(dest)
    grades, cells = dest / "grades.csv", dest / "cells.csv"
    temps: list[Path] = []
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for path in (grades, cells):
            if path.exists() and not path.is_file():
                raise IsADirectoryError(0, f"{path.name} is there and is not a file")
            temps.append(_temp_beside(path))
    except OSError as error:
        for temp in temps:
            temp.unlink(missing_ok=True)
        raise GradingError(
            f"cannot write the export into {dest}: {error.strerror or error}. "
            "Choose a folder you can write; nothing was written."
        ) from None
    try:
        _write(course, coursedir, config, assignment, *temps)
        for temp, final in zip(temps, (grades, cells), strict=True):
            os.replace(temp, final)
    except OSError as error:
        raise GradingError(
            f"cannot write the export into {dest}: {error}; nothing was written"
        ) from None
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
    return grades, cells


def _temp_beside(path: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)  # what open() would have made, not mkstemp's 0600
    return Path(name)


def _write(course: Course, coursedir, config, assignment, grades: Path, cells: Path) -> None:
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

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
                    folder = course.root / "autograded" / sub.student_id / a.name
                    flagged = {e.notebook: "; ".join(e.lines()) for e in read_evidence(folder)}
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
                                    flagged.get(nb.name, ""),
                                ]
                            )
