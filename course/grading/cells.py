"""Cells as the pipeline sees them: canonical form, secret regions, nbgrader flags.

A notebook is *canonical* when it has no outputs, no execution counts, the python3 kernelspec,
only ``nbgrader`` and ``tags`` cell metadata, and stable cell ids. Canonical notebooks are what
``source/`` and ``release/`` hold, so regenerating them gives byte-identical files.

Secret text is what a student must never receive: the inside of ``### BEGIN SOLUTION`` blocks
(or the whole cell, for a solution cell without delimiters) and of ``### BEGIN HIDDEN TESTS``.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections.abc import Iterator

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
NOTEBOOK_METADATA = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
KEPT_CELL_METADATA = ("nbgrader", "tags")

SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_TESTS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
#: markers that must never reach a student
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")

_ID_OK = re.compile(r"[^A-Za-z0-9_-]")


def nbgrader_meta(cell) -> dict:
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_solution(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_test(cell) -> bool:
    """An autograded test: a graded code cell that is not a solution."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def source_text(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def cell_id(cell, index: int) -> str:
    """The stable id of a cell: its ``grade_id``, else a digest of its type and text.

    A digest (not the position) keeps the ids of the other cells when a cell is inserted, so a
    diff shows only the cells that changed.
    """
    gid = grade_id(cell)
    if gid:
        return _ID_OK.sub("-", gid)[:64]
    digest = hashlib.sha1(f"{cell.cell_type}\0{source_text(cell)}".encode()).hexdigest()[:10]
    return f"{cell.cell_type[:2]}-{digest}"


def canonical(nb, keep_ids: bool = False):
    """A canonical copy of ``nb`` (see the module docstring).

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    >>> canonical(nb).cells[0].id
    'co-...'
    """
    out = nbformat.v4.new_notebook(metadata=nbformat.from_dict(NOTEBOOK_METADATA))
    out.nbformat, out.nbformat_minor = 4, 5
    seen: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        meta = {k: cell.metadata[k] for k in KEPT_CELL_METADATA if k in cell.get("metadata", {})}
        text = source_text(cell)
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(text, metadata=meta)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(text, metadata=meta)
        else:
            new = nbformat.v4.new_raw_cell(text, metadata=meta)
        ident = cell.get("id") if keep_ids and cell.get("id") else cell_id(cell, index)
        if ident in seen:
            seen[ident] += 1
            ident = f"{ident[:60]}-{seen[ident]}"
        else:
            seen[ident] = 1
        new.id = ident
        out.cells.append(new)
    return out


def dumps(nb) -> str:
    """The bytes a canonical notebook is stored as (nbformat's layout plus a final newline)."""
    nbformat.validate(nb)
    return nbformat.writes(nb, version=4) + "\n"


def regions(text: str, delimiters: tuple[str, str]) -> Iterator[str]:
    """The text between each pair of ``delimiters`` (markers excluded), dedented."""
    begin, end = delimiters
    inside: list[str] | None = None
    for line in text.splitlines():
        if begin in line:
            inside = []
        elif end in line and inside is not None:
            yield textwrap.dedent("\n".join(inside))
            inside = None
        elif inside is not None:
            inside.append(line)


def secrets(cell) -> list[str]:
    """The secret texts of a source cell (solution code or hidden tests)."""
    text = source_text(cell)
    found = list(regions(text, SOLUTION)) + list(regions(text, HIDDEN_TESTS))
    if is_solution(cell) and SOLUTION[0] not in text:
        found.append(text)  # nbgrader replaces a whole solution cell without delimiters
    return [s for s in found if s.strip()]


def without_regions(text: str, *delimiter_pairs: tuple[str, str]) -> str:
    """``text`` with every delimited region removed, markers included."""
    for begin, end in delimiter_pairs:
        kept, inside = [], False
        for line in text.splitlines():
            if begin in line:
                inside = True
            elif end in line and inside:
                inside = False
            elif not inside:
                kept.append(line)
        text = "\n".join(kept)
    return text


def solution_only(text: str) -> str:
    """A source solution cell as a student who solved it would hand it in: markers removed."""
    return "\n".join(line for line in text.splitlines() if not any(m in line for m in MARKERS))
