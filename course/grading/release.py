"""``course release``: sync, nbgrader ``generate_assignment``, then prove nothing secret leaked.

``--check`` regenerates in a throwaway course root and compares with the committed ``release/``.
What is compared (and what is not) is decided here, once:

* the set of files under ``release/<a>/``; non-notebook files byte for byte;
* per notebook, in order, each cell's type, source, ``nbgrader`` metadata (checksums included:
  they are md5 digests of the cell, so they change exactly when the cell does) and ``tags``;
  and the kernelspec;
* **not** compared: cell ids and any other notebook or cell metadata (volatile);
* a committed release notebook with outputs or execution counts is stale by itself.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .cells import canonical, dumps
from .errors import GradingError
from .layout import Course
from .leaks import Leak, find_leaks
from .nbconfig import load_config, make_api
from .sync import lesson_to_notebook_text, sync


@dataclass
class ReleaseReport:
    """Result of a release or a release check of one assignment."""

    assignment: str
    notebooks: list[Path] = field(default_factory=list)
    leaks: list[Leak] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.leaks and not self.differences


def _generate(root: Path, assignment: str, config=None) -> None:
    api = make_api(root, config)
    result = api.generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise GradingError(
            f"nbgrader generate_assignment {assignment} failed:\n"
            f"{result.get('error') or result.get('log')}"
        )


def _canonicalize_folder(folder: Path) -> list[Path]:
    paths = sorted(folder.glob("*.ipynb"))
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        path.write_text(dumps(canonical(nb, keep_ids=True)), encoding="utf-8")
    return paths


def release(course: Course, assignment: str) -> ReleaseReport:
    """Sync the lessons, generate ``release/<a>`` (and the gradebook entry), check for leaks.

    Raises:
        GradingError: generation failed, or a solution or hidden test reached ``release/``.
    """
    sync(course, assignment)
    report = ReleaseReport(assignment)
    if not course.notebooks("source", assignment):
        return report
    _generate(course.root, assignment)
    report.notebooks = _canonicalize_folder(course.step_dir("release", assignment))
    report.leaks = find_leaks(course.notebooks("source", assignment), report.notebooks)
    return report


def fresh_source(course: Course, assignment: str, dest: Path) -> None:
    """Write the source of ``assignment`` as the lessons define it now into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    committed = course.step_dir("source", assignment)
    if committed.is_dir():
        for path in committed.iterdir():
            if path.is_file() and path.suffix != ".ipynb":
                shutil.copy2(path, dest / path.name)
    lessons = course.lessons(assignment)
    if lessons:
        for lesson in lessons:
            (dest / f"{lesson.stem}.ipynb").write_text(
                lesson_to_notebook_text(lesson), encoding="utf-8"
            )
    else:
        for path in course.notebooks("source", assignment):
            shutil.copy2(path, dest / path.name)


def _comparable(path: Path) -> tuple[str, list[str]]:
    nb = nbformat.read(path, as_version=4)
    problems = [
        f"{path.name} cell {i}: has outputs or an execution count"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    data = json.loads(dumps(canonical(nb)))
    for cell in data["cells"]:
        cell.pop("id", None)
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False), problems


def check_release(course: Course, assignment: str) -> ReleaseReport:
    """Compare the committed ``release/<a>`` (and ``source/<a>``) with a fresh generation."""
    report = ReleaseReport(assignment)
    stale_source = sync(course, assignment, check=True)
    report.differences += [
        f"source is stale: {p.relative_to(course.root)}" for p in stale_source.stale
    ]
    report.differences += [
        f"source has a notebook no lesson produces: {p.relative_to(course.root)}"
        for p in stale_source.orphans
    ]
    with tempfile.TemporaryDirectory(prefix="course-release-") as tmp:
        root = Path(tmp)
        fresh_source(course, assignment, root / "source" / assignment)
        fresh_notebooks = sorted((root / "source" / assignment).glob("*.ipynb"))
        committed_dir = course.step_dir("release", assignment)
        if not fresh_notebooks:
            if course.notebooks("release", assignment):
                report.differences.append("release has notebooks but source has none")
            return report
        config = load_config(course.root, db_url=f"sqlite:///{root / 'gradebook.db'}")
        config.CourseDirectory.root = str(root)
        _generate(root, assignment, config)
        fresh_dir = root / "release" / assignment
        _canonicalize_folder(fresh_dir)
        fresh = {p.relative_to(fresh_dir) for p in fresh_dir.rglob("*") if p.is_file()}
        committed = (
            {p.relative_to(committed_dir) for p in committed_dir.rglob("*") if p.is_file()}
            if committed_dir.is_dir()
            else set()
        )
        for name in sorted(fresh - committed):
            report.differences.append(f"missing from release/{assignment}: {name}")
        for name in sorted(committed - fresh):
            report.differences.append(
                f"not generated from source (delete it): release/{assignment}/{name}"
            )
        for name in sorted(fresh & committed):
            new, old = fresh_dir / name, committed_dir / name
            if name.suffix == ".ipynb":
                (new_text, _), (old_text, problems) = _comparable(new), _comparable(old)
                report.differences += problems
                if new_text != old_text:
                    report.differences.append(
                        f"stale: release/{assignment}/{name} (run `course release`)"
                    )
            elif new.read_bytes() != old.read_bytes():
                report.differences.append(f"stale: release/{assignment}/{name}")
        report.notebooks = sorted(committed_dir.glob("*.ipynb")) if committed_dir.is_dir() else []
        report.leaks = find_leaks(fresh_notebooks, report.notebooks)
    return report
