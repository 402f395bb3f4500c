"""Routes of services and tasks: ``/services``, ``/services/{id}/update``, ``/tasks``.

Why the checks sit here, before the model: the engine refuses a bad spec (a taken name, an
unknown secret, a network that is not an overlay, a stale ``version``) with a status code that
docker-py turns into its ``docker.errors`` class; the orchestrator then only sees valid specs.
An unknown image is *not* refused here, as on the engine: its tasks are rejected
(``No such image``) and retried after the restart delay.
"""

from __future__ import annotations

from ..errors import Conflict, EngineFailure, Invalid, NotFound, NotSupported, lookup
from ..swarm import specs
from ..swarm.common import check_filters, label_match
from ..swarm.services import check_spec
from .http import ApiError, Router

router = Router()


def _swarm(req):
    swarm = req.engine.swarm
    swarm.require_manager()
    return swarm


def _service(req):
    swarm = _swarm(req)
    return swarm, lookup(swarm.find_service, req.groups[0], "service {ref} not found")


def _validate(req, swarm, spec: dict) -> dict:
    try:
        check_spec(spec)
    except ValueError as error:
        raise Invalid(str(error)) from None
    template = spec.setdefault("TaskTemplate", {})
    container = template.setdefault("ContainerSpec", {})
    _check_ports(spec.get("EndpointSpec") or {})
    for ref in container.get("Secrets") or []:
        secret = swarm.secrets.by_id.get(ref.get("SecretID") or "")
        if secret is None:
            raise Invalid("rpc error: code = InvalidArgument desc = secret reference "
                              f"{ref.get('SecretName') or ref.get('SecretID')} not found")
    networks = template.get("Networks") or spec.get("Networks") or []
    store = getattr(req.engine, "networks", None)
    resolved = []
    for attachment in networks:
        target = attachment.get("Target", "")
        network = lookup(store, target) if store is not None else None
        if network is None:  # a Swarm without the core engine: no networks at all
            raise NotFound(f"network {target} not found")
        if getattr(network, "driver", "overlay") != "overlay":
            raise Invalid(f"The network {network.name} cannot be used with services. Only "
                              "networks scoped to the swarm can be used, such as those created "
                              "with the overlay driver.")
        resolved.append({**attachment, "Target": network.id})
    if networks:
        template["Networks"] = resolved
        spec.pop("Networks", None)
    return spec


def _check_ports(endpoint: dict) -> None:
    """Published ports: the engine's own refusal first, then the simulator's honest one."""
    ports = endpoint.get("Ports") or []
    if not ports:
        return
    if (endpoint.get("Mode") or "vip") == "dnsrr" and any(
            (p.get("PublishMode") or "ingress") == "ingress" for p in ports):
        raise Invalid("rpc error: code = InvalidArgument desc = EndpointSpec: port "
                          "published with ingress mode can't be used with dnsrr mode")
    raise NotSupported("publicar puertos de un servicio (routing mesh o mode=host); para "
                      "probarlo usa lab.http_get(servicio), que responde como un cliente dnsrr")


@router.route("POST", "/services/create")
def service_create(req):
    swarm = _swarm(req)
    spec = _validate(req, swarm, req.json())
    name = spec.get("Name")
    if name and any(s.name == name for s in swarm.services.values()):
        raise Conflict("rpc error: code = AlreadyExists desc = name conflicts with an existing "
                       f"object: service {name} already exists")
    service = swarm.create_service(spec)
    return {"ID": service.id, "Warnings": None}


def _status(swarm, service) -> dict:
    running = desired = completed = 0
    for history in swarm.tasks.slots(service.id).values():
        for task in history:
            if task.desired == "running":
                desired += 1
                running += task.state == "running"
            completed += task.state == "complete"
    return {"RunningTasks": running, "DesiredTasks": desired, "CompletedTasks": completed}


@router.route("GET", "/services")
def service_list(req):
    swarm = _swarm(req)
    filters = req.filters()
    check_filters("services", filters)
    out = []
    for service in swarm.services.values():
        if "id" in filters and not any(service.id.startswith(v) for v in filters["id"]):
            continue
        if "name" in filters and not any(service.name.startswith(v) for v in filters["name"]):
            continue
        if "label" in filters and not label_match(service.labels, filters["label"]):
            continue
        if "mode" in filters:
            mode = "global" if service.is_global else "replicated"
            if mode not in filters["mode"]:
                continue
        body = service.inspect()
        if req.flag("status"):
            body["ServiceStatus"] = _status(swarm, service)
        out.append(body)
    return out


@router.route("GET", "/services/([^/]+)")
def service_inspect(req):
    return _service(req)[1].inspect(insert_defaults=req.flag("insertDefaults"))


@router.route("POST", "/services/([^/]+)/update")
def service_update(req):
    swarm, service = _service(req)
    if str(req.arg("version")) != str(service.version):
        raise EngineFailure("rpc error: code = Unknown desc = update out of sequence")
    rollback = req.arg("rollback") == "previous"
    spec = None
    if not rollback:
        spec = _validate(req, swarm, req.json())
        if spec.get("Name", service.name) != service.name:
            raise ApiError(501, "rpc error: code = Unimplemented desc = renaming services is "
                                "not supported")
        if (specs.replicas(spec) is None) != service.is_global:
            raise ApiError(501, "rpc error: code = Unimplemented desc = service mode change "
                                "is not allowed")
    swarm.update_service(service, spec, rollback=rollback)
    return {"Warnings": None}


@router.route("DELETE", "/services/([^/]+)")
def service_remove(req):
    swarm, service = _service(req)
    swarm.remove_service(service)
    return None


@router.route("GET", "/services/([^/]+)/logs")
def service_logs(req):
    raise NotSupported("los logs de un servicio (usa container.logs() en una de sus tareas)")


@router.route("GET", "/tasks")
def task_list(req):
    swarm = _swarm(req)
    filters = req.filters()
    check_filters("tasks", filters)
    if "service" in filters:
        ids = []
        for ref in filters["service"]:
            service = swarm.find_service(ref)
            if service is not None:
                ids.append(service.id)
        tasks = [t for sid in ids for t in swarm.tasks.of_service(sid)]
    else:
        tasks = list(swarm.tasks.by_id.values())
    checks = []
    if "desired-state" in filters:
        wanted = set(filters["desired-state"])
        checks.append(lambda t: t.desired in wanted)
    if "node" in filters:
        nodes = {n.id for n in (swarm.nodes.find(v) for v in filters["node"]) if n}
        checks.append(lambda t: t.node_id in nodes)
    if "id" in filters:
        checks.append(lambda t: any(t.id.startswith(v) for v in filters["id"]))
    if "name" in filters:
        checks.append(lambda t: any(t.name.startswith(v) for v in filters["name"]))
    if "label" in filters:
        checks.append(lambda t: label_match({}, filters["label"]))
    tasks = [t for t in tasks if all(check(t) for check in checks)]
    tasks.sort(key=lambda t: (t.service_name, t.slot, t.node_id, t.created))
    return [t.inspect() for t in tasks]


@router.route("GET", "/tasks/([^/]+)")
def task_inspect(req):
    swarm = _swarm(req)
    return lookup(swarm.tasks, req.groups[0]).inspect()
