"""Volume routes: create (idempotent, as on the engine), inspect, list, remove, prune.

Why: a student checks that data survives by listing and inspecting volumes and by removing
the container but not the volume; the engine's answers (``get x: no such volume``, 409 while
a container uses it) are what the lesson's error cells show.
"""

from __future__ import annotations

from ..errors import Conflict, NotSupported, lookup
from .http import Response, Router

router = Router()


@router.route("POST", "/volumes/create")
def create(req):
    body = req.json()
    name = body.get("Name")
    if not name:
        from ..naming import new_id

        name = new_id(req.engine.rng)
    if (body.get("Driver") or "local") != "local" or body.get("DriverOpts"):
        raise NotSupported("volúmenes con otro driver u opciones (solo el driver 'local')")
    existed = req.engine.volumes.get(name) is not None
    volume = req.engine.volumes.create(name, req.engine.clock.now, body.get("Labels"))
    if not existed:
        req.engine.emit("volume", "create", name, driver="local")
    return Response(volume.inspect(), status=201)


def _find(req, verb: str):
    return lookup(req.engine.volumes.get, req.groups[0], verb + " {ref}: no such volume")


@router.route("GET", "/volumes/([^/]+)")
def inspect(req):
    return _find(req, "get").inspect()


@router.route("GET", "/volumes")
def list_(req):
    filters = req.filters()
    result = []
    for volume in req.engine.volumes.all():
        if "name" in filters and not any(v in volume.name for v in filters["name"]):
            continue
        if "dangling" in filters:
            dangling = filters["dangling"][0] in ("true", "1")
            if dangling != (not volume.users):
                continue
        ok = True
        for value in filters.get("label", []):
            key, sep, wanted = value.partition("=")
            if key not in volume.labels or (sep and volume.labels[key] != wanted):
                ok = False
        if ok:
            result.append(volume.inspect())
    return {"Volumes": result, "Warnings": None}


@router.route("DELETE", "/volumes/([^/]+)")
def remove(req):
    volume = _find(req, "remove")
    if volume.users:
        raise Conflict(f"remove {volume.name}: volume is in use - "
                       f"[{', '.join(sorted(volume.users))}]")
    req.engine.volumes.remove(volume)
    req.engine.emit("volume", "destroy", volume.name, driver="local")
    return Response(status=204)


@router.route("POST", "/volumes/prune")
def prune(req):
    from ..labels import labels_match

    removed = []
    for volume in list(req.engine.volumes.all()):
        if not volume.users and labels_match(volume.labels, req.filters().get("label", [])):
            req.engine.volumes.remove(volume)
            req.engine.emit("volume", "destroy", volume.name, driver="local")
            removed.append(volume.name)
    return {"VolumesDeleted": removed, "SpaceReclaimed": 0}
