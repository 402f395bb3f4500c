"""The busybox shell subset: parsing, lists, quoting, expansion, redirection, failures."""

from __future__ import annotations

import docker
import pytest

from course.sim.shell_syntax import ShellSyntaxError, parse


@pytest.fixture
def box(client):
    return client.containers.run("busybox", ["sleep", "3600"], detach=True, name="box")


def sh(box, script: str):
    result = box.exec_run(["sh", "-c", script])
    return result.exit_code, result.output.decode()


def test_parse_splits_lists_and_keeps_operators():
    """Does the parser keep each command with the operator that joins it to the previous one?"""
    ops = [op for op, _ in parse("a; b && c || d\ne")]
    assert ops == [";", ";", "&&", "||", ";"]


def test_parse_rejects_dangling_operator():
    """Is ``echo a &&`` a syntax error, as in busybox sh?"""
    with pytest.raises(ShellSyntaxError):
        parse("echo a &&")


@pytest.mark.parametrize("script, expected", [
    ("false && echo no || echo yes", (0, "yes\n")),
    ("true || echo skipped; echo $?", (0, "0\n")),
    ("false; echo $?", (0, "1\n")),
    ("exit 3", (3, "")),
    ("echo 'a  b' \"c  d\" e\\ f", (0, "a  b c  d e f\n")),
    ("X=5; echo $X ${X} '$X'", (0, "5 5 $X\n")),
    ("echo \"web $(hostname)\" | true", None),  # pipes: refused (501)
])
def test_lists_quoting_and_expansion(box, script, expected):
    """Do lists, quotes and variables give busybox's output and exit status?"""
    if expected is None:
        with pytest.raises(docker.errors.APIError) as caught:
            box.exec_run(["sh", "-c", script])
        assert caught.value.response.status_code == 501
        assert "tuberías" in caught.value.explanation
        return
    assert sh(box, script) == expected


def test_command_substitution_and_hostname(box):
    """Does ``$(hostname)`` expand to the container's hostname (its short id)?"""
    assert sh(box, 'echo "soy $(hostname)"') == (0, f"soy {box.id[:12]}\n")


def test_redirections_write_and_append_files(box):
    """Do ``>`` and ``>>`` create, truncate and append, and ``2>&1`` merge streams?"""
    code, out = sh(box, "echo uno > /tmp/f; echo dos >> /tmp/f; cat /tmp/f")
    assert (code, out) == (0, "uno\ndos\n")
    code, out = sh(box, "echo tres > /tmp/f; cat /tmp/f")
    assert out == "tres\n"
    code, out = sh(box, "cat /nope > /tmp/err 2>&1; cat /tmp/err")
    assert out == "cat: can't open '/nope': No such file or directory\n"


def test_redirect_into_missing_directory_fails_like_ash(box):
    """Is writing under a missing directory ``sh: can't create ...: nonexistent directory``?"""
    assert sh(box, "echo x > /nodir/f") == (1, "sh: can't create /nodir/f: nonexistent directory\n")


def test_missing_program_inside_sh_is_127(box):
    """Does ``sh -c nosuchcmd`` print ``sh: nosuchcmd: not found`` with status 127?"""
    assert sh(box, "nosuchcmd") == (127, "sh: nosuchcmd: not found\n")


def test_missing_program_without_sh_is_the_runtime_error(box):
    """Does ``exec_run('nosuchcmd')`` fail with 126 and the OCI runtime's message?"""
    result = box.exec_run("nosuchcmd")
    assert result.exit_code == 126
    assert result.output == (
        b'OCI runtime exec failed: exec failed: unable to start container process: exec: '
        b'"nosuchcmd": executable file not found in $PATH: unknown\r\n')


def test_unmodelled_applet_says_so(box):
    """Does a busybox applet the simulator does not model answer 501, not a fake result?"""
    with pytest.raises(docker.errors.APIError) as caught:
        box.exec_run("top")
    assert caught.value.response.status_code == 501
    assert "top" in caught.value.explanation


def test_sleep_takes_virtual_time(engine, box):
    """Does ``exec_run('sleep 2')`` move the virtual clock by two seconds (and not the wall)?"""
    before = engine.clock.now
    assert box.exec_run("sleep 2").exit_code == 0
    assert 2.0 <= engine.clock.now - before < 2.1


def test_env_order_matches_the_engine(client):
    """Does ``env`` list PATH, HOSTNAME, the image's and user's variables, then HOME?"""
    c = client.containers.run("busybox", ["sleep", "60"], detach=True, environment={"A": "1"})
    lines = c.exec_run("env", environment={"B": "2"}).output.decode().splitlines()
    assert [line.split("=")[0] for line in lines] == ["PATH", "HOSTNAME", "A", "B", "HOME"]


def test_ls_and_cat(box):
    """Do ``ls`` (one name per line, sorted) and ``cat`` behave as busybox's?"""
    sh(box, "mkdir -p /tmp/d; echo a > /tmp/d/b; echo c > /tmp/d/a")
    assert box.exec_run("ls /tmp/d").output == b"a\nb\n"
    assert box.exec_run("cat /tmp/d/a /tmp/d/b").output == b"c\na\n"
    missing = box.exec_run("ls /nope")
    assert (missing.exit_code, missing.output) == (1, b"ls: /nope: No such file or directory\n")
