"""``course feedback``: nbgrader's HTML feedback, with no hidden test in it, proven.

``nbgrader_config.py`` puts :class:`~course.grading.preprocessors.HideHiddenTests` in the
feedback pipeline, so plain ``nbgrader generate_feedback`` strips them too. This module runs the
generation and then *checks* every HTML file written: its text (tags removed, entities decoded,
and every base64 run decoded too) must contain no line of any hidden-test region of the source,
except a line that is no secret in that place: one the notebook's source also shows in public (a
visible test, the lesson's own code) or one the student wrote in their own answer cells.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .cells import HIDDEN_TESTS, is_solution, regions, source_text
from .errors import GradingError
from .layout import Course
from .leaks import MIN_LINE, Leak, find_leaks_in_texts, public_text
from .nbconfig import make_api

_TAG = re.compile(r"<[^>]+>")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")


@dataclass
class FeedbackReport:
    assignment: str
    files: list[Path] = field(default_factory=list)
    leaks: list[Leak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.leaks


def html_text(path: Path) -> str:
    """The text a reader sees in an HTML file (tags removed, entities decoded)."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    raw = re.sub(r"(?is)<(style|script)\b.*?</\1>", "", raw)
    return html.unescape(_TAG.sub("", raw))


def decoded_base64(path: Path) -> str:
    """Every base64 run of the raw file that decodes to text, one per line (an embedded copy of
    a notebook or a cell is as readable as the page)."""
    found = []
    for run in _BASE64.findall(path.read_text(encoding="utf-8", errors="replace")):
        try:
            found.append(base64.b64decode(run + "=" * (-len(run) % 4)).decode("utf-8"))
        except (binascii.Error, UnicodeDecodeError):
            continue
    return "\n".join(found)


def hidden_tests(source_notebooks: list[Path]) -> list[str]:
    """The hidden-test regions of the source notebooks."""
    found = []
    for path in source_notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            found += [r for r in regions(source_text(cell), HIDDEN_TESTS) if r.strip()]
    return found


def _lines(texts) -> set[str]:
    return {line.strip() for text in texts for line in text.splitlines() if line.strip()}


def shown_lines(source: Path) -> set[str]:
    """The lines a source notebook shows students anyway (outside solutions and hidden tests)."""
    return _lines(public_text(cell) for cell in nbformat.read(source, as_version=4).cells)


def own_lines(autograded: Path) -> set[str]:
    """The lines a student wrote in the answer cells of their graded notebook."""
    if not autograded.is_file():
        return set()
    nb = nbformat.read(autograded, as_version=4)
    return _lines(source_text(c) for c in nb.cells if is_solution(c))


def check_feedback(
    files: list[Path], source_notebooks: list[Path], root: Path | None = None
) -> list[Leak]:
    """Hidden-test lines (at least ``MIN_LINE`` characters) found in feedback files.

    A feedback file ``feedback/<student>/<assignment>/<notebook>.html`` may hold what its
    notebook's source shows in public and, with ``root``, what that student wrote in
    ``autograded/<student>/<assignment>/<notebook>.ipynb``'s answer cells."""
    blocks = hidden_tests(source_notebooks)
    sources = {path.stem: path for path in source_notebooks}
    leaks = []
    for path in files:
        allowed = shown_lines(sources[path.stem]) if path.stem in sources else set()
        if root is not None and len(path.parts) >= 3:
            student, assignment = path.parts[-3], path.parts[-2]
            allowed |= own_lines(root / "autograded" / student / assignment / f"{path.stem}.ipynb")
        text = html_text(path) + "\n" + decoded_base64(path)
        leaks += find_leaks_in_texts(
            [(path, 0, text)], blocks, public=allowed, shown={(path, 0): "\n".join(allowed)}
        )
    return [leak for leak in leaks if "SOLUTION" not in leak.what and len(leak.what) >= MIN_LINE]


def feedback(course: Course, assignment: str, student: str | None = None) -> FeedbackReport:
    """Generate ``feedback/<student>/<assignment>/*.html`` and prove no hidden test is in it."""
    api = make_api(course.root)
    result = api.generate_feedback(assignment, student_id=student, force=True)
    if not result["success"]:
        raise GradingError(f"nbgrader generate_feedback failed:\n{result.get('error')}")
    pattern = f"{student or '*'}/{assignment}/*.html"
    report = FeedbackReport(assignment, sorted((course.root / "feedback").glob(pattern)))
    report.leaks = check_feedback(
        report.files, course.notebooks("source", assignment), root=course.root
    )
    return report
