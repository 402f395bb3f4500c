"""Swarm mode for a lab: enter it when a lesson needs it, leave it only when the kit made it and
nothing is left on it.

Why a module of its own: Swarm mode belongs to the engine, not to one lab. Several notebooks
(and, here, several test runs) share one engine; entering and leaving must tolerate another lab
doing the same at the same moment, and a swarm the user made, or one another notebook still
uses, is never taken down. ``Lab.ensure_swarm`` and ``Lab.cleanup`` call these functions.
"""

from __future__ import annotations

import docker

KIT_LABEL = "course.kit"
KIT_VALUE = "modulo7"


def in_swarm(client) -> bool:
    """The engine is an active Swarm node (``False`` when it does not answer)."""
    try:
        return client.info().get("Swarm", {}).get("LocalNodeState") == "active"
    except docker.errors.DockerException:
        return False


def ensure_swarm(client, now, sleep, seconds: float = 30.0) -> bool:
    """Put the engine in Swarm mode unless it already is and wait until its manager answers;
    ``True`` if this call made the swarm. ``now``/``sleep`` are the lab's clock (virtual on the
    simulator). See :meth:`course.Lab.ensure_swarm`."""
    made = False
    deadline = now() + seconds
    while True:
        swarm = client.info().get("Swarm", {})
        state = swarm.get("LocalNodeState")
        if state == "locked":  # autolock: only its owner has the key; never throw it away
            raise docker.errors.DockerException(
                "El Swarm de este motor está bloqueado (autolock): desbloquéalo con "
                "'docker swarm unlock' y vuelve a ejecutar la celda.")
        pause = 0.25
        try:
            if state in (None, "", "inactive"):
                # docker-py#1359: with several interfaces init needs an advertise address
                client.swarm.init(advertise_addr="127.0.0.1", labels={KIT_LABEL: KIT_VALUE})
                made, pause = True, 0  # look again at once: the manager often answers already
            elif state != "active" or not swarm.get("NodeID"):
                # "active" without a node, "pending" or "error": a swarm left half-made (two
                # processes that init and leave at once can do this). Nobody can use it.
                leave_swarm(client, now, sleep)
            else:
                client.nodes.list()  # does the manager answer the API yet?
                return made
        except docker.errors.APIError as error:
            # A new manager without a leader yet, or another lab entering or leaving Swarm at
            # this moment: look again. A swarm whose connection "is closing" never recovers.
            if "connection is closing" in str(error):
                leave_swarm(client, now, sleep)
        if now() > deadline:
            raise docker.errors.DockerException(
                "El modo Swarm del motor no responde. Arréglalo con "
                "'docker swarm leave --force' y vuelve a ejecutar la celda.")
        sleep(pause)


def leave_swarm(client, now, sleep, seconds: float = 10.0) -> bool:
    """Leave Swarm (force) and wait, for at most ``seconds``, until the engine is out of it;
    ``True`` if it is. Never raises: it runs on a shared engine another lab may be entering or
    leaving at the same moment."""
    try:
        client.swarm.leave(force=True)
    except docker.errors.APIError:
        pass
    deadline = now() + seconds
    while True:
        try:
            if client.info().get("Swarm", {}).get("LocalNodeState") == "inactive":
                return True
        except docker.errors.DockerException:
            return False
        if now() > deadline:
            return False
        sleep(0.2)


def lab_services(client, filters: dict) -> list:
    return client.services.list(filters=filters) if in_swarm(client) else []


def lab_secrets(client, filters: dict) -> list:
    return client.secrets.list(filters=filters) if in_swarm(client) else []


def kit_swarm_is_idle(client) -> bool:
    """The swarm is the kit's own and no service or secret is left on it (another notebook's
    would go down with it)."""
    try:
        if not in_swarm(client):
            return False
        client.swarm.reload()
        labels = client.swarm.attrs.get("Spec", {}).get("Labels") or {}
        return (labels.get(KIT_LABEL) == KIT_VALUE and not client.services.list()
                and not client.secrets.list())
    except docker.errors.DockerException:
        return False
