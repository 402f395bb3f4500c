"""Fixture submissions: known wrong (or hostile) answers with the scores they must get.

A fixture is ``<fixtures>/<assignment>/<name>.yml`` (format in
``tests/fixtures/submissions/README.md``). It is turned into a submitted notebook by taking the
*release* notebook (what a student receives), filling every solution cell with the instructor's
solution (markers removed), except the cells the fixture writes itself; then ``raw_cells``
replaces any cell's source and ``delete_cells`` removes cells, to model tampering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from .cells import grade_id, is_solution, solution_only, source_text
from .errors import GradingError

KEYS = {"notebook", "description", "cells", "raw_cells", "delete_cells", "expected"}


@dataclass
class Fixture:
    """One fixture submission, as read from its YAML file."""

    name: str
    notebook: str
    path: Path
    description: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    raw_cells: dict[str, str] = field(default_factory=dict)
    delete_cells: list[str] = field(default_factory=list)
    expected: dict[str, float | None] = field(default_factory=dict)  # None: not judged

    @property
    def student(self) -> str:
        """The student id it is graded as (nbgrader ids are folder names)."""
        return "fx-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.name)


def load_fixture(path: Path) -> Fixture:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - KEYS
    if unknown or "notebook" not in data:
        raise GradingError(
            f"{path}: needs 'notebook'; unknown keys: {', '.join(sorted(unknown)) or 'none'}"
        )
    return Fixture(
        name=path.stem,
        notebook=str(data["notebook"]).removesuffix(".ipynb"),
        path=path,
        description=str(data.get("description", "")),
        cells={str(k): str(v) for k, v in (data.get("cells") or {}).items()},
        raw_cells={str(k): str(v) for k, v in (data.get("raw_cells") or {}).items()},
        delete_cells=[str(x) for x in data.get("delete_cells") or []],
        expected={str(k): None if v is None else float(v)
                  for k, v in (data.get("expected") or {}).items()},
    )


def load_fixtures(folder: Path) -> list[Fixture]:
    """Every ``*.yml`` / ``*.yaml`` fixture of a folder, by name."""
    if not folder.is_dir():
        return []
    paths = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])
    return [load_fixture(p) for p in paths]


def build_submission(fixture: Fixture, source_nb: Path, release_nb: Path):
    """The notebook a student with this fixture's answers would hand in.

    Raises:
        GradingError: the fixture names a cell the notebook does not have.
    """
    source = nbformat.read(source_nb, as_version=4)
    nb = nbformat.read(release_nb, as_version=4)
    solutions = {grade_id(c): source_text(c) for c in source.cells if grade_id(c)}
    ids = {grade_id(c) for c in nb.cells if grade_id(c)}
    for key, names in (
        ("cells", fixture.cells),
        ("raw_cells", fixture.raw_cells),
        ("delete_cells", fixture.delete_cells),
    ):
        missing = sorted(set(names) - ids)
        if missing:
            raise GradingError(f"{fixture.path.name}: {key} names unknown cells: {missing}")
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid and is_solution(cell):
            cell.source = fixture.cells.get(gid, solution_only(solutions.get(gid, "")))
        if gid in fixture.raw_cells:
            cell.source = fixture.raw_cells[gid]
    nb.cells = [c for c in nb.cells if grade_id(c) not in fixture.delete_cells]
    return nb


def solution_submission(source_nb: Path, release_nb: Path):
    """The release notebook with every solution cell filled in: a perfect student."""
    return build_submission(Fixture("solution", source_nb.stem, source_nb), source_nb, release_nb)
