"""The grading proxy on a real engine: what a lab needs passes, what a hostile kernel tries fails.

Each test talks docker-py to an :class:`EngineProxy` (as a confined kernel does) and judges from
the engine itself, through the host's own client: what exists, what still runs, what is gone.
"""

from __future__ import annotations

import io
import socket
import tarfile
import uuid

import docker
import pytest

from course import images
from course.grading.engine_policy import GRADING_LABEL
from course.grading.engine_proxy import EngineProxy
from course.grading.grade import engine_socket

pytestmark = [pytest.mark.docker, pytest.mark.slow]
KIT = {"course.kit": "modulo7"}


@pytest.fixture
def proxy(tmp_path):
    made = EngineProxy(engine_socket(), tmp_path / "engine.sock")
    yield made
    made.close()


@pytest.fixture
def student(proxy):
    """docker-py as student code sees it: the proxy's socket is its DOCKER_HOST."""
    client = docker.DockerClient(base_url=f"unix://{proxy.socket_path}", timeout=30)
    yield client
    client.close()


@pytest.fixture
def web(docker_client):
    return images.ensure_image(docker_client, "web", 1)


def _name(base: str) -> str:
    return f"m7-proxy-{base}-{uuid.uuid4().hex[:6]}"


def test_a_lab_works_through_the_proxy(student, docker_client, web):
    """Run, exec, copy in and out, logs, a network and a named volume: does all a lesson does
    work, with the kernel's label on each object seen from the engine?"""
    net = student.networks.create(_name("net"), labels=KIT)
    vol = student.volumes.create(_name("vol"), labels=KIT)
    box = student.containers.run(web, detach=True, name=_name("web"), labels=KIT,
                                 network=net.name, volumes={vol.name: {"bind": "/data"}})
    code, out = box.exec_run(["cat", "/www/index.html"])
    assert code == 0 and out.startswith(b"web v1"), out
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        info = tarfile.TarInfo("hola.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"hola"))
    assert box.put_archive("/data", data.getvalue())
    stream, _ = box.get_archive("/data/hola.txt")
    assert b"hola" in b"".join(stream)
    assert [c.id for c in student.containers.list()] == [box.id]
    for obj in (docker_client.containers.get(box.id), docker_client.networks.get(net.id),
                docker_client.volumes.get(vol.name)):
        assert GRADING_LABEL in (obj.attrs.get("Labels") or obj.attrs["Config"]["Labels"])
    box.remove(force=True)
    net.remove()
    vol.remove()


def _refused(call) -> str:
    with pytest.raises(docker.errors.APIError) as caught:
        call()
    assert caught.value.status_code == 403, caught.value
    assert "El corrector no deja" in caught.value.explanation
    return caught.value.explanation


@pytest.mark.parametrize("options", [
    {"volumes": {"/": {"bind": "/host"}}},
    {"mounts": [docker.types.Mount("/host", "/", type="bind")]},
    {"privileged": True},
    {"network_mode": "host"},
    {"pid_mode": "host"},
    {"ipc_mode": "host"},
    {"cap_add": ["SYS_ADMIN"]},
    {"devices": ["/dev/null:/dev/x"]},
    {"security_opt": ["apparmor=unconfined"]},
    {"ports": {"80/tcp": 18080}},
    {"sysctls": {"net.ipv4.ip_forward": "1"}},
    {"log_config": docker.types.LogConfig(type="syslog")},
], ids=lambda o: next(iter(o)))
def test_what_reaches_the_host_is_refused(student, docker_client, web, options):
    """A container asking for part of the host: refused, and nothing made on the engine?"""
    name = _name("bad")
    _refused(lambda: student.containers.create(web, name=name, labels=KIT, **options))
    assert not docker_client.containers.list(all=True, filters={"name": name})


def test_a_volume_with_driver_options_is_refused(student, docker_client):
    """The local driver's `o=bind` would mount any host folder: refused, no volume made?"""
    name = _name("vol")
    _refused(lambda: student.volumes.create(
        name, driver_opts={"type": "none", "o": "bind", "device": "/"}))
    assert not docker_client.volumes.list(filters={"name": name})


@pytest.mark.parametrize("call", [
    lambda c: c.images.build(fileobj=io.BytesIO(b"FROM scratch\n"), tag="m7-proxy-x"),
    lambda c: c.images.pull("busybox", tag="latest"),
    lambda c: c.images.remove("course/web:1"),
    lambda c: c.swarm.init(advertise_addr="127.0.0.1"),
    lambda c: c.api.get_unlock_key(),
    lambda c: c.containers.prune(),
    lambda c: c.api._result(c.api._get(c.api._url("/plugins"))),
], ids=["build", "pull", "remove-image", "swarm-init", "unlock-key", "prune", "plugins"])
def test_engine_wide_calls_are_refused(student, call):
    """Builds, pulls, image removal, Swarm mode without the turn, prunes, plugins: refused?"""
    _refused(lambda: call(student))


def test_other_objects_do_not_exist_for_the_kernel(student, docker_client, web):
    """A container made beside the kernel (another submission's): not listed, not found, not
    stopped, not entered through the proxy, and still running afterwards?"""
    other = docker_client.containers.run(web, detach=True, name=_name("other"), labels=KIT)
    try:
        assert other.id not in [c.id for c in student.containers.list(all=True)]
        for call in (lambda: student.containers.get(other.name),
                     lambda: student.api.kill(other.id),
                     lambda: student.api.exec_create(other.id, ["true"]),
                     lambda: student.api.remove_container(other.name, force=True),
                     lambda: student.containers.run(web, detach=True, name=_name("ns"),
                                                    network_mode=f"container:{other.id}")):
            with pytest.raises(docker.errors.NotFound):
                call()
        other.reload()
        assert other.status == "running"
    finally:
        other.remove(force=True)


def _raw(path, payload: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(30)
        conn.connect(str(path))
        conn.sendall(payload)
        got = b""
        while chunk := conn.recv(65536):
            got += chunk
    return got


def test_a_second_request_on_one_connection_never_reaches_the_engine(proxy, docker_client, web):
    """A ping followed, on the same connection, by a privileged create: is the create dropped
    (no container of that name on the engine) while the ping is answered?"""
    name = _name("smuggled")
    body = (b'{"Image": "%s", "HostConfig": {"Privileged": true}}' % web.encode())
    second = (f"POST /containers/create?name={name} HTTP/1.1\r\nHost: x\r\n"
              f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    got = _raw(proxy.socket_path, b"GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n" + second + body)
    assert got.startswith(b"HTTP/1.1 200") and got.count(b"HTTP/1.1") == 1, got[:300]
    assert not docker_client.containers.list(all=True, filters={"name": name})


def test_ambiguous_framing_is_refused(proxy):
    """A length and chunks at once, or two lengths: 400, never forwarded?"""
    both = (b"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    two = b"POST /containers/create HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
    for payload in (both, two):
        assert _raw(proxy.socket_path, payload).startswith(b"HTTP/1.1 400"), payload


def test_a_chunked_body_is_judged_whole(proxy, docker_client, web):
    """The same privileged create sent in chunks: still refused (the rules read the whole body)?"""
    name = _name("chunked")
    body = b'{"Image": "%s", "HostConfig": {"Privileged": true}}' % web.encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7])
                      for i in range(0, len(body), 7)) + b"0\r\n\r\n"
    head = (f"POST /v1.41/containers/create?name={name} HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    assert _raw(proxy.socket_path, head + chunks).startswith(b"HTTP/1.1 403")
    assert not docker_client.containers.list(all=True, filters={"name": name})


def test_what_the_kernel_leaves_is_removed_when_it_ends(tmp_path, docker_client, web):
    """A container, a network and a volume left behind: gone from the engine after close()?"""
    proxy = EngineProxy(engine_socket(), tmp_path / "engine.sock")
    student = docker.DockerClient(base_url=f"unix://{proxy.socket_path}", timeout=30)
    box = student.containers.run(web, detach=True, name=_name("left"), labels=KIT)
    net = student.networks.create(_name("left"), labels=KIT)
    vol = student.volumes.create(_name("left"), labels=KIT)
    student.close()
    removed = proxy.close()
    assert removed == {"containers": 1, "networks": 1, "volumes": 1}, removed
    engine = docker_client
    for getter, ref in ((engine.containers.get, box.id), (engine.networks.get, net.id),
                        (engine.volumes.get, vol.name)):
        with pytest.raises(docker.errors.NotFound):
            getter(ref)


def test_what_a_killed_grader_left_is_removed_by_the_next(tmp_path, docker_client, web):
    """A grading process killed with SIGKILL (no close(), no sweep) after its kernel made a
    container: does the next grader's sweep_orphans remove it, and leave a live grader's alone?"""
    import subprocess
    import sys

    from course.grading.engine_proxy import sweep_orphans

    script = (
        "import docker, sys, time\n"
        "from course.grading.engine_proxy import EngineProxy\n"
        f"p = EngineProxy({engine_socket()!r}, {str(tmp_path / 'killed.sock')!r})\n"
        "c = docker.DockerClient(base_url=f'unix://{p.socket_path}')\n"
        f"box = c.containers.run({web!r}, detach=True, labels={KIT!r})\n"
        "print(box.id, flush=True)\n"
        "time.sleep(600)\n"
    )
    grader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    alive = EngineProxy(engine_socket(), tmp_path / "alive.sock")
    try:
        left = grader.stdout.readline().strip()
        kept = docker.DockerClient(base_url=f"unix://{alive.socket_path}").containers.run(
            web, detach=True, labels=KIT)
        grader.kill()
        grader.wait()
        assert docker_client.containers.get(left).status == "running"
        removed = sweep_orphans(docker_client.api)
        assert removed.get("containers") == 1, removed
        with pytest.raises(docker.errors.NotFound):
            docker_client.containers.get(left)
        assert docker_client.containers.get(kept.id).status == "running"
    finally:
        grader.kill()
        alive.close()


def test_each_container_gets_ceilings_and_loopback_ports(student, docker_client, web):
    """A container asked for with no limits, and one port on loopback with no number: does the
    engine hold it with the pid and memory ceilings and the port on 127.0.0.1 only? And may its
    limits not be lifted, nor devices added, with `update`?"""
    box = student.containers.run(web, detach=True, name=_name("caps"), labels=KIT,
                                 ports={"80/tcp": ("127.0.0.1", None)})
    try:
        host = docker_client.api.inspect_container(box.id)["HostConfig"]
        assert host["PidsLimit"] == 256 and host["Memory"] == 1 << 30, host
        assert [b["HostIp"] for b in host["PortBindings"]["80/tcp"]] == ["127.0.0.1"]
        student.api.update_container(box.id, mem_limit=4 << 30, memswap_limit=-1)
        assert docker_client.api.inspect_container(box.id)["HostConfig"]["Memory"] == 1 << 30
        _refused(lambda: student.api._result(student.api._post_json(
            student.api._url("/containers/{0}/update", box.id),
            data={"Devices": [{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda",
                               "CgroupPermissions": "rwm"}]}), True))
    finally:
        box.remove(force=True)


def test_the_engines_networks_show_no_ones_containers(student, docker_client, web):
    """`bridge` holds everyone's containers: does the kernel read it without any of them?"""
    other = docker_client.containers.run(web, detach=True, name=_name("on-bridge"), labels=KIT)
    try:
        assert other.id in docker_client.networks.get("bridge").attrs["Containers"]
        assert student.networks.get("bridge").attrs["Containers"] == {}
    finally:
        other.remove(force=True)


def test_swarm_init_with_the_turn_keeps_addresses_and_labels_only():
    """With the Swarm turn, is what init asks for cut down to its addresses and the kit's
    labels (no autolock, no external CA)?"""
    import json

    from course.grading import engine_policy as policy

    scope = policy.Scope(api=None, token="t", swarm_turn=True)
    asked = {"ListenAddr": "0.0.0.0:2377", "AdvertiseAddr": "10.0.0.5",
             "Spec": {"Labels": {"course.kit": "modulo7"},
                      "EncryptionConfig": {"AutoLockManagers": True},
                      "CAConfig": {"ExternalCAs": [{"URL": "https://evil"}]}}}
    request = policy.Request("POST", "/swarm/init", [], json.dumps(asked).encode())
    sent = json.loads(policy.decide(scope, request).request.body)
    assert sent == {"ListenAddr": "0.0.0.0:2377", "AdvertiseAddr": "10.0.0.5",
                    "ForceNewCluster": False, "Spec": {"Labels": {"course.kit": "modulo7"}}}
    scope.swarm_turn = False
    with pytest.raises(policy.Refused):
        policy.decide(scope, policy.Request("POST", "/swarm/init", [], b"{}"))


def _hostile_course(released_course, tmp_path, web, neighbour):
    """A copy of the mini course where "ana" hands in 03-contenedores right and "hostil" hands in
    an `arrancar` that attacks the host and a neighbour's container through the engine."""
    import shutil

    from course import grading
    from course.grading.fixtures import solution_submission

    from .conftest import ASSIGNMENT, hand_in

    root = tmp_path / "course"
    shutil.copytree(released_course.root, root)
    course = grading.Course(root)
    marker = tmp_path / "ESCAPED"
    attack = f'''
def arrancar(n):
    import docker
    c = lab.client
    for options in ({{"privileged": True, "volumes": {{"/": {{"bind": "/host"}}}}}},
                    {{"volumes": {{{str(tmp_path)!r}: {{"bind": "/out"}}}}}}):
        try:
            c.containers.run({web!r}, ["sh", "-c", "touch /host{marker}; touch /out/ESCAPED; true"],
                             remove=True, **options)
        except docker.errors.DockerException as error:
            print("refused:", str(error)[:80])
    for ref in ({neighbour.name!r}, {neighbour.id!r}):
        try:
            c.api.kill(ref)
        except docker.errors.APIError as error:
            print("neighbour:", error.status_code)
    c.containers.run({web!r}, detach=True, restart_policy={{"Name": "always"}},
                     labels={{**{KIT!r}, "m7-test": "hostil"}})
    return []
'''
    release = course.step_dir("release", ASSIGNMENT) / "03-contenedores.ipynb"
    source = course.step_dir("source", ASSIGNMENT) / "03-contenedores.ipynb"
    hostile = solution_submission(source, release)
    cell = next(c for c in hostile.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "arrancar")
    cell.source = attack
    hand_in(course, "ana", "03-contenedores", solution_submission(source, release))
    hand_in(course, "hostil", "03-contenedores", hostile)
    return course, marker


def test_course_grade_on_the_engine_confines_a_hostile_submission(
    released_course, tmp_path, docker_client, web
):
    """`course grade --backend docker` at its defaults, a hostile submission beside a correct
    one: does the hostile code fail to write into the host through a privileged container or a
    host bind, fail to stop a neighbour's container, leave nothing on the engine, while the
    correct submission gets full marks? Judged from the host, the engine and the gradebook."""
    from course import grading
    from course.grading.engine_policy import GRADER_LABEL
    from course.grading.engine_proxy import _alive
    from course.grading.gradebook import scores
    from course.grading.nbconfig import db_url_of

    from .conftest import ASSIGNMENT

    neighbour = docker_client.containers.run(web, detach=True, name=_name("neighbour"),
                                             labels=KIT)
    course, marker = _hostile_course(released_course, tmp_path, web, neighbour)
    try:
        report = grading.grade(course, ASSIGNMENT, jobs=2, backend="docker")
        neighbour.reload()
        assert neighbour.status == "running"
    finally:
        neighbour.remove(force=True)
    assert report.ok, [(r.student, r.error) for r in report.results if not r.ok]
    assert not marker.exists()
    # the graders' workers have ended: nothing of theirs may remain (a live grader's may)
    left = [c.name for c in docker_client.containers.list(all=True, filters={"label": GRADER_LABEL})
            if not _alive(int(c.labels[GRADER_LABEL]))]
    assert left == [], left
    url = db_url_of(course.root)
    assert scores(url, ASSIGNMENT, "ana")["03-contenedores"]["test_arrancar"] == (2, 2)
    assert scores(url, ASSIGNMENT, "hostil")["03-contenedores"]["test_arrancar"][0] == 0


def test_the_engine_attack_works_unconfined(released_course, tmp_path, docker_client, web):
    """Control: graded unconfined (the kernel gets the engine's own socket), the same submission
    writes into the host and kills the neighbour: the attacks are real, so the test above can
    fail."""
    from course import grading

    from .conftest import ASSIGNMENT

    neighbour = docker_client.containers.run(web, detach=True, name=_name("neighbour"),
                                             labels=KIT)
    course, marker = _hostile_course(released_course, tmp_path, web, neighbour)
    try:
        grading.grade(course, ASSIGNMENT, students=["hostil"], backend="docker", confine=False)
        neighbour.reload()
        assert marker.exists() and neighbour.status == "exited"
    finally:
        neighbour.remove(force=True)
        for box in docker_client.containers.list(all=True, filters={"label": "m7-test=hostil"}):
            box.remove(force=True)


def test_ownership_is_remembered_only_for_full_ids():
    """A yes for an object asked for by its full ID is kept (an ID names one object for ever);
    a name is asked again each time (a removed container's name can go to a new one), a no is
    never kept, and a volume (its name is its ID) is always asked again."""
    import docker

    from course.grading import engine_policy as policy

    mine_id, theirs_id = "a" * 64, "b" * 64
    objects = {mine_id: "t", "web": "t", theirs_id: "other", "datos": "t"}

    class Engine:
        asked: list[str] = []

        def _look(self, ref):
            self.asked.append(ref)
            if ref not in objects:
                raise docker.errors.NotFound("no")
            return objects[ref]

        def inspect_container(self, ref):
            token = self._look(ref)
            full = mine_id if ref == "web" else ref
            return {"Id": full, "Config": {"Labels": {policy.GRADING_LABEL: token}}}

        def inspect_volume(self, ref):
            return {"Name": ref, "Labels": {policy.GRADING_LABEL: self._look(ref)}}

    engine = Engine()
    scope = policy.Scope(api=engine, token="t")
    assert [scope.own("container", mine_id) for _ in range(3)] == [mine_id] * 3
    assert [scope.own("container", "web") for _ in range(2)] == [mine_id] * 2
    for _ in range(2):
        with pytest.raises(policy.Refused):
            scope.own("container", theirs_id)
    assert [scope.own("volume", "datos") for _ in range(2)] == ["datos"] * 2
    assert engine.asked == [mine_id, "web", "web", theirs_id, theirs_id, "datos", "datos"]
