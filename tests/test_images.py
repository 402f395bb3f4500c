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
