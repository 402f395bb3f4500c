"""Images: removing a tag or an image, on both backends (only tags this test made)."""

from __future__ import annotations

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
