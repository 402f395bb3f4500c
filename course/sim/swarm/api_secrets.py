"""Routes of secrets: ``/secrets/create``, ``/secrets``, ``/secrets/{id}`` and its update.

Why no route ever returns ``Data``: the engine keeps a secret's data from every inspect and
list, and only lets its labels change (a new value is a new secret, under a new name).
"""

from __future__ import annotations

from ..transport import Router, bad_request, conflict, not_found
from .common import check_filters, label_match
from .ids import swarm_id
from .secrets import Secret, decode

router = Router()


def _swarm(req):
    swarm = req.engine.swarm
    swarm.require_manager()
    return swarm


def _secret(req):
    swarm = _swarm(req)
    secret = swarm.secrets.find(req.groups[0])
    if secret is None:
        raise not_found(f"secret {req.groups[0]} not found")
    return swarm, secret


@router.route("POST", "/secrets/create")
def secret_create(req):
    swarm = _swarm(req)
    spec = req.json()
    name = spec.get("Name") or ""
    if not name:
        raise bad_request("rpc error: code = InvalidArgument desc = name must be valid as a "
                          "DNS name component")
    try:
        data = decode(spec)
    except ValueError as error:
        raise bad_request(str(error)) from None
    if swarm.secrets.by_name(name) is not None:
        raise conflict(f"rpc error: code = AlreadyExists desc = secret {name} already exists")
    secret = Secret(id=swarm_id(swarm.rng), name=name, data=data, created=swarm.clock.now,
                    labels=dict(spec.get("Labels") or {}), version=swarm.versions.bump())
    swarm.secrets.add(secret)
    req.engine.emit("secret", "create", secret.id, name=name)
    return {"ID": secret.id}


@router.route("GET", "/secrets")
def secret_list(req):
    swarm = _swarm(req)
    filters = req.filters()
    check_filters("secrets", filters)
    out = []
    for secret in swarm.secrets:
        if "id" in filters and not any(secret.id.startswith(v) for v in filters["id"]):
            continue
        if "name" in filters and not any(secret.name.startswith(v) for v in filters["name"]):
            continue
        if "names" in filters and secret.name not in filters["names"]:
            continue
        if "label" in filters and not label_match(secret.labels, filters["label"]):
            continue
        out.append(secret.inspect())
    return out


@router.route("GET", "/secrets/([^/]+)")
def secret_inspect(req):
    return _secret(req)[1].inspect()


@router.route("POST", "/secrets/([^/]+)/update")
def secret_update(req):
    swarm, secret = _secret(req)
    spec = req.json()
    if spec.get("Data") or spec.get("Name", secret.name) != secret.name:
        raise bad_request("rpc error: code = InvalidArgument desc = only updates to Labels are "
                          "allowed")
    secret.labels = dict(spec.get("Labels") or {})
    secret.version = swarm.versions.bump()
    return None


@router.route("DELETE", "/secrets/([^/]+)")
def secret_remove(req):
    swarm, secret = _secret(req)
    users = sorted(s.name for s in swarm.services.values()
                   if any(r.get("SecretID") == secret.id for r in
                          s.template["ContainerSpec"].get("Secrets") or []))
    if users:
        word = "service" if len(users) == 1 else "services"
        raise bad_request(f"rpc error: code = InvalidArgument desc = secret '{secret.name}' is "
                          f"in use by the following {word}: {', '.join(users)}")
    swarm.secrets.remove(secret)
    req.engine.emit("secret", "remove", secret.id, name=secret.name)
    return None
