"""Container lifecycle, names, exit codes, logs and errors: the same on both backends."""

from __future__ import annotations

import docker
import pytest


def state(container):
    container.reload()
    return container.status, container.attrs["State"]["ExitCode"]


def test_states_in_order(kit):
    """create → created, start → running, stop → exited 143 (the image's start script ends on
    SIGTERM), start, kill → exited 137, remove → gone: does docker-py report the same states in
    the same order?"""
    c = kit.client.containers.create(kit.image(1), name=kit.name("life"), labels=kit.labels)
    seen = [state(c)]
    c.start()
    seen.append(state(c))
    c.stop(timeout=1)
    seen.append(state(c))
    c.start()
    seen.append(state(c))
    c.restart(timeout=1)
    seen.append(state(c))
    c.kill()
    seen.append(state(c))
    assert seen == [("created", 0), ("running", 0), ("exited", 143), ("running", 0),
                    ("running", 0), ("exited", 137)], f"[{kit.backend}] {seen}"
    assert c.attrs["RestartCount"] == 0
    c.remove()
    with pytest.raises(docker.errors.NotFound):
        kit.client.containers.get(c.id)


def test_stop_waits_for_a_pid_1_that_ignores_sigterm(kit):
    """A busybox program as PID 1 has no SIGTERM handler: does ``stop(timeout=2)`` wait the
    2 s and kill it (137), while the lab image's own server stops at once (143)?"""
    deaf = kit.run(1, "sordo", command=["sleep", "600"], healthcheck={"test": ["NONE"]})
    web = kit.run(1, "atento")
    start = kit.now()
    deaf.stop(timeout=2)
    deaf_took = kit.now() - start
    start = kit.now()
    web.stop(timeout=2)
    web_took = kit.now() - start
    assert (state(deaf), state(web)) == (("exited", 137), ("exited", 143)), kit.backend
    assert deaf_took >= 2 > web_took + 1, f"[{kit.backend}] {deaf_took:.2f} s, {web_took:.2f} s"


def test_model_attributes(kit):
    """Do name, short_id, labels, image, ports and Config agree with what was asked?"""
    c = kit.run(2, "attrs", labels={"app": "web"}, environment={"COLOR": "azul"})
    c.reload()
    assert c.name == kit.name("attrs")
    assert c.short_id == c.id[:12] and len(c.id) == 64
    assert c.labels["app"] == "web" and c.labels["course.kit"] == "modulo7"
    assert c.image.tags == [kit.image(2)]
    assert c.attrs["Config"]["Image"] == kit.image(2)
    assert c.attrs["Config"]["Hostname"] == c.id[:12]
    assert "COLOR=azul" in c.attrs["Config"]["Env"]
    assert c.attrs["HostConfig"]["RestartPolicy"] == {"Name": "", "MaximumRetryCount": 0}
    assert c.ports == {"80/tcp": None}
    assert c.attrs["State"]["StartedAt"].endswith("Z")
    assert c.attrs["State"]["FinishedAt"] == "0001-01-01T00:00:00Z"


def test_exit_codes_and_wait(kit):
    """Does a command's exit code reach ``wait()`` and ``State.ExitCode``?"""
    c = kit.run(1, "exit3", command=["sh", "-c", "exit 3"])
    assert c.wait() == {"Error": None, "StatusCode": 3}
    assert state(c) == ("exited", 3)


def test_non_detached_run(kit):
    """Does ``run`` without detach return the output, and raise ContainerError on failure?"""
    out = kit.client.containers.run(kit.image(1), ["echo", "hola mundo"], remove=True,
                                    labels=kit.labels)
    assert out == b"hola mundo\n"
    with pytest.raises(docker.errors.ContainerError) as caught:
        kit.client.containers.run(kit.image(1), ["sh", "-c", "echo mal >&2; exit 2"],
                                  name=kit.name("fail"), labels=kit.labels)
    assert caught.value.exit_status == 2
    assert caught.value.stderr == b"mal\n"


def test_logs(kit):
    """Are stdout and stderr of the main process in ``logs()``, and separable?"""
    c = kit.run(1, "logs", command=["sh", "-c", "echo out; echo err >&2"])
    c.wait()
    assert c.logs(stdout=True, stderr=False) == b"out\n"
    assert c.logs(stdout=False, stderr=True) == b"err\n"
    assert sorted(c.logs().splitlines()) == [b"err", b"out"]


def test_name_conflict(kit):
    """Is a reused name the engine's 409 with its exact sentence?"""
    first = kit.run(1, "dup")
    with pytest.raises(docker.errors.APIError) as caught:
        kit.run(1, "dup")
    assert caught.value.response.status_code == 409
    assert caught.value.explanation == (
        f'Conflict. The container name "/{kit.name("dup")}" is already in use by container '
        f'"{first.id}". You have to remove (or rename) that container to be able to reuse '
        "that name.")


def test_invalid_name_and_rename(kit):
    """Is a one-letter name rejected (400), and does rename change the name?"""
    with pytest.raises(docker.errors.APIError) as caught:
        kit.client.containers.create(kit.image(1), name="x", labels=kit.labels)
    assert caught.value.response.status_code == 400
    assert caught.value.explanation == (
        "Invalid container name (x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
    c = kit.run(1, "old")
    c.rename(kit.name("new"))
    c.reload()
    assert c.name == kit.name("new")
    with pytest.raises(docker.errors.APIError) as same:
        c.rename(kit.name("new"))
    assert same.value.explanation == "Renaming a container with the same name as its current name"


def test_errors_on_missing_and_running(kit):
    """Do missing containers, removing a running one and killing a stopped one fail alike?"""
    missing = kit.name("nadie")
    with pytest.raises(docker.errors.NotFound) as caught:
        kit.client.containers.get(missing)
    assert caught.value.explanation == f"No such container: {missing}"
    c = kit.run(1, "busy")
    with pytest.raises(docker.errors.APIError) as running:
        c.remove()
    assert running.value.response.status_code == 409
    assert running.value.explanation == (
        f"You cannot remove a running container {c.id}. Stop the container before attempting "
        "removal or force remove")
    c.kill()
    with pytest.raises(docker.errors.APIError) as stopped:
        c.kill()
    assert stopped.value.response.status_code == 409
    assert stopped.value.explanation == (
        f"Cannot kill container: {c.id}: Container {c.id} is not running")
    with pytest.raises(docker.errors.APIError) as exec_stopped:
        c.exec_run("hostname")
    assert exec_stopped.value.explanation == f"Container {c.id} is not running"


def test_unknown_image_on_create(kit):
    """Is creating from an image the engine lacks ``ImageNotFound`` with its text?"""
    with pytest.raises(docker.errors.ImageNotFound) as caught:
        kit.client.api.create_container("course/nada:9", labels=kit.labels)
    assert caught.value.explanation == "No such image: course/nada:9"
    with pytest.raises(docker.errors.APIError):
        kit.client.containers.run("course/nada:9", detach=True, labels=kit.labels)


def test_missing_command_fails_start(kit):
    """Does a command that does not exist fail ``start`` with 400 and leave ``created``, 127?"""
    with pytest.raises(docker.errors.APIError) as caught:
        kit.run(1, "nocmd", command=["nosuchcmd"])
    assert caught.value.response.status_code == 400
    assert caught.value.explanation.endswith(
        'exec: "nosuchcmd": executable file not found in $PATH: unknown')
    c = kit.client.containers.get(kit.name("nocmd"))
    assert state(c) == ("created", 127)


def test_wait_with_timeout_on_a_running_container(kit):
    """Does ``wait(timeout=1)`` on a container that keeps running raise requests'
    ``ConnectionError`` saying the read timed out (what docker-py gives over the socket)?"""
    import requests

    c = kit.run(1, "waits")
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        c.wait(timeout=1)
    assert "Read timed out." in str(caught.value)
    assert state(c) == ("running", 0)


def test_prune_by_label(kit):
    """Does ``containers.prune`` remove only the stopped containers carrying the label?"""
    done = [kit.run(1, f"done{i}", command=["true"]) for i in (1, 2)]
    alive = kit.run(1, "alive")
    for c in done:
        c.wait()
    result = kit.client.containers.prune(filters={"label": f"course.test={kit.test_id}"})
    assert sorted(result["ContainersDeleted"]) == sorted(c.id for c in done)
    left = kit.client.containers.list(all=True, filters={"label": f"course.test={kit.test_id}"})
    assert [c.id for c in left] == [alive.id]
    empty = kit.client.containers.prune(filters={"label": f"course.test={kit.test_id}"})
    assert empty["ContainersDeleted"] is None
