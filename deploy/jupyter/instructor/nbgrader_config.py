"""The instructor's course root: a copy of this kit in ``~/modulo7`` (its own ``nbgrader_config.py``
is loaded from there by nbgrader)."""

import os

c = get_config()  # noqa: F821

c.CourseDirectory.root = os.path.expanduser("~/modulo7")
