"""The `course` command line: a thin layer whose errors are messages, not tracebacks."""

from __future__ import annotations

from click.testing import CliRunner

from course.cli import main


def test_help_lists_every_command():
    """Does `course --help` list the instructor's commands?"""
    result = CliRunner().invoke(main, ["--help"])
    for command in (
        "doctor",
        "sync",
        "release",
        "validate",
        "grade",
        "feedback",
        "export",
        "images",
    ):
        assert command in result.output


def test_an_unknown_assignment_is_a_one_line_error(released_course):
    """Does naming an assignment the course lacks exit 1 with the known ones listed?"""
    result = CliRunner().invoke(main, ["--root", str(released_course.root), "release", "nope"])
    assert result.exit_code == 1
    assert "unknown assignment 'nope'" in result.output and "known: a1" in result.output


def test_doctor_reports_each_check_with_its_fix(released_course):
    """Does `course doctor` list packages, extensions and the course, and pass here?"""
    result = CliRunner().invoke(main, ["--root", str(released_course.root), "doctor"])
    assert result.exit_code == 0, result.output
    assert "ok nbgrader: 0.9.6" in result.output
    assert "JupyterLab extension @jupyter/nbgrader" in result.output
    assert f"course root: {released_course.root}" in result.output


def test_images_calls_the_lab_image_builder(monkeypatch):
    """Does `course images --if-engine` hand the flag to course.images.build_lab_images?"""
    import course.images

    calls = []
    monkeypatch.setattr(
        course.images,
        "build_lab_images",
        lambda if_engine: calls.append(if_engine) or ["course/web:1"],
    )
    result = CliRunner().invoke(main, ["images", "--if-engine"])
    assert result.exit_code == 0 and calls == [True]
    assert "built course/web:1" in result.output
