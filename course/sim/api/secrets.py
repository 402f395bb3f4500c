"""Routes of secrets: ``/secrets/create``, ``/secrets``, ``/secrets/{id}`` and its update.

Why no route ever returns ``Data``: the engine keeps a secret's data from every inspect and
list, and only lets its labels change (a new value is a new secret, under a new name).
"""

from __future__ import annotations

from ..errors import Conflict, Invalid, lookup
from ..swarm.common import check_filters, label_match
from ..swarm.ids import swarm_id
from ..swarm.secrets import Secret, decode
from .http import Router

router = Router()


def _swarm(req):
    swarm = req.engine.swarm
    swarm.require_manager()
    return swarm


def _secret(req):
    swarm = _swarm(req)
    return swarm, lookup(swarm.secrets, req.groups[0])


@router.route("POST", "/secrets/create")
def secret_create(req):
    swarm = _swarm(req)
    spec = req.json()
    name = spec.get("Name") or ""
    if not name:
        raise Invalid("rpc error: code = InvalidArgument desc = name must be valid as a "
                          "DNS name component")
    try:
        data = decode(spec)
    except ValueError as error:
        raise Invalid(str(error)) from None
    if swarm.secrets.by_name(name) is not None:
        raise Conflict(f"rpc error: code = AlreadyExists desc = secret {name} already exists")
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
        raise Invalid("rpc error: code = InvalidArgument desc = only updates to Labels are "
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
        raise Invalid(f"rpc error: code = InvalidArgument desc = secret '{secret.name}' is "
                          f"in use by the following {word}: {', '.join(users)}")
    swarm.secrets.remove(secret)
    req.engine.emit("secret", "remove", secret.id, name=secret.name)
    return None
