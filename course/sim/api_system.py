"""System routes: ping, version, info (what ``docker.from_env()`` and ``client.info()`` ask)."""

from __future__ import annotations

from .transport import API_VERSION, Response, Router

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
    return {
        "ID": f"SIM-{req.engine.seed}", "Name": "sim", "ServerVersion": "20.10.24-sim",
        "OperatingSystem": "Simulador del curso (course.sim)", "NCPU": 2, "MemTotal": 24 << 30,
        "Swarm": _swarm_info(req.engine),
    }


def _swarm_info(engine) -> dict:
    swarm = getattr(engine, "swarm", None)
    if swarm is None or not swarm.active:
        return {"LocalNodeState": "inactive", "NodeID": "", "ControlAvailable": False}
    return {"LocalNodeState": "active", "NodeID": swarm.local_node_id, "ControlAvailable": True,
            "Nodes": len(swarm.nodes), "Managers": 1, "Cluster": {"ID": swarm.id}}
