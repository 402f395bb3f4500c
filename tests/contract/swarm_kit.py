"""Swarm on both backends for the contract suite: init once, scope by label, leave at the end.

Why a helper module: the real engine is shared (other suites run containers on it), so the
Swarm scenarios put it in Swarm mode only if it was not already, remove everything they created
by label after each test (also when it failed), and leave Swarm mode at the end of the module
if they entered it. On the simulator each test gets a fresh engine and its own Swarm.
"""

from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager

import docker
from docker.types import EndpointSpec, ServiceMode, UpdateConfig

SECOND = 1_000_000_000
LEASE_PATH = "/tmp/course-kit-swarm.lock"  # shared by every process that toggles Swarm mode
GRACE = SECOND  # stop_grace_period of every test service: busybox httpd ignores SIGTERM


@contextmanager
def swarm_lease(timeout: float = 600.0):
    """Hold the engine's Swarm mode for this process: one ``init``…``leave`` at a time.

    The engine is shared; a second process that leaves Swarm mode while this one runs its
    scenarios breaks them (and two concurrent ``leave`` calls can wedge the engine's Swarm).
    Every process that takes this lock on ``LEASE_PATH`` before ``init`` waits its turn.
    """
    with open(LEASE_PATH, "a") as handle:
        waited = 0.0
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if waited > timeout:
                    raise TimeoutError(f"another process holds {LEASE_PATH}") from None
                time.sleep(0.5)
                waited += 0.5
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def repair_wedged_swarm(client) -> bool:
    """Leave a Swarm the engine reports active but cannot serve (``NodeID`` empty, an
    ``Error``): what concurrent ``init``/``leave`` from two processes leave behind on 20.10."""
    state = client.info().get("Swarm", {})
    if state.get("LocalNodeState") == "active" and not state.get("NodeID"):
        client.swarm.leave(force=True)
        return True
    return False


def in_swarm(client) -> bool:
    return client.info().get("Swarm", {}).get("LocalNodeState") == "active"


def create_service(kit, base="web", version=1, replicas=2, order="stop-first",
                   failure_action="pause", monitor=2 * SECOND, parallelism=1, **kwargs):
    """A replicated dnsrr service of the lab image, every update field explicit."""
    return kit.client.services.create(
        kit.image(version), name=kit.name(base), labels=kit.labels, container_labels=kit.labels,
        mode=ServiceMode("replicated", replicas=replicas),
        endpoint_spec=EndpointSpec(mode="dnsrr"), stop_grace_period=GRACE,
        update_config=UpdateConfig(parallelism=parallelism, delay=0,
                                   failure_action=failure_action, monitor=monitor,
                                   max_failure_ratio=0, order=order),
        **kwargs)


def tasks(service, desired: str | None = None) -> list[dict]:
    filters = {"desired-state": desired} if desired else None
    return service.tasks(filters=filters)


def running(service, image: str | None = None) -> list[dict]:
    """Tasks observed running (whatever their desired state), optionally of one image."""
    return [t for t in service.tasks() if t["Status"]["State"] == "running"
            and (image is None or t["Spec"]["ContainerSpec"]["Image"] == image)]


def converged(service, replicas: int, image: str) -> bool:
    """Exactly ``replicas`` tasks desired and observed running, all of ``image``."""
    live = [t for t in tasks(service, "running") if t["Status"]["State"] == "running"]
    return len(live) == replicas and all(
        t["Spec"]["ContainerSpec"]["Image"] == image for t in live) and len(
        tasks(service, "running")) == replicas


def update_state(service) -> str | None:
    service.reload()
    return (service.attrs.get("UpdateStatus") or {}).get("State")


def remove_scoped(kit, timeout: float = 30.0) -> None:
    """Remove the test's services, then wait for their containers, then secrets and networks."""
    client = kit.client
    if not in_swarm(client):
        return
    flt = {"label": f"course.test={kit.test_id}"}
    for service in client.services.list(filters=flt):
        try:
            service.remove()
        except docker.errors.NotFound:
            pass
    deadline = timeout
    while _containers_left(client, flt) and deadline > 0:
        kit.sleep(0.5)
        deadline -= 0.5
    for secret in client.secrets.list(filters=flt):
        for _ in range(20):  # the engine frees a secret once its tasks are gone
            try:
                secret.remove()
                break
            except docker.errors.NotFound:
                break
            except docker.errors.APIError:
                kit.sleep(0.5)
    for network in client.networks.list(filters=flt):
        for _ in range(20):
            try:
                network.remove()
                break
            except docker.errors.NotFound:
                break
            except docker.errors.APIError:
                kit.sleep(0.5)


def _containers_left(client, flt) -> bool:
    try:
        return bool(client.containers.list(all=True, filters=flt))
    except docker.errors.NotFound:  # removed between the engine's list and docker-py's inspect
        return True


def kit_leftovers(client) -> list[str]:
    """Services, secrets and networks of the kit that this suite run created, still there
    (the engine is shared: other suites' objects are theirs to clean)."""
    from .conftest import SUITE_LABEL

    flt = {"label": ["course.kit=modulo7", f"{SUITE_LABEL[0]}={SUITE_LABEL[1]}"]}
    left = [f"network {n.name}" for n in client.networks.list(filters=flt)]
    if in_swarm(client):
        left += [f"service {s.name}" for s in client.services.list(filters=flt)]
        left += [f"secret {s.name}" for s in client.secrets.list(filters=flt)]
    return left


def real_sleep(seconds: float) -> None:
    time.sleep(seconds)
