"""Proof that no solution and no hidden test reached what students receive.

Three checks, from coarse to fine, over every cell of every notebook of a student-facing folder:

1. no nbgrader marker (``BEGIN SOLUTION``, ``BEGIN HIDDEN TESTS``, their ends) appears;
2. no secret block of the source (solution code, hidden tests) appears whole;
3. no *distinctive* line of a secret block appears as a line (whitespace around it aside): a line
   of at least ``MIN_LINE`` characters.

Secret text the source itself shows in public is no leak *where it shows it*: a release cell may
hold what its own source cell (same notebook, same cell id) shows outside the solution and
hidden-test regions, such as the ``def`` line of a solution cell, or a lesson that quotes, in a
later notebook, the one-line answer of an earlier one. The same text anywhere else (a stub, a
test, another notebook) is a leak. A release cell with no counterpart in the source (a stale or
edited release) may hold what its notebook's source shows in public anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from .cells import (
    HIDDEN_TESTS,
    MARKERS,
    SOLUTION,
    is_solution,
    secrets,
    source_text,
    without_regions,
)

MIN_LINE = 12


@dataclass(frozen=True)
class Leak:
    """Secret text found where a student can read it."""

    path: Path
    cell: int
    what: str

    def __str__(self) -> str:
        return f"{self.path.name} cell {self.cell}: {self.what}"


def _squash(text: str) -> str:
    return " ".join(text.split())


def public_text(cell) -> str:
    """What a source cell shows students: its text without solution and hidden-test regions
    (nothing, for a solution cell without delimiters: nbgrader replaces it whole)."""
    text = source_text(cell)
    if is_solution(cell) and SOLUTION[0] not in text:
        return ""
    return without_regions(text, SOLUTION, HIDDEN_TESTS)


def secret_texts(source_notebooks: list[Path]) -> tuple[list[str], dict[str, dict[str, str]]]:
    """The secret blocks of the source notebooks, and what each of their cells shows in public:
    ``{notebook file name: {cell id: public text}}``."""
    blocks, shown = [], {}
    for path in source_notebooks:
        nb = nbformat.read(path, as_version=4)
        cells = shown.setdefault(path.name, {})
        for cell in nb.cells:
            blocks.extend(secrets(cell))
            if cell.get("id"):
                cells[cell["id"]] = public_text(cell)
    return blocks, shown


def _student_texts(nb) -> list[str]:
    """Everything a student can read in a cell: its source and its outputs."""
    texts = []
    for cell in nb.cells:
        parts = [source_text(cell)]
        for output in cell.get("outputs", []):
            if "text" in output:
                parts.append(
                    output["text"] if isinstance(output["text"], str) else "".join(output["text"])
                )
            for value in output.get("data", {}).values():
                parts.append(value if isinstance(value, str) else "".join(map(str, value)))
            parts.extend(output.get("traceback", []))
        texts.append("\n".join(parts))
    return texts


def find_leaks_in_texts(
    named_texts: list[tuple[Path, int, str]],
    blocks: list[str],
    public: set[str] = frozenset(),
    shown: dict[tuple[Path, int], str] | None = None,
) -> list[Leak]:
    """The leaks among ``(path, cell index, text)`` triples; see the module docstring.

    Args:
        named_texts: what a student can read, cell by cell.
        blocks: the secret blocks.
        public: lines that are no leak anywhere.
        shown: for a triple's ``(path, index)``, the text the source shows in public there:
            secret text it holds too is no leak in that cell.
    """
    lines = {
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if len(line.strip()) >= MIN_LINE
    }
    squashed_blocks = [_squash(b) for b in blocks if _squash(b)]
    leaks = []
    for path, index, text in named_texts:
        allowed = (shown or {}).get((path, index), "")
        allowed_squashed = _squash(allowed)
        allowed_lines = public | {line.strip() for line in allowed.splitlines()}
        for marker in MARKERS:
            if marker in text:
                leaks.append(Leak(path, index, f"marker {marker!r}"))
        squashed = _squash(text)
        for block in squashed_blocks:
            if block in squashed and block not in allowed_squashed:
                leaks.append(Leak(path, index, f"secret block {block[:60]!r}"))
        found = {line.strip() for line in text.splitlines()} - allowed_lines
        for line in sorted(lines & found):
            leaks.append(Leak(path, index, f"secret line {line[:60]!r}"))
    return leaks


def find_leaks(source_notebooks: list[Path], student_notebooks: list[Path]) -> list[Leak]:
    """The leaks of the source's secrets into the student notebooks (empty when clean)."""
    blocks, shown_by_id = secret_texts(source_notebooks)
    triples, shown = [], {}
    for path in student_notebooks:
        nb = nbformat.read(path, as_version=4)
        by_id = shown_by_id.get(path.name, {})
        whole = "\n".join(by_id.values())  # a cell the source lacks: its notebook's public text
        for i, text in enumerate(_student_texts(nb)):
            triples.append((path, i, text))
            shown[path, i] = by_id.get(nb.cells[i].get("id"), whole)
    return find_leaks_in_texts(triples, blocks, shown=shown)
