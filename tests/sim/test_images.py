"""Removing images on the simulator: the decisions of moby's ImageDelete (20.10) that the
shared engine cannot show without deleting images other tests use."""

from __future__ import annotations

import docker
import pytest


@pytest.fixture
def own_image(client):
    """An image of its own (one tag): a copy of busybox's under another id."""
    from course.sim.images import Image

    client.api.engine.images.add(Image(repo_tags=("mine:1",), cmd=("sh",)))
    return client.images.get("mine:1")


def test_the_last_tag_of_an_image_a_container_uses_needs_force(client, own_image):
    """Is the last tag refused while a stopped container uses the image, and then, forced,
    are the tag and the image gone (the container keeps its image id)?"""
    user = client.containers.create("mine:1", "true")
    with pytest.raises(docker.errors.APIError) as caught:
        client.images.remove("mine:1")
    assert caught.value.response.status_code == 409
    assert caught.value.explanation == (
        f'conflict: unable to remove repository reference "mine:1" (must force) - container '
        f"{user.id[:12]} is using its referenced image {own_image.id[7:19]}")
    assert client.api.remove_image("mine:1", force=True) == [
        {"Untagged": "mine:1"}, {"Deleted": own_image.id}]
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.get(own_image.id)
    user.reload()
    assert user.attrs["Image"] == own_image.id


def test_an_image_id_is_refused_while_a_container_runs_or_while_others_use_it(client, own_image):
    """By id: a running container blocks it even forced (hard conflict); a stopped one or
    tags of two repositories until forced."""
    own_image.tag("other", "1")
    with pytest.raises(docker.errors.APIError) as repos:
        client.images.remove(own_image.id)
    assert repos.value.explanation == (
        f"conflict: unable to delete {own_image.id[7:19]} (must be forced) - image is "
        "referenced in multiple repositories")
    runner = client.containers.run("mine:1", "sleep 60", detach=True)
    with pytest.raises(docker.errors.APIError) as running:
        client.images.remove(own_image.id, force=True)
    assert running.value.explanation == (
        f"conflict: unable to delete {own_image.id[7:19]} (cannot be forced) - image is "
        f"being used by running container {runner.id[:12]}")
    runner.stop(timeout=0)
    with pytest.raises(docker.errors.APIError) as stopped:
        client.api.remove_image("other:1")  # a tag among two: untagged at once
        client.images.remove(own_image.id)
    assert stopped.value.explanation == (
        f"conflict: unable to delete {own_image.id[7:19]} (must be forced) - image is being "
        f"used by stopped container {runner.id[:12]}")
    runner.remove()
    assert client.api.remove_image(own_image.id) == [
        {"Untagged": "mine:1"}, {"Deleted": own_image.id}]
    assert [e["Action"] for e in client.api.engine.events if e["Type"] == "image"][-3:] == [
        "untag", "untag", "delete"]


def test_the_lab_images_build_on_the_simulator_as_the_catalogue_has_them(engine, client):
    """Does course/images.py's own build context (FROM scratch, the host's busybox, RUN
    busybox --install) build an image configured as the catalogue's, serving and healthy?"""
    from course import images

    catalogue = client.images.get("course/web:3").attrs["Config"]
    built, _ = client.images.build(fileobj=images.build_context(3), custom_context=True,
                                   tag="course/web:3", rm=True, forcerm=True)
    config = built.attrs["Config"]
    for key in ("Cmd", "Env", "ExposedPorts", "Healthcheck", "Entrypoint"):
        assert config[key] == catalogue[key], key
    assert config["Labels"] == {images.RECIPE_LABEL: images.recipe(images.base_image())}
    assert images.ensure_image(client, "web", 3) == "course/web:3"  # the recipe is there now
    web = client.containers.run("course/web:3", detach=True)
    engine.advance(5)
    web.reload()
    assert web.attrs["State"]["Health"]["Status"] == "unhealthy"  # version 3 is the broken one
    assert engine.http_request(web.attrs["NetworkSettings"]["IPAddress"], 80) == (
        200, f"web v3 {web.id[:12]}\n")


def test_what_the_builder_does_not_model_is_refused_before_it_builds(client):
    """Is a Dockerfile instruction the simulator does not model a 501 that names it, with no
    image left behind?"""
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        data = b"FROM busybox\nWORKDIR /app\n"
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    before = len(client.images.list())
    with pytest.raises(docker.errors.APIError) as caught:
        client.images.build(fileobj=buffer, custom_context=True, tag="nada:1")
    assert caught.value.response.status_code == 501
    assert "la instrucción WORKDIR de un Dockerfile" in caught.value.explanation
    assert len(client.images.list()) == before
