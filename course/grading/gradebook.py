"""Gradebook plumbing for parallel grading: seed a worker's gradebook, merge it back, dump one.

Why: nbgrader's autograde writes to its gradebook from the process that grades, and SQLite does
not take concurrent writers (nbgrader #174). So each worker grades against a private SQLite
gradebook seeded with the assignment's definition, and one writer merges the results into the
real gradebook (SQLite or PostgreSQL) applying exactly the rules nbgrader's ``SaveAutoGrades`` and
``AssignLatePenalties`` apply, so the merged gradebook equals what a sequential run leaves.
"""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .errors import GradingError
from .nbconfig import normalize_db_url


def copy_assignment(src: Gradebook, dst: Gradebook, assignment: str) -> None:
    """Copy an assignment's definition (notebooks, graded/solution/task/source cells) to ``dst``."""
    try:
        master = src.find_assignment(assignment)
    except MissingEntry as error:
        raise GradingError(
            f"assignment {assignment!r} is not in the gradebook {src.db_url}: run `course release`"
        ) from error
    dst.update_or_create_assignment(assignment, duedate=master.duedate)
    for nb in master.notebooks:
        dst.update_or_create_notebook(nb.name, assignment, kernelspec=nb.kernelspec)
        for cell in nb.grade_cells:
            dst.update_or_create_grade_cell(
                cell.name, nb.name, assignment, max_score=cell.max_score, cell_type=cell.cell_type
            )
        for cell in nb.solution_cells:
            dst.update_or_create_solution_cell(cell.name, nb.name, assignment)
        for cell in nb.task_cells:
            dst.update_or_create_task_cell(
                cell.name, nb.name, assignment, max_score=cell.max_score, cell_type=cell.cell_type
            )
        for cell in nb.source_cells:
            dst.update_or_create_source_cell(
                cell.name,
                nb.name,
                assignment,
                cell_type=cell.cell_type,
                locked=cell.locked,
                source=cell.source,
                checksum=cell.checksum,
            )


def merge_submission(
    src: Gradebook,
    dst: Gradebook,
    assignment: str,
    student: str,
    submitted_notebooks: set[str],
    late_plugin=None,
) -> None:
    """Write one worker's autograde result for ``student`` into ``dst`` as nbgrader would.

    Args:
        src: the worker's gradebook (it graded only this student).
        dst: the real gradebook.
        submitted_notebooks: names of the notebooks the student handed in (others score 0).
        late_plugin: an ``AssignLatePenalties`` preprocessor, configured like the course's.
    """
    graded = src.find_submission(assignment, student)
    dst.update_or_create_student(student)
    kwargs = {"timestamp": graded.timestamp} if graded.timestamp else {}
    target = dst.update_or_create_submission(assignment, student, **kwargs)
    # the submission's grades and comments, read once (not one query per cell: find_grade)
    with dst.db.no_autoflush:
        notebooks = {nb.name: nb for nb in target.notebooks}
        grades = {(n, g.name): g for n, nb in notebooks.items() for g in nb.grades}
        comments = {(n, c.name): c for n, nb in notebooks.items() for c in nb.comments}
    for nb in graded.notebooks:
        handed_in = nb.name in submitted_notebooks
        for grade in nb.grades:
            real = _entry(grades, nb.name, grade.name, "grade", student)
            real.auto_score = grade.auto_score
            if handed_in:  # SaveAutoGrades._add_score
                real.needs_manual_grade = real.manual_score is not None or grade.auto_score is None
            else:  # Autograde.init_assignment: a missing notebook scores 0, nothing to review
                real.needs_manual_grade = grade.needs_manual_grade
        for comment in nb.comments:
            if handed_in:
                real = _entry(comments, nb.name, comment.name, "comment", student)
                real.auto_comment = comment.auto_comment
    dst.db.commit()
    if late_plugin is None:
        return
    late_plugin.init_plugin()
    for nb in target.notebooks:  # AssignLatePenalties.preprocess, on the real scores
        if nb.name not in submitted_notebooks:
            continue
        nb.late_submission_penalty = None
        if target.total_seconds_late > 0:
            penalty = late_plugin.plugin_inst.late_submission_penalty(
                student, nb.score, target.total_seconds_late
            )
            if penalty is not None:
                nb.late_submission_penalty = late_plugin._check_late_penalty(nb, penalty)
    dst.db.commit()


def _entry(entries: dict, notebook: str, cell: str, kind: str, student: str):
    try:
        return entries[notebook, cell]
    except KeyError:  # what find_grade / find_comment raise
        raise MissingEntry(f"no {kind} {cell!r} in {notebook!r} for {student!r}") from None


def scores(db_url: str, assignment: str, student: str) -> dict[str, dict[str, tuple]]:
    """``{notebook: {grade_id: (auto_score, max_score)}}`` of one submission."""
    return scores_of(db_url, assignment, [student])[student]


def scores_of(
    db_url: str, assignment: str, students: list[str]
) -> dict[str, dict[str, dict[str, tuple]]]:
    """:func:`scores` of several students, read in one session: ``{student: {notebook: ...}}``."""
    with Gradebook(normalize_db_url(db_url)) as gb:
        return {
            student: {
                nb.name: {g.name: (g.auto_score, g.max_score) for g in nb.grades}
                for nb in gb.find_submission(assignment, student).notebooks
            }
            for student in students
        }


def dump(db_url: str, assignment: str) -> list[tuple]:
    """Every graded fact of an assignment as sorted tuples, ids aside (they are random uuids).

    Two gradebooks with equal dumps hold the same grades, comments, penalties and timestamps.
    """
    rows: list[tuple] = []
    with Gradebook(normalize_db_url(db_url)) as gb:
        for sub in gb.find_assignment(assignment).submissions:
            rows.append(("submission", sub.student_id, str(sub.timestamp), str(sub.extension)))
            for nb in sub.notebooks:
                rows.append(("notebook", sub.student_id, nb.name, nb.late_submission_penalty))
                for g in nb.grades:
                    rows.append(
                        (
                            "grade",
                            sub.student_id,
                            nb.name,
                            g.name,
                            g.auto_score,
                            g.manual_score,
                            g.extra_credit,
                            g.needs_manual_grade,
                        )
                    )
                for c in nb.comments:
                    rows.append(
                        (
                            "comment",
                            sub.student_id,
                            nb.name,
                            c.name,
                            c.auto_comment,
                            c.manual_comment,
                        )
                    )
    return sorted(rows, key=repr)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"
