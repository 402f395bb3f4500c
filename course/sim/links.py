"""Legacy container links (``links={'db': 'alias'}``): the environment the engine gives a
container about the containers it links to.

Why: moby still sets, for each link, ``ALIAS_NAME=/<container>/<alias>``, one ``ALIAS_ENV_<VAR>``
per variable of the linked container (not ``HOME`` or ``PATH``) and the ``ALIAS_PORT_*`` family
for its exposed ports; docker-py's own tests read them with ``env``.
"""

from __future__ import annotations

from .errors import Invalid


def parse(entry: str) -> tuple[str, str]:
    """``"db:alias"`` (docker-py) or ``"/db:/web/alias"`` (inspect) → ``("db", "alias")``."""
    name, _, alias = entry.partition(":")
    return name.strip("/"), (alias or name).rsplit("/", 1)[-1]


def environment(engine, container) -> list[str]:
    """The link variables of ``container``, resolved when it starts."""
    env: list[str] = []
    for entry in container.host_config.get("Links") or []:
        name, alias = parse(entry)
        linked = engine.containers.find(name)
        if linked is None or not linked.running:
            raise Invalid(f"Cannot link to a non running container: /{name} AS "
                              f"/{container.name}/{alias}")
        prefix = alias.upper().replace("-", "_").replace(".", "_")
        ip = next((ep.ip for ep in linked.endpoints.values() if ep.ip), "")
        ports = sorted(linked.config.get("ExposedPorts") or {})
        if ports:
            port, _, proto = ports[0].partition("/")
            env.append(f"{prefix}_PORT={proto or 'tcp'}://{ip}:{port}")
        for spec in ports:
            port, _, proto = spec.partition("/")
            proto = proto or "tcp"
            key = f"{prefix}_PORT_{port}_{proto.upper()}"
            env += [f"{key}={proto}://{ip}:{port}", f"{key}_ADDR={ip}", f"{key}_PORT={port}",
                    f"{key}_PROTO={proto}"]
        env.append(f"{prefix}_NAME=/{container.name}/{alias}")
        for var in linked.config.get("Env") or []:
            key, sep, value = var.partition("=")
            if sep and key not in ("HOME", "PATH"):
                env.append(f"{prefix}_ENV_{key}={value}")
    return env
