"""Service specs: Swarm's own defaults, and the parts of a spec the orchestrator reads.

Why one module: docker-py's ``UpdateConfig()`` sends ``Parallelism 0, FailureAction continue``
while Swarm's defaults (moby/swarmkit ``api/defaults``) are parallelism 1, delay 0, failure action
pause, monitor 5s, max failure ratio 0, order stop-first; and restart policy any, delay 5s. The
orchestrator must apply *Swarm's* value wherever a field is absent, and ``insertDefaults=true``
(what docker-py asks before ``Service.update``/``scale``) must show exactly those values. Keeping
the defaults and their readers together makes both answers come from one table.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

SECOND = 1_000_000_000  # the API's durations are integer nanoseconds

UPDATE_DEFAULTS = {
    "Parallelism": 1, "FailureAction": "pause", "Monitor": 5 * SECOND,
    "MaxFailureRatio": 0, "Order": "stop-first",
}
RESTART_DEFAULTS = {"Condition": "any", "Delay": 5 * SECOND, "MaxAttempts": 0}
STOP_GRACE_DEFAULT = 10 * SECOND
FAILURE_ACTIONS = ("pause", "continue", "rollback")
ORDERS = ("stop-first", "start-first")


@dataclass(frozen=True)
class Rollout:
    """How to replace tasks: an ``UpdateConfig`` or ``RollbackConfig`` with defaults applied.

    >>> r = Rollout.from_spec(None)
    >>> r.parallelism, r.delay, r.failure_action, r.monitor, r.max_failure_ratio, r.order
    (1, 0.0, 'pause', 5.0, 0.0, 'stop-first')
    >>> Rollout.from_spec({"Parallelism": 0, "FailureAction": "continue"}).parallelism
    0
    """

    parallelism: int
    delay: float
    failure_action: str
    monitor: float
    max_failure_ratio: float
    order: str

    @classmethod
    def from_spec(cls, config: dict | None) -> Rollout:
        config = config or {}

        def get(key, default):
            value = config.get(key)
            return default if value is None else value

        return cls(
            parallelism=int(get("Parallelism", UPDATE_DEFAULTS["Parallelism"])),
            delay=get("Delay", 0) / SECOND,
            failure_action=get("FailureAction", UPDATE_DEFAULTS["FailureAction"]),
            monitor=get("Monitor", UPDATE_DEFAULTS["Monitor"]) / SECOND,
            max_failure_ratio=float(get("MaxFailureRatio", 0)),
            order=get("Order", UPDATE_DEFAULTS["Order"]),
        )


@dataclass(frozen=True)
class RestartPolicy:
    """``TaskTemplate.RestartPolicy`` with Swarm's defaults (condition any, delay 5s).

    >>> RestartPolicy.from_spec({"Condition": "on-failure"}).delay
    5.0
    """

    condition: str
    delay: float
    max_attempts: int

    @classmethod
    def from_spec(cls, template: dict) -> RestartPolicy:
        policy = template.get("RestartPolicy") or {}
        delay = policy.get("Delay")
        return cls(
            condition=policy.get("Condition") or "any",
            delay=(RESTART_DEFAULTS["Delay"] if delay is None else delay) / SECOND,
            max_attempts=int(policy.get("MaxAttempts") or 0),
        )


def with_defaults(spec: dict) -> dict:
    """The spec as ``GET /services/{id}?insertDefaults=true`` shows it.

    >>> s = with_defaults({"Name": "web", "TaskTemplate": {"ContainerSpec": {"Image": "x"}}})
    >>> s["UpdateConfig"]["FailureAction"], s["TaskTemplate"]["RestartPolicy"]["Condition"]
    ('pause', 'any')
    """
    spec = copy.deepcopy(spec)
    template = spec.setdefault("TaskTemplate", {})
    container = template.setdefault("ContainerSpec", {})
    container.setdefault("StopGracePeriod", STOP_GRACE_DEFAULT)
    container.setdefault("DNSConfig", {})
    template.setdefault("Resources", {})
    template["RestartPolicy"] = {**RESTART_DEFAULTS, **(template.get("RestartPolicy") or {})}
    template.setdefault("Placement", {})
    spec["UpdateConfig"] = {**UPDATE_DEFAULTS, **(spec.get("UpdateConfig") or {})}
    spec["RollbackConfig"] = {**UPDATE_DEFAULTS, **(spec.get("RollbackConfig") or {})}
    spec.setdefault("EndpointSpec", {"Mode": "vip"})
    return spec


def normalize(spec: dict) -> dict:
    """What the engine stores from a create/update body: ``None`` dropped, fixed fields set.

    >>> s = normalize({"Name": "w", "Labels": None,
    ...                "TaskTemplate": {"ContainerSpec": {"Image": "x"}}})
    >>> s["Labels"], s["Mode"], s["TaskTemplate"]["ForceUpdate"]
    ({}, {'Replicated': {'Replicas': 1}}, 0)
    """
    spec = _drop_none(copy.deepcopy(spec))
    spec["Labels"] = spec.get("Labels") or {}
    template = spec.setdefault("TaskTemplate", {})
    container = template.setdefault("ContainerSpec", {})
    container.setdefault("Isolation", "default")
    if template.get("Placement") == {}:
        del template["Placement"]
    template.setdefault("ForceUpdate", 0)
    template.setdefault("Runtime", "container")
    mode = canonical_mode(spec.get("Mode"))
    if "Replicated" in mode:
        replicas = (mode["Replicated"] or {}).get("Replicas")
        mode = {"Replicated": {"Replicas": 1 if replicas is None else int(replicas)}}
    spec["Mode"] = mode
    for key in ("UpdateConfig", "RollbackConfig"):
        if key in spec:
            config = {"MaxFailureRatio": 0, **canonical_rollout(spec[key])}
            for zero_omitted in ("Delay", "Monitor"):  # Go's omitempty
                if not config.get(zero_omitted):
                    config.pop(zero_omitted, None)
            spec[key] = config
    if "EndpointSpec" in spec and not spec["EndpointSpec"]:
        del spec["EndpointSpec"]
    if "Networks" in spec and "Networks" not in template:  # the pre-1.25 field
        template["Networks"] = spec.pop("Networks")
    spec.pop("Networks", None)
    return spec


ROLLOUT_KEYS = ("Parallelism", "Delay", "FailureAction", "Monitor", "MaxFailureRatio", "Order")


def canonical_rollout(config: dict | None) -> dict | None:
    """An ``UpdateConfig``/``RollbackConfig`` with the engine's key case (Go's JSON decoding
    ignores case: docker-py passes a plain dict such as ``{'order': 'start-first'}`` as it is).

    >>> canonical_rollout({"order": "start-first", "parallelism": 2})
    {'Order': 'start-first', 'Parallelism': 2}
    """
    if not isinstance(config, dict):
        return config
    names = {k.lower(): k for k in ROLLOUT_KEYS}
    return {names.get(k.lower(), k): v for k, v in config.items()}


def canonical_mode(mode: dict | None) -> dict:
    """``Mode`` with the engine's key case (Go's JSON decoding ignores case; docker-py's
    ``ServiceMode`` sends ``replicated``/``global``).

    >>> canonical_mode({"replicated": {"Replicas": 2}}), canonical_mode(None)
    ({'Replicated': {'Replicas': 2}}, {'Replicated': {}})
    """
    names = {"replicated": "Replicated", "global": "Global", "replicatedjob": "ReplicatedJob",
             "globaljob": "GlobalJob"}
    if not mode:
        return {"Replicated": {}}
    return {names.get(k.lower().replace("-", ""), k): v for k, v in mode.items()}


def template_key(template: dict) -> str:
    """A canonical text of a task template: equal keys mean a task is up to date (not dirty)."""
    return json.dumps(template, sort_keys=True)


def replicas(spec: dict) -> int | None:
    """The replica count, or ``None`` for a global service."""
    mode = canonical_mode(spec.get("Mode"))
    if "Global" in mode:
        return None
    return int((mode.get("Replicated") or {}).get("Replicas", 1))


def reservations(template: dict) -> tuple[int, int]:
    """``(NanoCPUs, MemoryBytes)`` reserved by one task of this template."""
    reserved = (template.get("Resources") or {}).get("Reservations") or {}
    return int(reserved.get("NanoCPUs") or 0), int(reserved.get("MemoryBytes") or 0)


def constraints(template: dict) -> list[str]:
    return list((template.get("Placement") or {}).get("Constraints") or [])


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value
