"""Services: the desired state (spec), its previous version, and the rollout's status.

Why keep ``PreviousSpec`` and ``UpdateStatus`` here as the engine reports them: rollback is
"make ``PreviousSpec`` the spec again" (so rolling back twice swaps back), and lessons check an
update's outcome by ``UpdateStatus.State`` (``updating``, ``paused``, ``completed``,
``rollback_started``, ``rollback_paused``, ``rollback_completed``). Any write (including a status
change) bumps ``Version.Index``, which docker-py must send back on ``update``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import NotSupported
from ..naming import rfc3339
from . import specs


@dataclass(eq=False)
class Service:
    """One service. ``template``/``key`` cache the spec's ``TaskTemplate`` and its text.

    >>> s = Service(id="s1", spec=specs.normalize({"Name": "web",
    ...     "TaskTemplate": {"ContainerSpec": {"Image": "course/web:1"}}}), created=0.0)
    >>> s.name, s.replicas, s.image
    ('web', 1, 'course/web:1')
    """

    id: str
    spec: dict
    created: float
    updated: float = 0.0
    version: int = 0
    previous_spec: dict | None = None
    update_status: dict | None = None
    template: dict = field(init=False)
    key: str = field(init=False)

    def __post_init__(self):
        self.set_spec(self.spec)

    def set_spec(self, spec: dict) -> None:
        self.spec = spec
        self.template = spec["TaskTemplate"]
        self.key = specs.template_key(self.template)

    @property
    def name(self) -> str:
        return self.spec["Name"]

    @property
    def replicas(self) -> int | None:
        """Wanted replicas, ``None`` for a global service."""
        return specs.replicas(self.spec)

    @property
    def is_global(self) -> bool:
        return self.replicas is None

    @property
    def image(self) -> str:
        return self.template["ContainerSpec"]["Image"]

    @property
    def labels(self) -> dict:
        return self.spec.get("Labels") or {}

    def inspect(self, insert_defaults: bool = False) -> dict:
        """The body of ``GET /services/{id}`` (``insertDefaults=true`` shows Swarm's defaults)."""
        shown = specs.with_defaults if insert_defaults else (lambda s: s)
        body = {
            "ID": self.id, "Version": {"Index": self.version},
            "CreatedAt": rfc3339(self.created), "UpdatedAt": rfc3339(self.updated),
            "Spec": shown(self.spec),
        }
        if self.previous_spec is not None:
            body["PreviousSpec"] = shown(self.previous_spec)
        endpoint_spec = self.spec.get("EndpointSpec") or {}
        body["Endpoint"] = {"Spec": {k: v for k, v in endpoint_spec.items() if k != "Mode"}}
        if self.update_status is not None:
            body["UpdateStatus"] = {k: (rfc3339(v) if k.endswith("At") else v)
                                    for k, v in self.update_status.items()}
        return body


def check_spec(spec: dict) -> None:
    """Reject what the engine rejects at create/update time (``ValueError`` → 400).

    >>> check_spec({"Name": "web", "TaskTemplate": {"ContainerSpec": {"Image": "x"}},
    ...             "Mode": {"Replicated": {"Replicas": -1}}})
    Traceback (most recent call last):
    ...
    ValueError: rpc error: code = InvalidArgument desc = Replicas must be a non-negative number
    """
    prefix = "rpc error: code = InvalidArgument desc = "
    container = (spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
    if not container.get("Image"):
        raise ValueError(prefix + "ContainerSpec: image reference must be provided")
    mode = specs.canonical_mode(spec.get("Mode"))
    if not set(mode) <= {"Replicated", "Global"}:

        raise NotSupported(f"los servicios en modo {', '.join(mode)} (solo replicated y global)")
    replicas = specs.replicas(spec)
    if replicas is not None and replicas < 0:
        raise ValueError(prefix + "Replicas must be a non-negative number")
    for config_key in ("UpdateConfig", "RollbackConfig"):
        config = specs.canonical_rollout(spec.get(config_key)) or {}
        action = config.get("FailureAction")
        if action is not None and action not in specs.FAILURE_ACTIONS:
            raise ValueError(prefix + f"{config_key}: unknown failure action {action!r}")
        order = config.get("Order")
        if order is not None and order not in specs.ORDERS:
            raise ValueError(prefix + f"{config_key}: unknown order {order!r}")
        if (config.get("Parallelism") or 0) < 0:
            raise ValueError(prefix + f"{config_key}: parallelism must be non-negative")
    name = spec.get("Name") or ""
    if name and (not all(c.isalnum() or c in "-_" for c in name) or name[0] in "-_"):
        raise ValueError(prefix + f"name must be valid as a DNS name component: {name!r}")
