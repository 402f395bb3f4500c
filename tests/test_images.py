"""The lab images on the real engine: made from the kit's recipe, made again when it changes."""

from __future__ import annotations

import io

import pytest

from course.images import RECIPE_LABEL, base_image, ensure_image, recipe

pytestmark = pytest.mark.docker


def test_an_image_from_an_older_recipe_is_built_again(docker_client):
    """A `course/web:1` left by an older kit (another recipe label) must not be kept forever:
    a tag alone would hide that the image lacks what the lessons now expect."""
    current = recipe(base_image())
    wanted = ensure_image(docker_client, "web", 1)
    stale = f"FROM {wanted}\nLABEL {RECIPE_LABEL}=de-otro-kit\n".encode()
    docker_client.images.build(fileobj=io.BytesIO(stale), tag=wanted, rm=True)
    assert docker_client.images.get(wanted).labels[RECIPE_LABEL] == "de-otro-kit"

    assert ensure_image(docker_client, "web", 1) == wanted
    assert docker_client.images.get(wanted).labels[RECIPE_LABEL] == current
    before = docker_client.images.get(wanted).id
    ensure_image(docker_client, "web", 1)
    assert docker_client.images.get(wanted).id == before, "an up-to-date image is kept as it is"


def test_without_static_busybox_the_images_come_from_busybox_or_a_spanish_message(
        docker_client, monkeypatch):
    """Docker Desktop's host has no static busybox: the recipe is ``FROM busybox``; where no
    registry answers either (here, CI) the build stops with a message that says what to do.
    Built under a throwaway tag: the shared ``course/web`` images are never touched."""
    import docker

    from course import images

    monkeypatch.setattr(images, "static_busybox", lambda: None)
    monkeypatch.setattr(images, "tag", lambda name, version: f"course-test-nobusybox/web:{version}")
    assert images.base_image() == "busybox"
    assert images.dockerfile(1, "busybox").startswith("FROM busybox\n")
    try:
        built = images.ensure_image(docker_client, "web", 1, force=True)
    except images.ImageBuildError as error:
        text = str(error)
        assert "busybox-static" in text and "docker pull busybox" in text, text
        assert "Lab(backend='sim')" in text, text
    else:  # a registry answered: the image is busybox's, and it serves like the scratch one
        try:
            assert docker_client.images.get(built).labels[RECIPE_LABEL] == recipe("busybox")
        finally:
            try:
                docker_client.images.remove(built, force=True)
            except docker.errors.ImageNotFound:
                pass
