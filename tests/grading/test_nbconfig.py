"""nbgrader configured for a course root: the gradebook's schema version without a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nbgrader.dbutil import _temp_alembic_ini

from course.grading.nbconfig import alembic_head


def test_the_alembic_head_read_in_process_is_what_the_alembic_command_prints():
    """Does the in-process answer equal ``alembic heads``, which nbgrader itself would run?"""
    alembic = Path(sys.executable).parent / "alembic"
    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
        printed = subprocess.check_output([str(alembic), "-c", ini, "heads"], text=True)
    assert alembic_head() == printed.split("\n")[0].split(" ")[0]
