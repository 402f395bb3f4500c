"""Image routes over the fixed catalogue: inspect, list, tag, pull (known images only).

Why: the simulator has no registry and builds nothing, so ``pull`` succeeds only for images
it already has and fails otherwise with a 404 that docker-py turns into ``ImageNotFound`` (the
engine's "repository does not exist" text plus the list of images the simulator does have).
``build`` builds what ``course/sim/build.py`` models; ``remove`` untags and deletes as the engine.
"""

from __future__ import annotations

import json

from .. import build as images_build
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
    """The classic builder's stream: one JSON line per output line, the error of a failed step
    as its last line (docker-py raises ``BuildError`` from it)."""
    for option in ("buildargs", "target", "extrahosts", "cachefrom", "squash", "remote"):
        if req.arg(option) not in (None, "", "{}", "[]", "0", "false"):
            raise NotSupported(f"images.build con {option}")
    if req.arg("networkmode") not in (None, "", "default"):
        raise NotSupported("images.build con network_mode")
    labels = json.loads(req.arg("labels") or "{}")
    tag = req.arg("t")
    tag = normalize_reference(tag) if tag else None
    lines: list[dict] = []
    try:
        image, out = images_build.build(req.engine, req.body, req.arg("dockerfile") or
                                        "Dockerfile", tag, labels)
        lines = [{"stream": line} for line in out]
        lines.insert(-2 if tag else -1, {"aux": {"ID": image.id}})
    except images_build.BuildFailed as failed:
        lines.append({"errorDetail": {"message": str(failed)}, "error": str(failed)})
    body = "".join(json.dumps(line) + "\r\n" for line in lines)
    return Response(raw=body.encode())


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
