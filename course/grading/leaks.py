"""Proof that no solution and no hidden test reached what students receive.

Three checks, from coarse to fine, over every notebook of a student-facing folder:

1. no nbgrader marker (``BEGIN SOLUTION``, ``BEGIN HIDDEN TESTS``, their ends) appears;
2. no secret block of the source (solution code, hidden tests) appears whole;
3. no *distinctive* line of a secret block appears as a line (whitespace around it aside): a line
   of at least ``MIN_LINE`` characters that the source does not also show in public (lesson
   text, visible tests, demos, stubs).

The third check catches a partial leak without flagging a line like ``return total`` that the
lesson legitimately shows elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from .cells import HIDDEN_TESTS, MARKERS, SOLUTION, secrets, source_text, without_regions

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


def secret_texts(source_notebooks: list[Path]) -> tuple[list[str], set[str]]:
    """The secret blocks of the source notebooks, and every line they show in public."""
    blocks, public = [], set()
    for path in source_notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            blocks.extend(secrets(cell))
            text = source_text(cell)
            if not (
                cell.get("metadata", {}).get("nbgrader", {}).get("solution")
                and SOLUTION[0] not in text
            ):
                public.update(
                    line.strip()
                    for line in without_regions(text, SOLUTION, HIDDEN_TESTS).splitlines()
                )
    return blocks, public


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
    named_texts: list[tuple[Path, int, str]], blocks: list[str], public: set[str]
) -> list[Leak]:
    """The leaks among ``(path, cell index, text)`` triples; see the module docstring."""
    lines = {
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if len(line.strip()) >= MIN_LINE and line.strip() not in public
    }
    squashed_blocks = [_squash(b) for b in blocks if _squash(b)]
    leaks = []
    for path, index, text in named_texts:
        for marker in MARKERS:
            if marker in text:
                leaks.append(Leak(path, index, f"marker {marker!r}"))
        squashed = _squash(text)
        for block in squashed_blocks:
            if block in squashed:
                leaks.append(Leak(path, index, f"secret block {block[:60]!r}"))
        shown = {line.strip() for line in text.splitlines()}
        for line in sorted(lines & shown):
            leaks.append(Leak(path, index, f"secret line {line[:60]!r}"))
    return leaks


def find_leaks(source_notebooks: list[Path], student_notebooks: list[Path]) -> list[Leak]:
    """The leaks of the source's secrets into the student notebooks (empty when clean)."""
    blocks, public = secret_texts(source_notebooks)
    triples = []
    for path in student_notebooks:
        nb = nbformat.read(path, as_version=4)
        triples.extend((path, i, t) for i, t in enumerate(_student_texts(nb)))
    return find_leaks_in_texts(triples, blocks, public)
