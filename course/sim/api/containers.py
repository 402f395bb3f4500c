"""Container routes of the Engine API: what docker-py's ``containers`` calls reach.

Why thin: each handler finds the container (404 ``No such container: x`` as the engine says it)
and hands over to ``creation``, ``lifecycle`` or ``filters``; the JSON shapes come from the
model. Logs are answered whole (the simulator has no live streams).
"""

from __future__ import annotations

import shlex

from .. import lifecycle
from ..creation import create_container
from ..errors import Conflict, Invalid, NotSupported, lookup
from ..filters import select
from ..labels import labels_match
from ..naming import unix_time
from .client import stream_response
from .http import Response, Router, read_timeout

router = Router()
ID = r"/containers/([^/]+)"


def find(req, ref: str | None = None):
    return lookup(req.engine.containers, ref if ref is not None else req.groups[0])


def _done(result) -> Response:
    """204, or 304 when the container already was as asked (the model's ``NOT_MODIFIED``)."""
    return Response(status=304 if result == lifecycle.NOT_MODIFIED else 204)


@router.route("POST", "/containers/create")
def create(req):
    container = create_container(req.engine, req.json(), req.arg("name"))
    return Response({"Id": container.id, "Warnings": []}, status=201)


@router.route("GET", "/containers/json")
def list_(req):
    limit = int(req.arg("limit", "-1") or -1)
    found = select(req.engine, req.filters(), req.flag("all"), limit)
    return [summary(req.engine, c) for c in found]


def _human(seconds: float) -> str:
    """Go's ``units.HumanDuration`` (what ``docker ps`` shows)."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = s // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(s / 3600)
    return "About an hour" if hours == 1 else f"{hours} hours"


def status_text(engine, c) -> str:
    now = engine.clock.now
    if c.status == "running":
        health = {"starting": " (health: starting)", "healthy": " (healthy)",
                  "unhealthy": " (unhealthy)"}.get(c.health_text, "")
        return f"Up {_human(now - (c.started_at or now))}{health}"
    if c.status == "restarting":
        return f"Restarting ({c.exit_code}) {_human(now - (c.finished_at or now))} ago"
    if c.status == "exited":
        return f"Exited ({c.exit_code}) {_human(now - (c.finished_at or now))} ago"
    return c.status.capitalize()


def summary(engine, c) -> dict:
    ports = []
    for key, host_ip, host_port in c.host_ports:
        private, proto = key.split("/")
        for ip in ([host_ip] if host_ip else ["0.0.0.0", "::"]):
            ports.append({"IP": ip, "PrivatePort": int(private), "PublicPort": host_port,
                          "Type": proto})
    argv = lifecycle.argv_of(c)
    return {
        "Id": c.id, "Names": ["/" + c.name], "Image": c.image_ref, "ImageID": c.image.id,
        "Command": shlex.join(argv), "Created": unix_time(c.created), "Ports": ports,
        "Labels": dict(c.labels), "State": c.status, "Status": status_text(engine, c),
        "HostConfig": {"NetworkMode": c.host_config.get("NetworkMode")},
        "NetworkSettings": {"Networks": {n: ep.settings(c) for n, ep in c.endpoints.items()}},
        "Mounts": list(c.mounts),
    }


@router.route("POST", "/containers/prune")
def prune(req):
    """Remove every stopped container (``label`` / ``label!`` filters narrow it)."""
    filters = req.filters()
    if set(filters) - {"label", "label!"}:
        raise NotSupported(f"containers.prune con los filtros {sorted(filters)}")
    removed, reclaimed = [], 0
    for c in req.engine.containers.newest_first():
        if c.running or not labels_match(c.labels, filters.get("label", [])):
            continue
        if any(labels_match(c.labels, [v]) for v in filters.get("label!", [])):
            continue
        reclaimed += _layer_size(c)
        lifecycle.remove(req.engine, c)
        removed.append(c.id)
    return {"ContainersDeleted": removed or None, "SpaceReclaimed": reclaimed}


def _layer_size(container) -> int:
    """Bytes of the container's own layer: the files it wrote over its image's."""
    image_files = container.image.files
    return sum(len(data) for path, data in container.view.root.files.items()
               if image_files.get(path) != data)




@router.route("GET", ID + "/json")
def inspect(req):
    return find(req).inspect()


@router.route("POST", ID + "/start")
def start(req):
    return _done(lifecycle.start(req.engine, find(req)))


@router.route("POST", ID + "/stop")
def stop(req):
    t = req.arg("t")
    return _done(lifecycle.stop(req.engine, find(req), int(t) if t else None))


@router.route("POST", ID + "/restart")
def restart(req):
    t = req.arg("t")
    lifecycle.restart(req.engine, find(req), int(t) if t else None)
    return Response(status=204)


@router.route("POST", ID + "/kill")
def kill(req):
    lifecycle.kill(req.engine, find(req), req.arg("signal") or "KILL")
    return Response(status=204)


@router.route("POST", ID + "/wait")
def wait(req):
    return lifecycle.wait(req.engine, find(req), req.arg("condition") or "not-running",
                          read_timeout())


@router.route("DELETE", ID)
def remove(req):
    if req.flag("link"):
        raise NotSupported("remove(link=True)")
    lifecycle.remove(req.engine, find(req), force=req.flag("force"), volumes=req.flag("v"))
    return Response(status=204)


@router.route("POST", ID + "/rename")
def rename(req):
    container = find(req)
    new_name = (req.arg("name") or "").lstrip("/")
    if new_name == container.name:
        raise Invalid("Renaming a container with the same name as its current name")
    holder = req.engine.containers.by_name.get(new_name)
    if holder is not None:
        raise Conflict(
            f'Conflict. The container name "/{new_name}" is already in use by container '
            f'"{holder}". You have to remove (or rename) that container to be able to reuse '
            "that name.")
    old = container.name
    req.engine.containers.rename(container, new_name)
    req.engine.emit("container", "rename", container.id, oldName="/" + old, name=new_name)
    return Response(status=204)


@router.route("GET", ID + "/logs")
def logs(req):
    container = find(req)
    if container.host_config["LogConfig"]["Type"] == "none":
        raise NotSupported.engine_says("configured logging driver does not support reading")
    if req.flag("follow"):  # the engine streams until the container stops: wait, then answer
        lifecycle.wait(req.engine, container, limit=read_timeout())
    if req.flag("timestamps") or req.arg("since") not in (None, "0") or req.arg("until"):
        raise NotSupported("logs con timestamps/since/until")
    wanted = {1} if req.flag("stdout") else set()
    wanted |= {2} if req.flag("stderr") else set()
    chunks = [(s, d) for s, d in container.logs if s in wanted]
    tail = req.arg("tail", "all")
    if tail not in ("all", None, ""):
        lines = b"".join(d for _, d in chunks).splitlines(keepends=True)
        keep = int(tail)
        if len(chunks) and len({s for s, _ in chunks}) > 1:
            raise NotSupported("logs(tail=N) mezclando stdout y stderr")
        stream = chunks[0][0] if chunks else 1
        chunks = [(stream, b"".join(lines[-keep:] if keep else []))]
    return stream_response(chunks, tty=bool(container.config.get("Tty")))


@router.route("POST", ID + "/(pause|unpause|update|attach|resize|export)")
def not_modelled(req):
    raise NotSupported(f"containers {req.groups[1]}")
