"""nbgrader configuration of the Módulo 7 course directory (this folder is the course root)."""

c = get_config()  # noqa: F821  (nbgrader injects get_config)

c.CourseDirectory.course_id = "modulo7"
c.CourseDirectory.root = __import__("os").path.dirname(__file__) or "."

# Lessons talk to a simulated cluster during grading; a cell that waits on time should still end.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# The stub a student sees in a solution cell, in the course's language.
c.ClearSolutions.code_stub = {
    "python": "# TU CÓDIGO AQUÍ\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "TU RESPUESTA AQUÍ"

# Student code may print warnings from docker-py or urllib3; they must not zero a test cell.
c.IgnorePattern.pattern = r".*(Warning|warn).*"
