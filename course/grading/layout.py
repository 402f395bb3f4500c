"""Where a course keeps its things: lessons (text), source/ and release/ notebooks, fixtures.

One small value object, :class:`Course`, so every command and test names the same folders the
same way. The folder names are nbgrader's own (``source``, ``release``, ``submitted``,
``autograded``, ``feedback``) plus ``lessons/``, where the jupytext text of each notebook lives.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import GradingError

#: a lesson file: ``NN-name.py`` (two digits, a dash, a name)
LESSON_PATTERN = re.compile(r"^\d\d-[\w.-]+\.py$")


@dataclass(frozen=True)
class Course:
    """A course directory (the folder holding ``nbgrader_config.py``).

    >>> course = Course(Path("/srv/curso"))
    >>> course.lesson_dir("m7-orquestacion")
    PosixPath('/srv/curso/lessons/m7-orquestacion')
    """

    root: Path
    fixtures: Path | None = None

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())
        if self.fixtures is None:
            object.__setattr__(self, "fixtures", self.root / "tests" / "fixtures" / "submissions")
        else:
            object.__setattr__(self, "fixtures", Path(self.fixtures).resolve())

    @classmethod
    def find(cls, start: Path | None = None, fixtures: Path | None = None) -> Course:
        """The course whose root holds ``nbgrader_config.py``, from ``start`` upwards.

        ``COURSE_ROOT`` in the environment wins over the search.
        """
        if os.environ.get("COURSE_ROOT"):
            return cls(Path(os.environ["COURSE_ROOT"]), fixtures)
        here = Path(start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "nbgrader_config.py").is_file():
                return cls(folder, fixtures)
        raise GradingError(f"no nbgrader_config.py in {here} or above: run from the course root")

    def step_dir(self, step: str, assignment: str) -> Path:
        """``<root>/<step>/<assignment>`` for ``source`` and ``release``."""
        return self.root / step / assignment

    def lesson_dir(self, assignment: str) -> Path:
        return self.root / "lessons" / assignment

    def fixture_dir(self, assignment: str) -> Path:
        return self.fixtures / assignment

    def assignments(self) -> list[str]:
        """Every assignment with a folder under ``lessons/`` or ``source/``, sorted."""
        names = set()
        for step in ("lessons", "source"):
            base = self.root / step
            if base.is_dir():
                names.update(
                    p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")
                )
        return sorted(names)

    def lessons(self, assignment: str) -> list[Path]:
        """The lesson texts of an assignment (``lessons/<a>/NN-name.py``), in order."""
        folder = self.lesson_dir(assignment)
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if LESSON_PATTERN.match(p.name))

    def notebooks(self, step: str, assignment: str) -> list[Path]:
        """The ``.ipynb`` files of ``<step>/<assignment>``, in order."""
        folder = self.step_dir(step, assignment)
        return sorted(folder.glob("*.ipynb")) if folder.is_dir() else []

    def pick(self, assignment: str | None) -> list[str]:
        """The assignment asked for, or all of them; an unknown name is an error."""
        known = self.assignments()
        if assignment is None:
            return known
        if assignment not in known:
            raise GradingError(
                f"unknown assignment {assignment!r} in {self.root} "
                f"(known: {', '.join(known) or 'none'})"
            )
        return [assignment]
