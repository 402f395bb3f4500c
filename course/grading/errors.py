"""The one exception the instructor pipeline raises; the CLI turns it into a message and exit 1."""


class GradingError(Exception):
    """Something in the course or in a grading run is not as it must be.

    Catch this base exception: every failure of ``course.grading`` derives from it.
    """
