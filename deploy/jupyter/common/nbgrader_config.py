"""nbgrader settings every user of the hub shares: the course id and the exchange."""

import os

c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "modulo7"
c.Exchange.root = os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")
