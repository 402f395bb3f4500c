"""nbgrader configuration of the Módulo 7 course directory (this folder is the course root).

`course` (course/grading) loads this file explicitly for the real root and for every throwaway
root it grades in, so what is set here holds for `nbgrader ...` and `course ...` alike.
"""

import os

c = get_config()  # noqa: F821  (nbgrader injects get_config)

c.CourseDirectory.course_id = "modulo7"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# Lessons talk to a simulated cluster during grading; a cell that waits on time should still end.
# A cell that runs longer is interrupted and scores 0; the rest of the notebook is still graded.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# The stub a student sees in a solution cell, in the course's language.
c.ClearSolutions.code_stub = {
    "python": "# TU CÓDIGO AQUÍ\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "TU RESPUESTA AQUÍ"

# Warnings printed to stderr by student code (warnings.warn, docker-py, urllib3, logging) must not
# zero a test cell: nbgrader scores any stderr output as 0. IgnorePattern is off by default in
# nbgrader 0.9 (`enabled = False`), so it is switched on here. It drops a whole stderr stream when
# the pattern matches, so the pattern only matches the shapes warnings take:
# "<file>:<line>: SomethingWarning: ..." and logging's "WARNING:<logger>:...".
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?m)^(.*:\d+: \w*Warning: |WARNING:)"

# A test cell a student deleted is put back from the gradebook (and graded) instead of being lost.
c.OverwriteCells.add_missing_cells = True
c.OverwriteCells.missing_cell_notification = (
    "Esta celda (id:{cell_id}) faltaba en la entrega; el calificador la ha repuesto.\n\n"
)

# A cell that floods its output is cut (nbgrader keeps the first lines), so feedback stays small.
c.LimitOutput.max_lines = 1000

# Every grading kernel runs in a bubblewrap sandbox (course/grading/sandbox.py): a private copy of
# its submission and the read-only Python, no course root, gradebook, network or Docker socket,
# its own pid namespace. ResilientExecute (below) uses this kernel manager, so plain
# `nbgrader autograde` is confined too. Where bwrap cannot run, grading stops with a message;
# `confine = False` grades unconfined (student code then runs as you: trusted code only).
c.ConfinedKernelManager.confine = True
c.ConfinedKernelManager.memory_mb = 4096  # address space per process (a MemoryError beyond)
c.ConfinedKernelManager.cpu_seconds = 900  # CPU seconds per process (killed beyond)
c.ConfinedKernelManager.max_processes = 256  # processes and threads at once (a kernel has ~10)
c.ConfinedKernelManager.wall_seconds = 1800  # a kernel's life: one notebook, killed beyond
c.ConfinedKernelManager.submission_seconds = 3600  # one submission, all its notebooks
c.ConfinedKernelManager.file_mb = 512  # largest file the kernel may write
c.ConfinedKernelManager.tmp_mb = 256  # the sandbox's /tmp, in memory

# The autograde pipeline of nbgrader 0.9.6 (converters/autograde.py) with two changes, in order:
# Execute → ResilientExecute (a dead or stuck kernel zeroes the cells from there on instead of
# dropping the whole submission; a confined kernel; tamper probes after every cell) and TruncateOutput after LimitOutput (LimitOutput counts lines, so one
# ten-megabyte line would pass). Both live in course/grading/preprocessors.py.
c.Autograde.autograde_preprocessors = [
    "course.grading.preprocessors.ResilientExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "course.grading.preprocessors.TruncateOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback shows no hidden test (nbgrader #917): HideHiddenTests replaces each hidden-test region
# of the autograded notebook by one comment and cuts tracebacks in those cells to their last line.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course.grading.preprocessors.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# nbgrader's sanitizers, with OverwriteCells replaced: a deleted test cell goes back to its place
# in the release (after the cells it needs), not right after the previous graded cell
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "course.grading.preprocessors.PlacedOverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
