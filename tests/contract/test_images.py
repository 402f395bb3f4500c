"""Images: building from a Dockerfile, removing a tag or an image, on both backends (only what
this test made)."""

from __future__ import annotations

import io
import tarfile

import docker
import pytest


def test_removing_a_tag_untags_while_other_tags_name_the_image(kit):
    """Does removing a tag only untag while other tags name the image (also while a container
    runs from it), and does a removed tag stop naming it (404 with the engine's text)?"""
    base = kit.client.images.get(kit.image(1))
    repo = f"m7c-{kit.test_id}"
    assert base.tag(repo, "uno") and base.tag(repo, "dos")
    try:
        kit.client.images.remove(f"{repo}:uno")  # course/web:1 and :dos still name it
        assert f"{repo}:uno" not in kit.client.images.get(kit.image(1)).tags
        assert kit.client.images.get(f"{repo}:dos").id == base.id
        with pytest.raises(docker.errors.ImageNotFound):
            kit.client.images.get(f"{repo}:uno")
        user = kit.client.containers.run(f"{repo}:dos", detach=True, labels=kit.labels,
                                         name=kit.name("user"))
        kit.client.images.remove(f"{repo}:dos")  # in use, but other tags remain: untagged
        user.reload()
        assert user.status == "running" and user.attrs["Image"] == base.id
        with pytest.raises(docker.errors.ImageNotFound) as missing:
            kit.client.images.remove(f"{repo}:dos")
        assert missing.value.explanation == f"No such image: {repo}:dos"
    finally:
        for name in (f"{repo}:uno", f"{repo}:dos"):
            try:
                kit.client.images.remove(name)
            except docker.errors.ImageNotFound:
                pass


def _context(dockerfile: str) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in {"Dockerfile": dockerfile.encode(), "nota.txt": b"hola\n"}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def test_build_from_the_lab_image_and_a_failing_step(kit):
    """Does a Dockerfile on top of the lab image build to the same configuration (COPY, RUN,
    ENV, LABEL, CMD), run as built, and does a failing RUN raise BuildError with the engine's
    message?"""
    tag = f"m7c-{kit.test_id}-build:1"
    dockerfile = (f"FROM {kit.image(1)}\nCOPY nota.txt /datos/nota.txt\n"
                  "RUN echo creado > /datos/run.txt\nENV SALUDO=hola\n"
                  "LABEL course.test.build=si\nCMD [\"cat\", \"/datos/nota.txt\"]\n")
    try:
        image, _ = kit.client.images.build(fileobj=_context(dockerfile), custom_context=True,
                                           tag=tag, rm=True, forcerm=True)
        config = image.attrs["Config"]
        assert image.tags == [tag]
        assert config["Cmd"] == ["cat", "/datos/nota.txt"]
        assert config["Env"][-1] == "SALUDO=hola" and "WEB_VERSION=1" in config["Env"]
        assert config["Labels"]["course.test.build"] == "si"
        assert config["ExposedPorts"] == {"80/tcp": {}}
        assert config["Healthcheck"]["Test"][0] == "CMD-SHELL"
        out = kit.client.containers.run(tag, ["cat", "/datos/run.txt", "/datos/nota.txt"],
                                        labels=kit.labels, name=kit.name("built"), remove=True)
        assert out == b"creado\nhola\n"
        with pytest.raises(docker.errors.BuildError) as failed:
            kit.client.images.build(fileobj=_context(f"FROM {kit.image(1)}\nRUN exit 3\n"),
                                    custom_context=True, rm=True, forcerm=True)
        assert failed.value.msg == "The command '/bin/sh -c exit 3' returned a non-zero code: 3"
    finally:
        try:
            kit.client.images.remove(tag)
        except docker.errors.ImageNotFound:
            pass
