"""The images docker-py's suite runs, on the real engine, without a registry: local tags of one
image built from the host's static busybox (Debian's ``busybox-static``, as course/images.py
builds the lab images), made once and kept (labelled, so a leftover is recognisable)."""

from __future__ import annotations

import io
import tarfile

import docker

from course.images import static_busybox
from course.sim.images import DOCKERPY_TEST_TAGS

LABEL = "course.dockerpy-suite"
TAGS = (*DOCKERPY_TEST_TAGS, "busybox:latest")
DOCKERFILE = "\n".join([
    "FROM scratch",
    "COPY busybox /bin/busybox",
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
    'RUN ["/bin/busybox", "mkdir", "-p", "/tmp", "/root", "/home", "/var/opt", "/usr", "/etc"]',
    "COPY passwd group /etc/",  # the users the suite execs as (alpine has them)
    f"LABEL {LABEL}=1",
    'CMD ["/bin/sh"]',
]) + "\n"


PASSWD = "root:x:0:0:root:/root:/bin/sh\npostgres:x:70:70::/var/lib/postgresql:/bin/sh\n"
GROUP = "root:x:0:root\npostgres:x:70:\n"


def _context() -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, text in (("Dockerfile", DOCKERFILE), ("passwd", PASSWD), ("group", GROUP)):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        tar.add(str(static_busybox()), arcname="busybox")
    buffer.seek(0)
    return buffer


def ensure_test_images() -> None:
    """Tag every image the suite asks for; an existing tag of someone else's is left alone."""
    client = docker.from_env(timeout=120)
    try:
        missing = []
        for tag in TAGS:
            try:
                client.images.get(tag)
            except docker.errors.ImageNotFound:
                missing.append(tag)
        if not missing:
            return
        if static_busybox() is None:
            raise RuntimeError("no static busybox on this host: apt-get install busybox-static")
        image, _ = client.images.build(fileobj=_context(), custom_context=True, rm=True,
                                       forcerm=True)
        for tag in missing:
            repo, _, version = tag.partition(":")
            image.tag(repo, version)
    finally:
        client.close()


def remove_leftovers() -> list[str]:
    """Remove the containers docker-py's suite left behind (a few of its tests do not clean up):
    only containers of the suite's own image, recognised by its label."""
    client = docker.from_env(timeout=120)
    try:
        left = client.containers.list(all=True, filters={"label": LABEL})
        for container in left:
            container.remove(force=True, v=True)
        return [c.name for c in left]
    finally:
        client.close()
