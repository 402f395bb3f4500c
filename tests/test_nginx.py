"""course.nginx: a real nginx checks configs and balances real containers (no mocks)."""

from __future__ import annotations

import time

import pytest

from course import nginx

needs_nginx = pytest.mark.skipif(nginx.find_nginx() is None, reason="nginx is not installed")

GOOD = """
upstream backend {
    server 10.0.0.1:80 max_fails=2 fail_timeout=5s;
    server 10.0.0.2:80 max_fails=2 fail_timeout=5s;
}
server {
    listen 127.0.0.1:%d;
    location / { proxy_pass http://backend; }
}
"""


def test_main_config_keeps_every_path_in_the_prefix(tmp_path):
    text = nginx.main_config("server { listen 127.0.0.1:1; }", tmp_path)
    assert f"pid {tmp_path}/nginx.pid;" in text
    assert "daemon off;" in text and "worker_processes 1;" in text
    assert "server { listen 127.0.0.1:1; }" in text


def test_check_config_without_nginx_says_why_and_does_not_pretend():
    check = nginx.check_config(GOOD.replace("%d", "8080"), nginx="/nonexistent/nginx")
    assert not check.ok and check.skipped
    assert "no se ejecutó" in str(check)


def _on_the_host(text):
    return nginx.check_config(text, nginx=nginx.find_nginx())


def _on_the_engine(text):
    from course.lab import engine_client
    from course.nginx_container import check_config

    client = engine_client()
    if client is None:
        pytest.skip("no Docker engine answers")
    return check_config(client, text)


# nginx -t where the student's engine is (the kit's nginx container) and on the host (fallback)
WHERE = [pytest.param(_on_the_host, id="host", marks=needs_nginx),
         pytest.param(_on_the_engine, id="engine", marks=pytest.mark.docker)]


@pytest.mark.parametrize("check_on", WHERE)
def test_nginx_t_accepts_a_good_config(check_on):
    check = check_on(GOOD.replace("%d", str(nginx.free_port())))
    assert check.ok, check.output
    assert "test is successful" in check.output


@pytest.mark.parametrize("check_on", WHERE)
@pytest.mark.parametrize("bad, message", [
    ("upstream backend { server 10.0.0.1:80 }", 'unexpected "}"'),
    ("upstream backend { server 10.0.0.1:80 max_fails=x; }", "invalid parameter"),
    # without an upstream block, "backend" is a host name, and this machine cannot resolve it
    ("server { location / { proxy_pass http://backend; } }", "host not found"),
])
def test_nginx_t_rejects_a_bad_config(check_on, bad, message):
    check = check_on(bad)
    assert not check.ok and message in check.output, check.output
    assert "<prefijo>" in check.output  # the temporary prefix is not shown to the student


@pytest.mark.parametrize("check_on", WHERE)
def test_errors_point_at_the_students_own_line(check_on):
    check = check_on("upstream backend {\n    server backend1:3000;\n}\n")
    assert not check.ok
    assert "tu configuración, línea 2" in check.output, check.output


@pytest.mark.docker
def test_on_the_engine_nginx_t_needs_no_nginx_on_the_host(monkeypatch):
    """Docker Desktop's case: the lesson's call (no ``lab``) on a real engine runs ``nginx -t``
    through the engine; this machine's nginx is hidden from ``check_config`` and not missed.
    Its throwaway container is gone afterwards."""
    from course.lab import engine_client

    client = engine_client()
    if client is None:
        pytest.skip("no Docker engine answers")
    monkeypatch.setenv("COURSE_BACKEND", "docker")
    monkeypatch.setattr(nginx, "find_nginx", lambda: None)
    mine = {"label": "course.helper=nginx-t"}
    before = {c.id for c in client.containers.list(all=True, filters=mine)}
    assert nginx.check_config(GOOD.replace("%d", "8080")).ok
    rejected = nginx.check_config("upstream backend { server 10.0.0.1:80 }")
    assert not rejected.ok and 'unexpected "}"' in rejected.output, rejected.output
    assert {c.id for c in client.containers.list(all=True, filters=mine)} <= before


def test_without_engine_or_nginx_the_student_is_told_what_to_do(monkeypatch):
    monkeypatch.setenv("COURSE_BACKEND", "sim")  # what auto picks where no engine answers
    monkeypatch.setattr(nginx, "find_nginx", lambda: None)
    check = nginx.check_config(GOOD.replace("%d", "8080"))
    assert not check.ok and check.skipped
    assert "no contesta ningún motor Docker" in str(check)
    assert "apt-get install nginx-light" in str(check) and "Docker Desktop" in str(check)


def test_cannot_run_reason_on_the_simulator():
    class SimLab:
        engine = object()

    reason = nginx.cannot_run_reason(SimLab())
    assert reason is not None


@needs_nginx
@pytest.mark.docker
def test_real_nginx_balances_two_real_containers(docker_client):
    from course.images import ensure_image
    from course.lab import KIT_LABEL, KIT_VALUE, LAB_LABEL

    image = ensure_image(docker_client, "web", 1)
    labels = {KIT_LABEL: KIT_VALUE, LAB_LABEL: "test-nginx"}
    containers = [docker_client.containers.run(image, detach=True, labels=labels) for _ in range(2)]
    try:
        addresses = []
        for container in containers:
            container.reload()
            addresses.append(container.attrs["NetworkSettings"]["IPAddress"])
        port = nginx.free_port()
        servers = "".join(f"  server {a}:80;\n" for a in addresses)
        http = (f"upstream backend {{\n{servers}}}\n"
                f"server {{ listen 127.0.0.1:{port}; "
                "location / { proxy_pass http://backend; } }")
        with nginx.NginxServer(http, port) as server:
            for _ in range(40):  # both httpd up?
                if all(server.get()[0] == 200 for _ in range(2)):
                    break
                time.sleep(0.1)
            counts = server.count(10)
        hostnames = sorted(body.split()[-1] for body in counts)
        assert hostnames == sorted(c.id[:12] for c in containers), counts
        assert sorted(counts.values()) == [5, 5], counts
    finally:
        for container in containers:
            container.remove(force=True)


@pytest.mark.docker
def test_nginx_runs_in_a_container_next_to_the_replicas_through_the_engine():
    """Lesson 04's path: nginx in a container on the replicas' network, asked from inside the
    engine (no host route used); it balances, skips a stopped replica, and lab.cleanup removes
    it even when the lesson never stopped it. Its container is the kit's: lab.filters() does not
    list it."""
    from course import Lab

    lab = Lab(backend="docker", quiet=True)
    try:
        red = lab.client.networks.create(lab.name("lb"), labels=lab.labels())
        replicas = [lab.client.containers.run(lab.image("web", 1), detach=True,
                                              name=lab.name(f"b{i}"), labels=lab.labels(),
                                              network=red.name) for i in range(2)]
        deadline = time.monotonic() + 20
        while not all(lab.http_get(c).ok for c in replicas) and time.monotonic() < deadline:
            time.sleep(0.2)
        addresses = []
        for c in replicas:
            c.reload()
            addresses.append(c.attrs["NetworkSettings"]["Networks"][red.name]["IPAddress"])
        assert nginx.cannot_run_reason(lab) is None
        http = GOOD.replace("10.0.0.1", addresses[0]).replace("10.0.0.2", addresses[1]) % 8080
        server = nginx.next_to(lab, http, 8080, red.name).start()
        counts = server.count(10)
        assert sorted(b.split()[-1] for b in counts) == sorted(c.id[:12] for c in replicas)
        assert sorted(counts.values()) == [5, 5], counts
        replicas[0].stop(timeout=0)
        after = server.count(6)
        assert after == {f"web v1 {replicas[1].id[:12]}": 6}, after
        listed = {c.name for c in lab.client.containers.list(all=True, filters=lab.filters())}
        assert listed == {c.name for c in replicas}, listed
        with pytest.raises(RuntimeError, match="nginx terminó al arrancar"):
            nginx.next_to(lab, "server { listen 127.0.0.1:8081; nonsense; }", 8081,
                          red.name).start()
    finally:
        lab.cleanup()
    left = lab.client.containers.list(all=True, filters={"label": f"course.helper={lab.namespace}"})
    assert left == [], f"lab.cleanup() left the kit's containers: {[c.name for c in left]}"


@needs_nginx
def test_the_nginx_image_is_the_hosts_binary_and_what_ldd_lists():
    from course import nginx_container

    context, recipe = nginx_container.build_context(nginx.find_nginx())
    import tarfile

    names = tarfile.open(fileobj=context).getnames()
    assert "rootfs/usr/sbin/nginx" in names
    for library in nginx_container.libraries(nginx.find_nginx()):
        assert f"rootfs{library}" in names, library
    assert len(recipe) == 12
