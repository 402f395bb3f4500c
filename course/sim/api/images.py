"""Image routes over the fixed catalogue: inspect, list, tag, pull (known images only).

Why: the simulator has no registry and builds nothing, so ``pull`` succeeds only for images
it already has and fails otherwise with a 404 that docker-py turns into ``ImageNotFound`` (the
engine's "repository does not exist" text plus the list of images the simulator does have);
``build`` answers 501 and says to use a real engine.
"""

from __future__ import annotations

import json

from ..errors import Invalid, NotFound, NotSupported, lookup
from ..images import normalize_reference
from ..naming import unix_time
from .http import Response, Router

router = Router()


def find(req, ref: str):
    return lookup(req.engine.images, ref)


@router.route("GET", r"/images/(.+)/json")
def inspect(req):
    image = find(req, req.groups[0])
    data = image.inspect()
    data["RepoTags"] = req.engine.images.tags_of(image)
    return data


@router.route("GET", "/images/json")
def list_(req):
    filters = req.filters()
    result = []
    for image in req.engine.images.all():
        tags = req.engine.images.tags_of(image)
        if "reference" in filters and not any(
                t == normalize_reference(r) or t.split(":")[0] == r
                for t in tags for r in filters["reference"]):
            continue
        if "label" in filters:
            continue  # catalogue images carry no labels
        result.append({
            "Id": image.id, "ParentId": "", "RepoTags": tags, "RepoDigests": [],
            "Created": unix_time(0), "Size": image.size, "VirtualSize": image.size,
            "SharedSize": -1, "Labels": None, "Containers": -1,
        })
    return result


@router.route("POST", "/images/create")
def pull(req):
    name = req.arg("fromImage") or ""
    tag = req.arg("tag") or ""
    ref = f"{name}:{tag}" if tag and "@" not in name else name
    if req.engine.images.find(ref) is None:
        repo = normalize_reference(ref).rsplit(":", 1)[0]
        raise NotFound(
            f"pull access denied for {repo}, repository does not exist or may require "
            "'docker login': denied: requested access to the resource is denied "
            f"(el simulador solo tiene estas imágenes: {req.engine.images.catalogue_text()})")
    status = {"status": f"Status: Image is up to date for {normalize_reference(ref)}"}
    return Response(raw=(json.dumps(status) + "\r\n").encode())


@router.route("POST", r"/images/(.+)/tag")
def tag(req):
    image = find(req, req.groups[0])
    repo = req.arg("repo") or ""
    if not repo:
        raise Invalid("repository name must have at least one component")
    req.engine.images.add(image, f"{repo}:{req.arg('tag') or 'latest'}")
    req.engine.emit("image", "tag", image.id, name=f"{repo}:{req.arg('tag') or 'latest'}")
    return Response(status=201)


@router.route("POST", "/build")
def build(req):
    raise NotSupported("la construcción de imágenes (images.build); el simulador ya trae "
                      "busybox:latest y course/web:1, :2 y :3")


@router.route("DELETE", r"/images/(.+)")
def remove(req):
    engine = req.engine
    image = find(req, req.groups[0])
    users = [(c.id[:12], c.running) for c in engine.containers.by_id.values()
             if c.image.id == image.id]
    done = engine.images.remove(req.groups[0], users, force=req.flag("force"))
    for step in done:
        action, ref = next(iter(step.items()))
        engine.emit("image", "untag" if action == "Untagged" else "delete", image.id, name=ref)
    return done
