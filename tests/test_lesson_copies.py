"""Lessons that repeat another's code keep it identical.

05-2 opens on its own (a student may start there), so it carries the lab pieces of 05-1: the
probe, the replica helpers and 05-1's solution of ``esperar_sanas``. They are copies that could
drift apart; this test fails the moment one is edited without the other.
"""

from __future__ import annotations

import re
from pathlib import Path

LESSONS = Path(__file__).resolve().parents[1] / "lessons" / "m7-orquestacion"


def _cell(lesson: str, grade_id: str) -> str:
    text = (LESSONS / f"{lesson}.py").read_text(encoding="utf-8")
    for cell in re.split(r"^# %%", text, flags=re.M):
        if f'"grade_id": "{grade_id}"' in cell.split("\n", 1)[0]:
            return cell.split("\n", 1)[1]
    raise AssertionError(f"{lesson} has no cell {grade_id!r}")


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start): text.index(end, text.index(start))].strip()


def test_05_2_carries_the_lab_pieces_of_05_1_unchanged():
    """Are 05-2's probe and replica helpers, from `class Sonda` to `reiniciar`'s end, the very
    text of 05-1's?"""
    first, second = _cell("05-1-rolling-updates", "sonda"), _cell(
        "05-2-rollback-blue-green-canary", "sonda")
    shared = _between(first, "class Sonda:", 'sonda = Sonda({"app": "web"})')
    assert shared in second, "05-2's copy of 05-1's probe and helpers differs: copy it again"


def test_05_2_esperar_sanas_is_the_solution_of_05_1():
    """Is the `esperar_sanas` 05-2 hands the student the instructor's solution of 05-1?"""
    solution = _between(_cell("05-1-rolling-updates", "esperar_sanas"), "### BEGIN SOLUTION",
                        "### END SOLUTION").removeprefix("### BEGIN SOLUTION").strip()
    copy = _cell("05-2-rollback-blue-green-canary", "sonda")
    body = _between(copy, "def esperar_sanas", "\n\n\n").split('"""', 2)[2].strip()
    assert body == solution, "05-2's esperar_sanas differs from 05-1's solution: copy it again"
