"""Routes of the Swarm itself and its nodes: ``/swarm``, ``/swarm/init``, ``/swarm/leave``,
``/nodes``.

Why separate from services: these are the calls that exist before any service does, and the
ones that answer 503 with the engine's own advice while the engine is not in Swarm mode.
"""

from __future__ import annotations

from ..errors import EngineFailure, Invalid, NotSupported, Unavailable, lookup
from ..naming import rfc3339
from ..swarm.common import check_filters, label_match
from .http import Router

router = Router()


def _swarm(req):
    return req.engine.swarm


@router.route("POST", "/swarm/init")
def swarm_init(req):
    body = req.json()
    addr = (body.get("AdvertiseAddr") or "127.0.0.1").split(":")[0]
    asked = body.get("Spec") or {}
    node_id = _swarm(req).init(advertise_addr=addr, labels=asked.get("Labels") or {})
    spec = default_spec()
    for key, value in asked.items():  # what init was given replaces the defaults, key by key
        if isinstance(value, dict) and isinstance(spec.get(key), dict):
            spec[key].update(value)
        elif value is not None:
            spec[key] = value
    _swarm(req).init_settings = {
        "Spec": spec, "DefaultAddrPool": list(body.get("DefaultAddrPool") or ["10.0.0.0/8"]),
        "SubnetSize": body.get("SubnetSize") or 24,
        "DataPathPort": body.get("DataPathPort") or 4789, "for": _swarm(req).id,
    }
    return node_id


def default_spec() -> dict:
    """The Spec of a swarm initialised without options (20.10's defaults)."""
    return {
        "Name": "default", "Labels": {},
        "Orchestration": {"TaskHistoryRetentionLimit": 5},
        "Raft": {"SnapshotInterval": 10000, "KeepOldSnapshots": 0,
                 "LogEntriesForSlowFollowers": 500, "ElectionTick": 10, "HeartbeatTick": 1},
        "Dispatcher": {"HeartbeatPeriod": 5_000_000_000},
        "CAConfig": {"NodeCertExpiry": 7_776_000_000_000_000, "ForceRotate": 0},
        "TaskDefaults": {}, "EncryptionConfig": {"AutoLockManagers": False},
    }


@router.route("POST", "/swarm/leave")
def swarm_leave(req):
    _swarm(req).leave(force=req.flag("force"))
    return None


@router.route("GET", "/swarm")
def swarm_inspect(req):
    swarm = _swarm(req)
    swarm.require_manager()
    settings = getattr(swarm, "init_settings", None)
    if not settings or settings["for"] != swarm.id:  # this swarm was made without init options
        settings = {
            "Spec": default_spec(), "DefaultAddrPool": ["10.0.0.0/8"], "SubnetSize": 24,
            "DataPathPort": 4789}
    spec = {**settings["Spec"], "Labels": dict(getattr(swarm, "labels", {}))}
    return {
        "ID": swarm.id, "Version": {"Index": swarm.versions.index},
        "CreatedAt": rfc3339(swarm.created), "UpdatedAt": rfc3339(swarm.created),
        "Spec": spec, "TLSInfo": {}, "RootRotationInProgress": False,
        "DefaultAddrPool": list(settings["DefaultAddrPool"]),
        "SubnetSize": settings["SubnetSize"], "DataPathPort": settings["DataPathPort"],
        "JoinTokens": {"Worker": f"SWMTKN-1-sim-{swarm.id}-worker",
                       "Manager": f"SWMTKN-1-sim-{swarm.id}-manager"},
    }


@router.route("POST", "/swarm/(join|update|unlock|unlockkey)")
def swarm_unsupported(req):

    if req.groups[0] == "join" and _swarm(req).active:
        raise Unavailable("This node is already part of a swarm. Use \"docker swarm leave\" "
                            "to leave this swarm and join another one.")
    raise NotSupported(f"POST /swarm/{req.groups[0]} (añade nodos con engine.swarm.add_node)")


@router.route("GET", "/nodes")
def nodes_list(req):
    swarm = _swarm(req)
    swarm.require_manager()
    filters = req.filters()
    check_filters("nodes", filters)
    out = []
    for node in swarm.nodes:
        if "id" in filters and not any(node.id.startswith(v) for v in filters["id"]):
            continue
        if "name" in filters and node.hostname not in filters["name"]:
            continue
        if "role" in filters and node.role not in filters["role"]:
            continue
        if "label" in filters and not label_match(node.labels, filters["label"]):
            continue
        if "node.label" in filters and not label_match(node.labels, filters["node.label"]):
            continue
        out.append(node.inspect())
    return out


def _node(req):
    swarm = _swarm(req)
    swarm.require_manager()
    return swarm, lookup(swarm.nodes, req.groups[0])


@router.route("GET", "/nodes/([^/]+)")
def node_inspect(req):
    return _node(req)[1].inspect()


@router.route("POST", "/nodes/([^/]+)/update")
def node_update(req):
    swarm, node = _node(req)
    if str(node.version) != str(req.arg("version")):
        raise EngineFailure("rpc error: code = Unknown desc = update out of sequence")
    spec = req.json()
    if spec.get("Role", node.role) != node.role:
        raise Invalid("El simulador no cambia el rol de un nodo: añade otro nodo con "
                          "engine.swarm.add_node(..., role='manager').")
    node.labels = dict(spec.get("Labels") or {})
    availability = spec.get("Availability") or node.availability
    if availability != node.availability:
        swarm.set_availability(node.id, availability)
    node.version, node.updated = swarm.versions.bump(), swarm.clock.now
    return None


@router.route("DELETE", "/nodes/([^/]+)")
def node_remove(req):
    swarm, node = _node(req)
    if node.id == swarm.local_node_id:
        raise Invalid("rpc error: code = FailedPrecondition desc = node "
                          f"{node.id} is a cluster manager and is a member of the raft cluster. "
                          "It must be demoted to worker before removal")
    if node.state != "down" and not req.flag("force"):
        raise Invalid(f"rpc error: code = FailedPrecondition desc = node {node.id} is not "
                          "down and can't be removed")
    if node.state != "down":
        swarm.node_down(node.id)
    swarm.nodes.remove(node)
    return None
