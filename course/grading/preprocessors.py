"""Two nbgrader preprocessors that keep one hostile submission from spoiling its own grading.

Both are plugged into ``Autograde.autograde_preprocessors`` by ``nbgrader_config.py``, so
``nbgrader autograde`` and ``course grade`` run them alike.

* :class:`ResilientExecute`: nbgrader's ``Execute``, except that a kernel that dies (``os._exit``,
  a segfault, the OOM killer) no longer aborts the whole notebook: the cell that killed it and
  every later code cell get an error output (score 0), and the cells graded before keep their
  scores. Stock nbgrader removes the whole autograded submission instead.
* :class:`TruncateOutput`: nbgrader's ``LimitOutput`` counts lines; one ten-megabyte line passes.
  This caps the characters of each cell's outputs.
"""

from __future__ import annotations

from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

DEAD_HERE = "El kernel murió al ejecutar esta celda (¿sys.exit, os._exit, memoria agotada?)."
DEAD_BEFORE = "No se ejecutó: el kernel murió en una celda anterior."


def _error(message: str) -> NotebookNode:
    return NotebookNode(
        output_type="error", ename="DeadKernelError", evalue=message, traceback=[message]
    )


class ResilientExecute(Execute):
    """nbgrader's ``Execute`` that survives a dead kernel (see the module docstring)."""

    def preprocess(self, nb, resources=None, km=None):
        self._kernel_dead = False
        return super().preprocess(nb, resources, km)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if getattr(self, "_kernel_dead", False):
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [_error(DEAD_BEFORE)]
            return cell
        try:
            return await super().async_execute_cell(
                cell, cell_index, execution_count=execution_count, store_history=store_history
            )
        except DeadKernelError:
            self._kernel_dead = True
            self.log.warning("kernel died in cell %s; later cells score 0", cell_index)
            cell.setdefault("outputs", []).append(_error(DEAD_HERE))
            return cell


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
