"""The embedded DNS server (127.0.0.11): names, aliases and short ids on user-defined networks.

Why: "containers find each other by name" is true only on user-defined networks, and a shared
alias is the simplest load balancing there is (DNS round-robin). The engine answers from the
networks the asking container is attached to, first match wins, and shuffles several answers
(libnetwork's resolver); the shuffle here draws from the engine's seeded RNG. On the default
bridge a container asks the host's resolver instead, which knows no container names.
"""

from __future__ import annotations

EMBEDDED_DNS = "127.0.0.11"
HOST_DNS = "8.8.8.8"  # what the engine falls back to when the host has no usable resolver


def register(network, container_id: str, names) -> None:
    """Make ``names`` resolve to the container on ``network`` (at connect or start)."""
    for name in names:
        ids = network.dns.setdefault(name.lower(), [])
        if container_id not in ids:
            ids.append(container_id)


def unregister(network, container_id: str, names) -> None:
    for name in names:
        ids = network.dns.get(name.lower())
        if ids and container_id in ids:
            ids.remove(container_id)
            if not ids:
                del network.dns[name.lower()]


def names_of(container, endpoint) -> list[str]:
    """What resolves to a container on a user-defined network: name, aliases, short id."""
    return [container.name, *endpoint.aliases, container.short_id]


def server_for(container) -> str:
    """The nameserver in the container's ``/etc/resolv.conf``."""
    user = any(ep.network.user_defined for ep in container.endpoints.values())
    return EMBEDDED_DNS if user else HOST_DNS


def resolve(engine, container, name: str) -> list[str] | None:
    """The IPv4 answers the container gets for ``name`` (``None``: NXDOMAIN).

    Answers come from the first of the container's user-defined networks that knows the name;
    several answers are shuffled with ``engine.rng``.
    """
    name = name.rstrip(".").lower()
    for endpoint in container.endpoints.values():
        network = endpoint.network
        if not network.user_defined or not endpoint.ip:
            continue
        ids = network.dns.get(name)
        if not ids:  # a network-scoped link's alias: only the linking container sees it
            target = {alias.lower(): target for target, alias in
                      (link.split(":", 1) for link in endpoint.links if ":" in link)}.get(name)
            ids = network.dns.get(target.lower()) if target else None
        if not ids and name.endswith("." + network.name):
            ids = network.dns.get(name[: -len(network.name) - 1])
        if ids:
            answers = [network.containers[i] for i in ids if network.containers.get(i)]
            if len(answers) > 1:
                engine.rng.shuffle(answers)
            if answers:
                return answers
    return None
