"""Rootless Docker (issue 13): the kit on an engine that runs in a user namespace, with Debian's
packages (docker.io's ``dockerd-rootless.sh``, rootlesskit, slirp4netns, uidmap).

A rootless engine's networks live in rootlesskit's own network namespace: this machine has no
route to its containers, exactly the case the kit's through-the-engine path is for. The fixture
starts one for an unprivileged user it makes (``course-rootless``), with its own data root and
socket, and stops it (its own process, by id) at the end. The client side is this process: what
matters is where the engine's networks are, not who calls the socket.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

SETUP = Path("/usr/share/docker.io/contrib/dockerd-rootless.sh")
USER = "course-rootless"

pytestmark = [
    pytest.mark.docker,
    pytest.mark.slow,
    pytest.mark.skipif(
        os.geteuid() != 0 or not SETUP.exists() or not shutil.which("rootlesskit")
        or not shutil.which("slirp4netns") or not shutil.which("newuidmap"),
        reason="needs root (to make the user) and Debian's docker.io, rootlesskit, slirp4netns, "
               "uidmap"),
]


def _user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", USER], check=True)
        return pwd.getpwnam(USER)


@pytest.fixture(scope="module")
def rootless_engine():
    user = _user()
    for table in ("/etc/subuid", "/etc/subgid"):  # useradd adds ranges; older shadow does not
        if f"{USER}:" not in Path(table).read_text():
            with open(table, "a") as ids:
                ids.write(f"{USER}:400000:65536\n")
    run = Path(tempfile.mkdtemp(prefix="course-rootless-"))  # pytest's tmp is root's only
    os.chown(run, user.pw_uid, user.pw_gid)
    run.chmod(0o700)
    log = open(run / "dockerd.log", "w")
    env = {"HOME": user.pw_dir, "XDG_RUNTIME_DIR": str(run), "USER": USER,
           "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    daemon = subprocess.Popen(
        [str(SETUP), "--data-root", f"{user.pw_dir}/docker-data"], env=env, stdout=log,
        stderr=subprocess.STDOUT, user=user.pw_uid, group=user.pw_gid, cwd=user.pw_dir,
        start_new_session=True)
    socket = run / "docker.sock"
    try:
        deadline = time.monotonic() + 60
        while not socket.exists() and time.monotonic() < deadline and daemon.poll() is None:
            time.sleep(0.5)
        if not socket.exists():
            said = (run / "dockerd.log").read_text()[-2000:]
            pytest.fail(f"the rootless engine did not start: {said}")
        yield f"unix://{socket}"
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait(timeout=10)
        log.close()
        shutil.rmtree(run, ignore_errors=True)


def test_the_kit_works_on_a_rootless_engine(rootless_engine, monkeypatch):
    """Images built offline, a request through the engine, lesson 04's nginx next to the
    replicas, and a cleanup that leaves nothing, on an engine whose containers this machine
    cannot reach."""
    import urllib.request

    from course import Lab, nginx

    monkeypatch.setenv("DOCKER_HOST", rootless_engine)
    lab = Lab(backend="docker", quiet=True)
    try:
        assert "rootless" in " ".join(lab.client.info().get("SecurityOptions", []))
        net = lab.client.networks.create(lab.name("n"), labels=lab.labels())
        web = lab.client.containers.run(lab.image("web", 2), detach=True, name=lab.name("w"),
                                        labels=lab.labels(), network=net.name)
        deadline = time.monotonic() + 30
        while not lab.http_get(web).ok and time.monotonic() < deadline:
            time.sleep(0.3)
        reply = lab.http_get(web)
        assert (reply.ok, reply.version) == (True, 2), reply
        web.reload()
        address = web.attrs["NetworkSettings"]["Networks"][net.name]["IPAddress"]
        with pytest.raises(OSError):  # the reason for the path: no route from here
            urllib.request.urlopen(f"http://{address}/", timeout=2)
        http = (f"upstream backend {{ server {address}:80; }}\n"
                "server { listen 127.0.0.1:8080; location / { proxy_pass http://backend; } }")
        with nginx.next_to(lab, http, 8080, net.name) as server:
            assert server.count(3) == {f"web v2 {web.id[:12]}": 3}
    finally:
        lab.cleanup()
    assert lab.client.containers.list(all=True) == [], "the lab and its helpers are gone"
    assert lab.client.networks.list(filters=lab.filters()) == []
