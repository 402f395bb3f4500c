"""The `course` command line: a thin layer whose errors are messages, not tracebacks."""

from __future__ import annotations

import pytest
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
    assert "ok grading sandbox (bwrap): " in result.output


class _FakeEngine:
    """What `course doctor` asks a Docker engine, answered without one."""

    def __init__(self, swarm: dict):
        self.swarm = swarm
        self.images = self

    def ping(self):
        return True

    def version(self):
        return {"Version": "26.1.5"}

    def info(self):
        return {"Swarm": self.swarm}

    def get(self, tag):  # images.get: every lab image is there
        return tag

    def close(self):
        pass


@pytest.mark.parametrize(
    ("swarm", "line", "fix"),
    [
        (
            {"LocalNodeState": "inactive", "NodeID": ""},
            "ok Swarm: inactive: lessons a1 03 put the engine in Swarm mode themselves "
            "(Lab.ensure_swarm) and leave it when done",
            None,
        ),
        ({"LocalNodeState": "active", "NodeID": "n1"}, "ok Swarm: active: lessons a1 03", None),
        ({"LocalNodeState": "locked"}, "-- Swarm: locked (autolock)", "docker swarm unlock"),
    ],
)
def test_doctor_says_the_lessons_enter_swarm_themselves(course_copy, monkeypatch, swarm, line, fix):
    """Is an inactive Swarm fine (the lessons that need it init it and leave it), with no
    `docker swarm init` suggested, and only a locked swarm worth a fix?"""
    import docker

    lesson = course_copy.lesson_dir("a1") / "03-contenedores.py"
    lesson.write_text(lesson.read_text() + "\nlab.ensure_swarm()\n")
    monkeypatch.setattr(docker, "from_env", lambda **kw: _FakeEngine(swarm))
    result = CliRunner().invoke(main, ["--root", str(course_copy.root), "doctor"])
    assert result.exit_code == 0, result.output
    assert line in result.output
    assert "swarm init" not in result.output
    fixes = [x for x in result.output.splitlines() if x.strip().startswith("fix:") and "swarm" in x]
    assert fixes == (
        [] if fix is None else [f"    fix: {fix} (a locked swarm stops lessons a1 03)"]
    )


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
