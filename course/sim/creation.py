"""Creating a container from the body docker-py sends to ``POST /containers/create``.

Why: docker-py does the argument work (``ports``, ``volumes``, ``healthcheck``,
``restart_policy``, ``network`` become ``HostConfig``/``Config``/``NetworkingConfig``); the engine
then merges the image's configuration in (command, environment, exposed ports, health check),
validates names and policies, creates missing named volumes and resolves networks. This module
does that merge and validation with the engine's messages, and is also the internal entry point
(``create_container(engine, body, name)``) for later layers such as Swarm tasks.
"""

from __future__ import annotations

import re

from .containers import Container, Endpoint
from .errors import Conflict, EngineFailure, Invalid, NotSupported, lookup
from .filesystem import ContainerView, Filesystem
from .naming import new_id, random_name
from .volumes import parse_bind, parse_mount

VALID_NAME = re.compile(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
POLICIES = ("no", "always", "unless-stopped", "on-failure")


def _merge_env(image_env, env) -> list[str]:
    """The engine's merge: the user's variables first, then the image's it did not override."""
    user = list(env or [])
    keys = {entry.split("=", 1)[0] for entry in user}
    return user + [entry for entry in image_env if entry.split("=", 1)[0] not in keys]


def _healthcheck(image, asked: dict | None) -> dict | None:
    base = dict(image.healthcheck or {})
    if not asked:
        return base or None
    merged = dict(base)
    for key, value in asked.items():
        if value not in (None, 0, []):
            merged[key] = value
    return merged


def _restart_policy(host_config: dict) -> dict:
    policy = dict(host_config.get("RestartPolicy") or {})
    name = policy.get("Name") or "no"
    if name not in POLICIES:
        raise Invalid(f"invalid restart policy '{name}'")
    retries = policy.get("MaximumRetryCount") or 0
    if retries and name != "on-failure":
        raise Invalid(f"maximum retry count cannot be used with restart policy '{name}'")
    if retries < 0:
        raise Invalid("maximum retry count cannot be negative")
    if name != "no" and host_config.get("AutoRemove"):
        raise Conflict("Conflicting options: AutoRemove and restart policy")
    # stored as sent: docker-py sends no policy unless asked, and the engine then shows Name ""
    return {"Name": policy.get("Name") or "", "MaximumRetryCount": retries}


#: logging drivers: the two the simulator keeps logs for, ``none``, and the rest of 20.10's
LOG_DRIVERS_KEPT = ("json-file", "local")
LOG_DRIVERS_OTHER = ("syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "etwlogs",
                     "gcplogs", "logentries")


def _log_config(asked: dict | None) -> dict:
    driver = (asked or {}).get("Type") or "json-file"
    options = dict((asked or {}).get("Config") or {})
    if driver in LOG_DRIVERS_OTHER:
        raise NotSupported(f"el driver de logs '{driver}' (usa json-file, local o none)")
    if driver not in (*LOG_DRIVERS_KEPT, "none"):
        raise EngineFailure(f"logger: no log driver named '{driver}' is registered")
    return {"Type": driver, "Config": options}


def _runtime(asked: str | None) -> str:
    if asked and asked != "runc":
        raise Invalid(f"Unknown runtime specified {asked}")
    return "runc"


def _check_name(engine, name: str) -> str:
    if not VALID_NAME.match(name):
        raise Invalid(
            f"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
    name = name.lstrip("/")
    holder = engine.containers.by_name.get(name)
    if holder is not None:
        raise Conflict(
            f'Conflict. The container name "/{name}" is already in use by container "{holder}". '
            "You have to remove (or rename) that container to be able to reuse that name.")
    return name


def _endpoints(engine, host_config: dict, networking: dict | None) -> dict[str, Endpoint]:
    mode = host_config.get("NetworkMode") or "default"
    if mode.startswith("container:"):
        raise NotSupported("network_mode='container:...' (compartir la red de otro contenedor)")
    if mode == "host":
        raise NotSupported("la red 'host' (usa una red bridge y publica puertos con ports=)")
    name = "bridge" if mode == "default" else mode
    network = lookup(engine.networks.resolve, name, engine.networks.missing)
    configs = (networking or {}).get("EndpointsConfig") or {}
    if len(configs) > 1:
        raise Invalid("Container cannot be connected to network endpoints: "
                          + ", ".join(sorted(configs)))
    config = configs.get(name) or configs.get(network.name) or configs.get(network.id) or {}
    aliases = list(config.get("Aliases") or [])
    if aliases and not network.user_defined:
        raise Invalid("network-scoped alias is supported only for containers in user "
                          "defined networks")
    if config.get("IPAMConfig"):
        raise NotSupported("las direcciones IP fijas (ipv4_address)")
    endpoint = Endpoint(network, aliases, driver_opts=config.get("DriverOpts") or None)
    endpoint.mac_address = config.get("MacAddress") or ""
    endpoint.links = list(config.get("Links") or [])
    return {network.name: endpoint}


def _mounts(engine, container_id: str, body: dict, host_config: dict):
    specs = [parse_bind(b) for b in host_config.get("Binds") or []]
    specs += [parse_mount(m) for m in host_config.get("Mounts") or []]
    seen = {s.destination for s in specs}
    specs += [parse_bind(path) for path in (body.get("Volumes") or {}) if path not in seen]
    mounts, fs_mounts = [], {}
    for spec in specs:
        if spec.kind == "bind":
            raise NotSupported(f"los montajes de un directorio del host ({spec.name}); usa un "
                              "volumen con nombre: volumes={'datos': {'bind': '/data'}}")
        if spec.kind == "tmpfs":
            fs_mounts[spec.destination] = Filesystem()
            continue
        if spec.kind != "volume":
            raise NotSupported(f"los montajes de tipo {spec.kind}")
        anonymous = spec.name is None
        name = spec.name or new_id(engine.rng)
        existed = engine.volumes.get(name) is not None
        volume = engine.volumes.create(name, engine.clock.now, anonymous=anonymous)
        if not existed:
            engine.emit("volume", "create", name, driver="local")
        volume.users.add(container_id)
        fs_mounts[spec.destination] = volume.fs
        mounts.append({
            "Type": "volume", "Name": name, "Source": volume.inspect()["Mountpoint"],
            "Destination": spec.destination, "Driver": "local",
            "Mode": spec.mode or ("z" if anonymous else ""), "RW": not spec.read_only,
            "Propagation": "",
        })
    return mounts, fs_mounts


def create_container(engine, body: dict, name: str | None = None) -> Container:
    """Create a container from an API body (``Config`` fields plus ``HostConfig`` and
    ``NetworkingConfig``), as ``POST /containers/create?name=`` does."""
    ref = body.get("Image") or ""
    image = lookup(engine.images, ref)
    name = _check_name(engine, name) if name else _unique_random_name(engine)
    host_config = dict(body.get("HostConfig") or {})
    host_config["RestartPolicy"] = _restart_policy(host_config)
    host_config.setdefault("NetworkMode", "default")
    host_config["NetworkMode"] = host_config["NetworkMode"] or "default"
    host_config["PortBindings"] = host_config.get("PortBindings") or {}
    host_config.setdefault("Binds", None)
    host_config.setdefault("AutoRemove", False)
    host_config["LogConfig"] = _log_config(host_config.get("LogConfig"))
    host_config["Runtime"] = _runtime(host_config.get("Runtime"))
    endpoints = _endpoints(engine, host_config, body.get("NetworkingConfig"))
    if body.get("MacAddress"):
        next(iter(endpoints.values())).mac_address = body["MacAddress"]
    container_id = new_id(engine.rng)
    exposed = dict.fromkeys(image.exposed_ports, {})
    exposed.update(body.get("ExposedPorts") or {})
    for key in host_config["PortBindings"]:
        exposed.setdefault(key if "/" in key else f"{key}/tcp", {})
    cmd = body.get("Cmd")
    if isinstance(cmd, str):
        cmd = [cmd]
    asked_entrypoint = body.get("Entrypoint")
    entrypoint = asked_entrypoint or image.entrypoint
    if isinstance(entrypoint, str):
        entrypoint = [entrypoint]
    config = {
        "Hostname": body.get("Hostname") or container_id[:12], "Domainname": "",
        "User": body.get("User") or "", "AttachStdin": False, "AttachStdout": False,
        "AttachStderr": False, "ExposedPorts": exposed or None,
        "Tty": bool(body.get("Tty")), "OpenStdin": bool(body.get("OpenStdin")),
        "StdinOnce": False, "Env": _merge_env(image.env, body.get("Env")),
        "Cmd": list(cmd) if cmd else (None if asked_entrypoint else list(image.cmd) or None),
        "Healthcheck": _healthcheck(image, body.get("Healthcheck")),
        "Image": ref, "Volumes": body.get("Volumes"), "WorkingDir": body.get("WorkingDir") or "",
        "Entrypoint": list(entrypoint) if entrypoint else None, "OnBuild": None,
        "Labels": dict(body.get("Labels") or {}),
    }
    if body.get("StopTimeout") is not None:
        config["StopTimeout"] = body["StopTimeout"]
    if config["WorkingDir"]:
        raise NotSupported("working_dir (el simulador ejecuta siempre desde /)")
    mounts, fs_mounts = _mounts(engine, container_id, body, host_config)
    container = Container(
        id=container_id, name=name, seq=engine.containers.next_seq(), created=engine.clock.now,
        image=image, image_ref=ref, config=config, host_config=host_config,
        endpoints=endpoints, mounts=mounts,
    )
    container.view = ContainerView(image.rootfs(), fs_mounts)
    engine.containers.add(container)
    engine.emit("container", "create", container.id, image=ref, name=name, **config["Labels"])
    return container


def _unique_random_name(engine) -> str:
    while True:
        name = random_name(engine.rng)
        if name not in engine.containers.by_name:
            return name
        name = f"{name}{engine.rng.randint(0, 9)}"
        if name not in engine.containers.by_name:
            return name
