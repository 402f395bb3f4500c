"""Network routes: create, inspect, list, connect (with aliases), disconnect, remove, prune.

Why: the network lessons create a user-defined bridge, attach containers with aliases and watch
names resolve. The engine's answers matter as much as the success paths: duplicate names are
*allowed* unless ``check_duplicate=True`` (docker-py 7 does not send it), a name shared by two
networks becomes ambiguous (400), removing a network with endpoints is refused (403), and
``overlay`` needs Swarm (503) until the orchestrator exists.
"""

from __future__ import annotations

from .. import attach
from ..errors import Conflict, Invalid, NotFound, NotSupported, Unavailable, lookup
from ..labels import labels_match
from .containers import find as find_container
from .http import ApiError, Response, Router

router = Router()
ID = r"/networks/([^/]+)"


def find(req, ref: str | None = None):
    store = req.engine.networks
    return lookup(store.resolve, ref if ref is not None else req.groups[0], store.missing)




@router.route("POST", "/networks/create")
def create(req):
    body = req.json()
    name, driver = body.get("Name") or "", body.get("Driver") or "bridge"
    if not name:
        raise Invalid("network name is required")
    if name in ("bridge", "host", "none") or (
            body.get("CheckDuplicate") and req.engine.networks.matching(name)):
        raise Conflict(f"network with name {name} already exists")
    if driver == "overlay" and not getattr(req.engine, "swarm_active", False):
        raise Unavailable('This node is not a swarm manager. Use "docker swarm init" or '
                            '"docker swarm join" to connect this node to swarm and try again.')
    if driver not in ("bridge", "overlay"):  # overlay: Swarm only (checked above)
        raise NotSupported(f"las redes con driver '{driver}' (usa driver='bridge')")
    pools = (body.get("IPAM") or {}).get("Config") or []
    if len(pools) > 1:
        raise NotSupported("las redes con varios rangos IPAM")
    if body.get("EnableIPv6"):
        raise NotSupported("las redes IPv6")
    ingress = bool(body.get("Ingress"))
    if ingress and any(n.ingress for n in req.engine.networks.all()):
        raise ApiError(403, "ingress network already exists")
    network = req.engine.networks.create(
        name, driver, req.engine.clock.now, labels=body.get("Labels"),
        options=body.get("Options"), internal=bool(body.get("Internal")),
        attachable=bool(body.get("Attachable")), ipam=pools[0] if pools else None,
        ingress=ingress,
    )
    req.engine.emit("network", "create", network.id, name=name, type=driver)
    return Response({"Id": network.id, "Warning": ""}, status=201)


@router.route("GET", ID)
def inspect(req):
    network = find(req)
    scope = req.arg("scope")
    if scope and scope != network.scope:  # the engine looks only in the scope asked for
        raise NotFound(req.engine.networks.missing.format(ref=req.groups[0]))
    return network.inspect(req.engine.containers.by_id)


@router.route("GET", "/networks")
def list_(req):
    filters = req.filters()
    result = []
    for network in req.engine.networks.all():
        if "name" in filters and not any(v in network.name for v in filters["name"]):
            continue
        if "id" in filters and not any(network.id.startswith(v) for v in filters["id"]):
            continue
        if "driver" in filters and network.driver not in filters["driver"]:
            continue
        if "type" in filters:
            kind = "custom" if network.user_defined else "builtin"
            if kind not in filters["type"]:
                continue
        if not labels_match(network.labels, filters.get("label", [])):
            continue
        result.append(network.inspect(req.engine.containers.by_id))
    return result


@router.route("DELETE", ID)
def remove(req):
    network = find(req)
    if not network.user_defined and not network.ingress:
        raise ApiError(403, f"{network.name} is a pre-defined network and cannot be removed")
    in_use = [c for c in req.engine.containers.by_id.values() if network.name in c.endpoints
              and c.endpoints[network.name].network is network]
    if in_use:
        raise ApiError(403, f"error while removing network: network {network.name} id "
                            f"{network.id} has active endpoints")
    req.engine.networks.remove(network)
    req.engine.emit("network", "destroy", network.id, name=network.name, type=network.driver)
    return Response(status=204)


@router.route("POST", ID + "/connect")
def connect(req):
    network = find(req)
    body = req.json()
    container = find_container(req, body.get("Container") or "")
    if not network.user_defined:
        raise NotSupported(f"conectar un contenedor a la red predefinida '{network.name}'")
    if network.name in container.endpoints:
        raise ApiError(403, f"endpoint with name {container.name} already exists in network "
                            f"{network.name}")
    config = body.get("EndpointConfig") or {}
    if config.get("IPAMConfig"):
        raise NotSupported("las direcciones IP fijas (ipv4_address)")
    attach.connect(req.engine, container, network, config.get("Aliases") or [])
    endpoint = container.endpoints.get(network.name)
    if endpoint is not None:
        endpoint.mac_address = config.get("MacAddress") or ""
        endpoint.driver_opts = config.get("DriverOpts") or None
        endpoint.links = list(config.get("Links") or [])
    return Response(status=200)


@router.route("POST", ID + "/disconnect")
def disconnect(req):
    network = find(req)
    body = req.json()
    container = find_container(req, body.get("Container") or "")
    endpoint = container.endpoints.get(network.name)
    if endpoint is None or endpoint.network is not network:
        raise ApiError(403, f"container {container.id} is not connected to network "
                            f"{network.name}")
    attach.disconnect(req.engine, container, network)
    return Response(status=200)


@router.route("POST", "/networks/prune")
def prune(req):
    removed = []
    used = {ep.network.id for c in req.engine.containers.by_id.values()
            for ep in c.endpoints.values()}
    for network in list(req.engine.networks.all()):
        if network.user_defined and network.id not in used and labels_match(
                network.labels, req.filters().get("label", [])):
            req.engine.networks.remove(network)
            req.engine.emit("network", "destroy", network.id, name=network.name,
                            type=network.driver)
            removed.append(network.name)
    return {"NetworksDeleted": removed}
