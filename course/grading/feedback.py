"""``course feedback``: nbgrader's HTML feedback, with no hidden test in it, proven.

``nbgrader_config.py`` puts :class:`~course.grading.preprocessors.HideHiddenTests` in the
feedback pipeline, so plain ``nbgrader generate_feedback`` strips them too. This module runs the
generation and then *checks* every HTML file written: its text (tags removed, entities decoded)
must contain no line of any hidden-test region of the source.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .cells import HIDDEN_TESTS, regions, source_text
from .errors import GradingError
from .layout import Course
from .leaks import MIN_LINE, Leak, find_leaks_in_texts
from .nbconfig import make_api

_TAG = re.compile(r"<[^>]+>")


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


def hidden_tests(source_notebooks: list[Path]) -> list[str]:
    """The hidden-test regions of the source notebooks."""
    found = []
    for path in source_notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            found += [r for r in regions(source_text(cell), HIDDEN_TESTS) if r.strip()]
    return found


def check_feedback(files: list[Path], source_notebooks: list[Path]) -> list[Leak]:
    """Hidden-test lines (at least ``MIN_LINE`` characters) found in feedback files."""
    blocks = hidden_tests(source_notebooks)
    texts = [(path, 0, html_text(path)) for path in files]
    leaks = find_leaks_in_texts(texts, blocks, public=set())
    return [leak for leak in leaks if "SOLUTION" not in leak.what and len(leak.what) >= MIN_LINE]


def feedback(course: Course, assignment: str, student: str | None = None) -> FeedbackReport:
    """Generate ``feedback/<student>/<assignment>/*.html`` and prove no hidden test is in it."""
    api = make_api(course.root)
    result = api.generate_feedback(assignment, student_id=student, force=True)
    if not result["success"]:
        raise GradingError(f"nbgrader generate_feedback failed:\n{result.get('error')}")
    pattern = f"{student or '*'}/{assignment}/*.html"
    report = FeedbackReport(assignment, sorted((course.root / "feedback").glob(pattern)))
    report.leaks = check_feedback(report.files, course.notebooks("source", assignment))
    return report
