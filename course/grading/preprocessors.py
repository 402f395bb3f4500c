"""nbgrader preprocessors: a hostile submission cannot spoil its grading; feedback hides tests.

The first two are plugged into ``Autograde.autograde_preprocessors`` by ``nbgrader_config.py``, so
``nbgrader autograde`` and ``course grade`` run them alike.

* :class:`ResilientExecute`: nbgrader's ``Execute``, except that a kernel that dies (``os._exit``,
  a segfault, the OOM killer) no longer aborts the whole notebook: the cell that killed it and
  every later code cell get an error output (score 0), and the cells graded before keep their
  scores. Stock nbgrader removes the whole autograded submission instead.
* :class:`TruncateOutput`: nbgrader's ``LimitOutput`` counts lines; one ten-megabyte line passes.
  This caps the characters of each cell's outputs.
* :class:`PlacedOverwriteCells` (in ``Autograde.sanitize_preprocessors``): a deleted test cell
  goes back to its place in the release, after the cells it needs.
* :class:`HideHiddenTests` (in ``GenerateFeedback.preprocessors``): feedback shows no hidden test.
"""

from __future__ import annotations

import time
from pathlib import Path

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells
from traitlets import Integer, List, Unicode

from .cells import HIDDEN_TESTS
from .sandbox import ConfinedKernelManager
from .swarm_turns import swarm_turn
from .tamper import Evidence, differences, probe_source, read_probe, scan_source, write_evidence

DEAD_HERE = "El kernel murió al ejecutar esta celda (¿sys.exit, os._exit, memoria agotada?)."
DEAD_BEFORE = "No se ejecutó: el kernel murió en una celda anterior."
STUCK_HERE = (
    "Esta celda no terminó a tiempo y el kernel no respondió a la interrupción: "
    "el calificador lo detuvo."
)
STUCK_BEFORE = "No se ejecutó: una celda anterior bloqueó el kernel."
OUT_OF_TIME = (
    "No se ejecutó: la entrega agotó su tiempo total de corrección "
    "(ConfinedKernelManager.submission_seconds)."
)
TAMPERED = (
    "No puntúa: el código de la entrega alteró el kernel que ejecuta las pruebas "
    "(la entrega queda marcada para revisión)."
)


def _error(message: str, ename: str = "DeadKernelError") -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message, traceback=[message])


class ResilientExecute(Execute):
    """nbgrader's ``Execute`` that survives a dead or stuck kernel, on a confined kernel.

    A kernel that stays busy after the timeout's interrupt (a loop that ignores SIGINT) is
    killed: its cell and every later one score 0, the cells before keep their scores (stock
    nbclient raises ``CellTimeoutError`` and nbgrader drops the whole submission).
    The kernel manager is :class:`~course.grading.sandbox.ConfinedKernelManager` [nbgrader's
    ``Execute`` passes ``AsyncKernelManager`` as an argument, which would beat the config].
    """

    swarm_notebooks = List(
        Unicode(), help="Notebooks that enter Swarm mode: each one runs holding `swarm_lock`."
    ).tag(config=True)
    swarm_lock = Unicode(
        "", help="Lock file of the engine's Swarm turn (course.grading.swarm_turns); empty: none."
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", ConfinedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        import secrets

        self._kernel_lost = ""
        self._nonce, self._first = f"probe-{secrets.token_hex(16)}:", None
        name = (resources or {}).get("unique_key", "notebook")
        self._evidence = Evidence(name, scan=scan_source(nb.cells))
        self._swarm_turn = name in self.swarm_notebooks
        lock = self.swarm_lock if self._swarm_turn else None
        try:
            with swarm_turn(lock):
                return super().preprocess(nb, resources, km)
        finally:
            folder = ((resources or {}).get("metadata") or {}).get("path")
            if folder:
                write_evidence(folder, self._evidence)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        # only the notebook holding the Swarm turn may enter or leave Swarm (engine_policy.py)
        km.swarm_turn = getattr(self, "_swarm_turn", False)
        return km

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        deadline = getattr(self.km, "submission_deadline", 0.0)
        if deadline and time.time() >= deadline and not getattr(self, "_kernel_lost", ""):
            self._kernel_lost = OUT_OF_TIME  # the submission's wall clock ran out: 0 from here
        if getattr(self, "_kernel_lost", ""):
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [_error(self._kernel_lost)]
            return cell
        if self._first is None and cell.cell_type == "code" and cell.source.strip():
            self._first = await self._probe(cell_index, walk=True) or {}
        cell = await self._execute_cell(cell, cell_index, execution_count, store_history)
        live = not self._kernel_lost and self._first  # no baseline: the kernel broke by itself
        # probed after the cells nbgrader knows (solution, test, locked), not after every demo
        # cell [a probe is a cell itself, so hooks that tamper only around cells still show;
        # tampering from a demo cell is caught after the next graded cell, which it zeroes]
        marks = cell.metadata.get("nbgrader", {})
        if live and cell.cell_type == "code" and marks and cell.source.strip():
            walk = bool(marks.get("solution") or marks.get("grade"))
            changed = differences(self._first, await self._probe(cell_index, walk))
            if changed:
                self._tampered(cell, cell_index, changed)
        return cell

    async def _probe(self, cell_index, walk: bool) -> dict | None:
        """Run the tamper probe (course/grading/tamper.py); its fingerprint, read from outside."""
        source = probe_source(self._nonce, walk)
        probe = NotebookNode(cell_type="code", source=source, metadata={})
        probe.outputs = []
        real = self.nb.cells[cell_index]  # nbclient stores the executed cell at cell_index
        try:
            await super().async_execute_cell(probe, cell_index, store_history=False)
        except (DeadKernelError, CellTimeoutError):
            return None
        finally:
            self.nb.cells[cell_index] = real
        return read_probe(probe.outputs, self._nonce)

    def _tampered(self, cell, cell_index, changed: list[str]) -> None:
        """Zero this cell if graded, and every later one; keep the evidence."""
        self._evidence.tampered_at = cell_index
        self._evidence.probe = changed
        self._kernel_lost = TAMPERED
        self.log.warning("kernel tampered after cell %s: %s", cell_index, "; ".join(changed))
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.outputs = [_error(TAMPERED, "TamperedKernel")]

    async def _execute_cell(self, cell, cell_index, execution_count, store_history):
        try:
            return await super().async_execute_cell(
                cell, cell_index, execution_count=execution_count, store_history=store_history
            )
        except DeadKernelError:
            deadline = getattr(self.km, "submission_deadline", 0.0)
            if deadline and time.time() >= deadline:  # killed by the submission's wall clock
                self._kernel_lost = OUT_OF_TIME
                cell.setdefault("outputs", []).append(_error(OUT_OF_TIME, "TimeoutError"))
                return cell
            self._kernel_lost = DEAD_BEFORE
            self.log.warning("kernel died in cell %s; later cells score 0", cell_index)
            cell.setdefault("outputs", []).append(_error(DEAD_HERE))
            return cell
        except CellTimeoutError:
            self._kernel_lost = STUCK_BEFORE
            self.log.warning("kernel stuck in cell %s: killed; later cells score 0", cell_index)
            cell.setdefault("outputs", []).append(_error(STUCK_HERE, "CellTimeoutError"))
            if self.km is not None:
                await ensure_async(self.km.shutdown_kernel(now=True))
            return cell

    # nbclient binds the synchronous wrapper to its own coroutine at class creation
    # (``execute_cell = run_sync(async_execute_cell)``), so it must be rebound to the override.
    execute_cell = run_sync(async_execute_cell)


class TruncateOutput(NbGraderPreprocessor):
    """Cap the characters of every code cell's text outputs (streams and text data)."""

    max_chars = Integer(100_000, help="Characters of output kept per cell (-1 means no limit)").tag(
        config=True
    )

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or self.max_chars < 0:
            return cell, resources
        budget = self.max_chars
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                output.text, budget = self._cut(output.text, budget)
            elif "data" in output:
                for mime, value in list(output.data.items()):
                    if isinstance(value, str) and mime.startswith("text/"):
                        output.data[mime], budget = self._cut(value, budget)
        return cell, resources

    @staticmethod
    def _cut(text: str, budget: int) -> tuple[str, int]:
        if len(text) <= budget:
            return text, budget - len(text)
        return text[: max(budget, 0)] + f"\n... salida recortada ({len(text)} caracteres) ...\n", 0


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback without the hidden tests' code (nbgrader #917).

    nbgrader's feedback renders the autograded notebook, where ``OverwriteCells`` has put the
    hidden tests back. This replaces each ``### BEGIN HIDDEN TESTS`` region by one comment and
    cuts the traceback of an error in such a cell to its last line (``ename: evalue``), because an
    IPython traceback quotes the failing line of the test. The assertion message, written for the
    student, is kept.
    """

    placeholder = Unicode(
        "# (pruebas ocultas: el calificador las ejecutó; su código no se muestra)",
        help="Line that replaces each hidden-test region in feedback",
    ).tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        begin, end = HIDDEN_TESTS
        if cell.cell_type != "code" or begin not in cell.source:
            return cell, resources
        kept, inside = [], False
        for line in cell.source.splitlines():
            if begin in line:
                inside = True
                kept.append(line[: len(line) - len(line.lstrip())] + self.placeholder)
            elif end in line and inside:
                inside = False
            elif not inside:
                kept.append(line)
        cell.source = "\n".join(kept)
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


class PlacedOverwriteCells(OverwriteCells):
    """nbgrader's ``OverwriteCells``, except that a deleted test cell goes back where the release
    had it: after the last cell before it in the release that the submission still holds.

    nbgrader puts a missing graded cell right after the previous *graded or solution* cell, so a
    test that needs an ordinary cell in between (data, a helper) runs before it and scores 0 for
    a correct solution. Cells are matched by their ``grade_id`` or, for ordinary cells, their
    nbformat id. Without the release notebook (a folder laid out otherwise) nbgrader's own
    placement is kept.
    """

    def add_missing_grade_cells(self, nb: NotebookNode, resources):
        release = self._release_cells(resources)
        if release is None:
            return super().add_missing_grade_cells(nb, resources)
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        source_cells = {cell.name: cell for cell in source_nb.source_cells}
        grade_cells = {cell.name: cell for cell in source_nb.grade_cells}
        solutions = {cell.name for cell in source_nb.solution_cells}
        for position, key in enumerate(release):
            if key not in grade_cells or key in _cell_keys(nb):
                continue
            self.log.warning("Missing grade cell %s encountered, adding to notebook", key)
            cell = self.missing_cell_transform(
                source_cells[key], grade_cells[key].max_score, is_solution=key in solutions
            )
            where = _cell_keys(nb)
            before = [where[k] for k in reversed(release[:position]) if k in where]
            nb.cells.insert(before[0] + 1 if before else 0, cell)
        return nb, resources

    def _release_cells(self, resources) -> list[str] | None:
        """The keys of the release notebook's cells, in order (``None`` when it is not found)."""
        import nbformat
        from nbgrader.coursedir import CourseDirectory

        info = resources.get("nbgrader", {})
        coursedir = CourseDirectory(config=self.config)
        folder = coursedir.format_path(coursedir.release_directory, ".", info.get("assignment"))
        path = Path(folder) / f"{info.get('notebook')}.ipynb"
        if not path.is_file():
            return None
        return list(_cell_keys(nbformat.read(path, as_version=4)))


def _cell_keys(nb: NotebookNode) -> dict[str, int]:
    """Each cell's key (its ``grade_id``, else its nbformat id) and its index."""
    keys = {}
    for index, cell in enumerate(nb.cells):
        key = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id")
        if key:
            keys.setdefault(key, index)
    return keys
