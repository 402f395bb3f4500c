"""System routes: ping, version, info (what ``docker.from_env()`` asks) and the event log."""

from __future__ import annotations

import json

from ..errors import Invalid, NotSupported
from .http import API_VERSION, Response, Router

router = Router()


@router.route("GET", "/_ping")
def ping(req):
    return Response(raw=b"OK", content_type="text/plain")


@router.route("HEAD", "/_ping")
def ping_head(req):
    return Response(raw=b"", content_type="text/plain")


@router.route("GET", "/version")
def version(req):
    return {
        "Version": "20.10.24-sim", "ApiVersion": API_VERSION, "MinAPIVersion": "1.12",
        "Os": "linux", "Arch": "amd64", "KernelVersion": "sim",
        "Components": [{"Name": "Engine", "Version": "20.10.24-sim"}],
    }


@router.route("GET", "/info")
def info(req):
    states = [c.status for c in req.engine.containers.by_id.values()]
    running = sum(s in ("running", "restarting") for s in states)
    paused = states.count("paused")
    return {
        "ID": f"SIM-{req.engine.seed}", "Name": "sim", "ServerVersion": "20.10.24-sim",
        "OperatingSystem": "Simulador del curso (course.sim)", "NCPU": 2, "MemTotal": 24 << 30,
        "Containers": len(states), "ContainersRunning": running, "ContainersPaused": paused,
        "ContainersStopped": len(states) - running - paused,
        "Images": len(req.engine.images.all()), "Driver": "overlay2",
        "ExperimentalBuild": False, "Swarm": _swarm_info(req.engine),
    }


def _swarm_info(engine) -> dict:
    swarm = getattr(engine, "swarm", None)
    if swarm is None or not swarm.active:
        return {"LocalNodeState": "inactive", "NodeID": "", "ControlAvailable": False}
    return {"LocalNodeState": "active", "NodeID": swarm.local_node_id, "ControlAvailable": True,
            "Nodes": len(swarm.nodes), "Managers": 1, "Cluster": {"ID": swarm.id}}


@router.route("GET", "/events")
def events(req):
    """``client.events(since=..., until=...)``: the event log between two Unix times.

    The engine streams events until ``until`` passes; here the virtual clock is moved to
    ``until`` first, then every event in the window is answered at once. Without ``until`` the
    engine would stream forever, which a simulator cannot answer honestly: 501.
    """
    from ..naming import EPOCH

    epoch = EPOCH.timestamp()
    until = req.arg("until")
    if until is None:
        raise NotSupported("events() sin until= (el flujo no terminaría nunca); pasa until=")
    since = float(req.arg("since") or epoch) - epoch
    until = float(until) - epoch
    if until > req.engine.clock.now:
        req.engine.advance(until - req.engine.clock.now)
    filters = req.filters()
    lines = []
    for event in req.engine.events:
        if not since <= event["time"] <= until or not _event_matches(event, filters):
            continue
        stamp = epoch + event["time"]
        body = {"Type": event["Type"], "Action": event["Action"], "Actor": event["Actor"],
                "scope": "local", "time": int(stamp), "timeNano": int(stamp * 1e9)}
        if event["Type"] == "container":
            body = {"status": event["Action"], "id": event["Actor"]["ID"],
                    "from": event["Actor"]["Attributes"].get("image", ""), **body}
        lines.append(json.dumps(body))
    return Response(raw="".join(line + "\n" for line in lines).encode())


def _event_matches(event, filters) -> bool:
    actor = event["Actor"]
    attributes = actor["Attributes"]
    checks = {
        "type": lambda v: event["Type"] == v,
        "event": lambda v: event["Action"] == v or event["Action"].split(":")[0] == v,
        "container": lambda v: event["Type"] == "container" and (
            actor["ID"].startswith(v) or attributes.get("name") == v),
        "network": lambda v: event["Type"] == "network" and (
            actor["ID"].startswith(v) or attributes.get("name") == v),
        "volume": lambda v: event["Type"] == "volume" and actor["ID"] == v,
        "image": lambda v: attributes.get("image") == v,
        "label": lambda v: (attributes.get(v.partition("=")[0]) == v.partition("=")[2]
                            if "=" in v else v in attributes),
    }
    for key, values in filters.items():
        check = checks.get(key)
        if check is None:

            raise Invalid(f"Invalid filter '{key}'")
        if key == "label":
            if not all(check(v) for v in values):
                return False
        elif not any(check(v) for v in values):
            return False
    return True
