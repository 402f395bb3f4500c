"""What student code may ask of the Docker engine while it is graded: the grading proxy's rules.

On ``--backend docker`` a confined kernel reaches the engine only through the grader's proxy
(:mod:`course.grading.engine_proxy`), which passes every request through :func:`decide` first.
The rules, and why:

* **Its own objects only.** What the kernel creates (containers, services, networks, volumes,
  secrets, configs) gets the kernel's label ``course.grading=<token>`` from the proxy, never from
  the student. A request that names an object is let through only if the object carries that
  label, and it goes on with the object's full ID [a name could be made to point elsewhere between
  the check and the call]. Other objects do not exist for it (404); lists and events show only
  its own, so two submissions graded on one engine cannot see, enter or stop each other's.
* **Nothing of the host.** Refused (403, in Spanish): bind mounts of host paths, volumes with
  driver options (the local driver binds host folders with them), privileged mode, added
  capabilities, devices, the host's (or another object's) namespaces, security options, sysctls,
  cgroup parents, log drivers that ship logs off the machine, ports published beyond loopback,
  image builds and pulls, plugins, node and swarm changes, and every route not listed here.
* **Swarm mode is one state of the engine**: only the notebook that holds the Swarm turn
  (:mod:`course.grading.swarm_turns`) may enter or leave it. The swarm's join tokens are hidden.
* Shared reads pass: ping, version, info, images, nodes, the engine's own networks.

The lab images are built by the grader before grading, outside the sandbox (builds are refused).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

import docker

GRADING_LABEL = "course.grading"
GRADER_LABEL = "course.grading.pid"  # the grading process that served the kernel
BUILTIN_NETWORKS = ("bridge", "host", "none", "ingress", "docker_gwbridge")
LOG_DRIVERS = ("", "json-file", "local", "none")
MAX_CREATES = 300  # objects one kernel may create: a lesson makes a few dozen
MAX_REPLICAS = 30
# ceilings on each container (a lab's busybox needs a few MiB and processes): a fork bomb or a
# memory hog inside a container stays inside it
MAX_PIDS = 256
MAX_MEMORY = 1 << 30
DEVICE_KEYS = ("Devices", "DeviceRequests", "DeviceCgroupRules", "CgroupParent")
REF = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
REFUSED = ("El corrector no deja hacer esto con el motor Docker: {why}. Durante la corrección el "
           "código solo puede usar los objetos de su propio laboratorio, sin nada del equipo.")


class Refused(Exception):
    """A request that does not reach the engine: ``status`` and a message for the student."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def refuse(why: str) -> Refused:
    return Refused(403, REFUSED.format(why=why))


@dataclass
class Request:
    """One Engine API request: ``path`` decoded and without its ``/v1.NN`` prefix."""

    method: str
    path: str
    query: list[tuple[str, str]]
    body: bytes = b""
    version: str = ""


@dataclass
class Decision:
    """What goes to the engine: the request (maybe rewritten), and how its answer comes back."""

    request: Request
    hijack: bool = False  # exec/attach: the connection becomes the process's stream
    answer: Callable[[object], object] | None = None  # rewrites a JSON answer (lists, swarm)


@dataclass
class Scope:
    """One kernel's view of the engine: its token, whether it holds the Swarm turn, and the
    engine (a docker-py ``APIClient``, outside the sandbox) to look objects up on."""

    api: docker.APIClient
    token: str
    swarm_turn: bool = False
    creates: int = 0
    swarm_objects: bool = False  # made a service, secret or config: the sweep asks Swarm too
    extra_labels: dict[str, str] = field(default_factory=dict)
    # (kind, full ID) of objects found to be this kernel's, asked for by that ID. An ID names one
    # object for ever, so the yes stays true: asking again is only cost (an inspect per request,
    # and docker-py's list inspects each container it lists). Not names: a name can be given to
    # a new object (a volume's name is its ID).
    owned: set[tuple[str, str]] = field(default_factory=set)

    def labels(self) -> dict[str, str]:
        return {GRADING_LABEL: self.token, **self.extra_labels}

    def mine(self, labels) -> bool:
        return (labels or {}).get(GRADING_LABEL) == self.token

    def counted(self) -> None:
        self.creates += 1
        if self.creates > MAX_CREATES:
            raise refuse(f"no se pueden crear más de {MAX_CREATES} objetos en una corrección")

    def own(self, kind: str, ref: str) -> str:
        """The full ID of ``ref`` if it is one of this kernel's objects; 404 otherwise."""
        if (kind, ref) in self.owned:
            return ref
        inspect, labels_of, id_of = KINDS[kind]
        try:
            attrs = inspect(self.api, ref)
        except docker.errors.NotFound:
            attrs = None
        except docker.errors.APIError as error:  # e.g. 503: not a swarm manager
            raise Refused(error.status_code or 500, error.explanation or str(error)) from None
        if attrs is None or not labels_of(self, attrs):
            raise Refused(404, f"No such {kind}: {ref} (no existe en este laboratorio)")
        full = id_of(attrs)
        if ref == full and kind != "volume":
            self.owned.add((kind, full))
        return full


def _exec_labels(scope: Scope, attrs: dict) -> bool:
    try:
        scope.own("container", attrs["ContainerID"])
    except Refused:
        return False
    return True


KINDS = {
    "container": (lambda api, r: api.inspect_container(r),
                  lambda s, a: s.mine(a["Config"].get("Labels")), lambda a: a["Id"]),
    "exec": (lambda api, r: api.exec_inspect(r), _exec_labels, lambda a: a["ID"]),
    "service": (lambda api, r: api.inspect_service(r),
                lambda s, a: s.mine(a["Spec"].get("Labels")), lambda a: a["ID"]),
    "task": (lambda api, r: api.inspect_task(r),
             lambda s, a: s.mine(_task_labels(a)), lambda a: a["ID"]),
    "network": (lambda api, r: api.inspect_network(r),
                lambda s, a: s.mine(a.get("Labels")), lambda a: a["Id"]),
    "volume": (lambda api, r: api.inspect_volume(r),
               lambda s, a: s.mine(a.get("Labels")), lambda a: a["Name"]),
    "secret": (lambda api, r: api.inspect_secret(r),
               lambda s, a: s.mine(a["Spec"].get("Labels")), lambda a: a["ID"]),
    "config": (lambda api, r: api.inspect_config(r),
               lambda s, a: s.mine(a["Spec"].get("Labels")), lambda a: a["ID"]),
}


def _task_labels(task: dict) -> dict:
    return ((task.get("Spec") or {}).get("ContainerSpec") or {}).get("Labels") or {}


# -- answers: what the kernel may see of a list ------------------------------------------------
def _only(labels_of: Callable[[dict], dict]) -> Callable[[Scope], Callable]:
    def make(scope: Scope):
        return lambda items: [i for i in items if scope.mine(labels_of(i))]
    return make


LISTS = {
    "containers": _only(lambda c: c.get("Labels")),
    "services": _only(lambda s: s["Spec"].get("Labels")),
    "tasks": _only(_task_labels),
    "secrets": _only(lambda s: s["Spec"].get("Labels")),
    "configs": _only(lambda s: s["Spec"].get("Labels")),
}


def _networks_answer(scope: Scope):
    return lambda items: [n for n in items if scope.mine(n.get("Labels"))
                          or (n.get("Name") in BUILTIN_NETWORKS and not n.get("Labels"))]


def _volumes_answer(scope: Scope):
    def answer(body):
        body["Volumes"] = [v for v in body.get("Volumes") or [] if scope.mine(v.get("Labels"))]
        return body
    return answer


def _swarm_answer(body):
    body["JoinTokens"] = {"Worker": "", "Manager": ""}  # a worker could join with them
    return body


# -- the checks of what a create asks for -------------------------------------------------------
def _json(request: Request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise Refused(400, "El cuerpo de la petición no es JSON.") from None
    if not isinstance(body, dict):
        raise Refused(400, "El cuerpo de la petición debe ser un objeto JSON.")
    return body


def _with(request: Request, body: dict) -> Request:
    request.body = json.dumps(body).encode()
    return request


def _labelled(scope: Scope, labels) -> dict:
    return {**(labels or {}), **scope.labels()}


def _volume_source(scope: Scope, name: str) -> None:
    """A named volume a container or task mounts: its own, or a new one it gets now."""
    if not name or "/" in name or name.startswith(".") or not re.fullmatch(REF, name):
        raise refuse(f"montar {name!r}: solo se montan volúmenes con nombre, no carpetas del "
                     "equipo")
    try:
        scope.own("volume", name)
    except Refused as error:
        if error.status != 404:
            raise
        try:
            scope.api.inspect_volume(name)
        except docker.errors.NotFound:  # Docker would make it without the label: make it here
            scope.counted()
            scope.api.create_volume(name, labels=scope.labels())
            return
        raise refuse(f"el volumen {name!r} no es de este laboratorio") from None


def _mounts(scope: Scope, mounts) -> None:
    for mount in mounts or []:
        kind = mount.get("Type", "volume")
        if kind == "tmpfs":
            continue
        if kind != "volume":
            raise refuse(f"un montaje de tipo {kind!r} (del equipo): usa un volumen con nombre")
        if (mount.get("VolumeOptions") or {}).get("DriverConfig"):
            raise refuse("opciones de driver en un volumen (pueden montar carpetas del equipo)")
        if mount.get("Source"):
            _volume_source(scope, mount["Source"])


def _namespace(scope: Scope, what: str, mode) -> None:
    mode = mode or ""
    if mode == "host":
        raise refuse(f"usar el espacio de nombres {what} del equipo (modo 'host')")
    if mode.startswith("container:"):
        scope.own("container", mode.removeprefix("container:"))


def _network(scope: Scope, ref: str) -> None:
    if ref in ("", "default", "bridge", "none"):
        return
    if ref == "host":
        raise refuse("la red del equipo (network_mode='host')")
    scope.own("network", ref)


def _host_config(scope: Scope, host: dict) -> None:
    for key in ("Privileged", "PublishAllPorts"):
        if host.get(key):
            raise refuse(f"{key}=True")
    for key in ("CapAdd", "Devices", "DeviceRequests", "DeviceCgroupRules", "Sysctls",
                "CgroupParent", "MaskedPaths", "ReadonlyPaths", "ContainerIDFile"):
        if host.get(key):
            raise refuse(f"{key} (da al contenedor partes del equipo)")
    if any(not str(opt).startswith("no-new-privileges") for opt in host.get("SecurityOpt") or []):
        raise refuse("SecurityOpt (quita protecciones del contenedor)")
    if host.get("Runtime") not in (None, "", "runc"):
        raise refuse(f"el runtime {host['Runtime']!r}")
    if (host.get("LogConfig") or {}).get("Type", "") not in LOG_DRIVERS:
        raise refuse("un driver de logs que los envía fuera del equipo")
    for bind in host.get("Binds") or []:
        _volume_source(scope, str(bind).split(":", 1)[0])
    _mounts(scope, host.get("Mounts"))
    for what, key in (("de procesos", "PidMode"), ("IPC", "IpcMode"), ("UTS", "UTSMode"),
                      ("de usuarios", "UsernsMode"), ("de cgroups", "CgroupnsMode")):
        _namespace(scope, what, host.get(key))
    mode = host.get("NetworkMode") or ""
    if mode.startswith("container:"):
        _namespace(scope, "de red", mode)
    else:
        _network(scope, mode)
    for ref in host.get("VolumesFrom") or []:
        scope.own("container", str(ref).split(":", 1)[0])
    for link in host.get("Links") or []:
        scope.own("container", str(link).split(":", 1)[0].lstrip("/"))
    for bindings in (host.get("PortBindings") or {}).values():
        for binding in bindings or []:
            binding = binding or {}
            if binding.get("HostIp") not in ("127.0.0.1", "::1") \
                    or str(binding.get("HostPort") or "0") != "0":
                raise refuse("publicar un puerto fuera de 127.0.0.1 o en un puerto elegido (otro "
                             "servicio del equipo podría usarlo): publica en 127.0.0.1 y deja que "
                             "el motor elija el puerto (ports={'80/tcp': ('127.0.0.1', None)})")
    _ceilings(host, "PidsLimit", MAX_PIDS)
    _ceilings(host, "Memory", MAX_MEMORY)


def _ceilings(limits: dict, key: str, ceiling: int) -> None:
    """``limits[key]`` at most ``ceiling`` (unset, 0 and -1 mean no limit: then the ceiling)."""
    value = limits.get(key)
    if not isinstance(value, int) or value <= 0 or value > ceiling:
        limits[key] = ceiling


def create_container(scope: Scope, request: Request, match) -> Decision:
    body = _json(request)
    body["HostConfig"] = body.get("HostConfig") or {}
    _host_config(scope, body["HostConfig"])
    for ref in ((body.get("NetworkingConfig") or {}).get("EndpointsConfig") or {}):
        _network(scope, ref)
    body["Labels"] = _labelled(scope, body.get("Labels"))
    scope.counted()
    return Decision(_with(request, body))


def update_container(scope: Scope, request: Request, match) -> Decision:
    """``docker update``: resources and restart policy, within the same ceilings, no devices."""
    request.path = f"/containers/{scope.own('container', match['ref'])}/update"
    body = _json(request)
    if any(body.get(key) for key in DEVICE_KEYS):
        raise refuse("dispositivos o cgroups del equipo")
    for key, ceiling in (("PidsLimit", MAX_PIDS), ("Memory", MAX_MEMORY)):
        if key in body:
            _ceilings(body, key, ceiling)
    return Decision(_with(request, body))


def create_exec(scope: Scope, request: Request, match) -> Decision:
    request.path = f"/containers/{scope.own('container', match['ref'])}/exec"
    if _json(request).get("Privileged"):
        raise refuse("exec con privileged=True")
    return Decision(request)


def _task_template(scope: Scope, template: dict) -> None:
    spec = template.get("ContainerSpec") or {}
    if template.get("PluginSpec") or template.get("Runtime") not in (None, "", "container"):
        raise refuse("tareas que no son contenedores (plugins)")
    if any(spec.get(k) for k in ("CapabilityAdd", "Sysctls", "Devices")):
        raise refuse("capacidades, sysctls o dispositivos añadidos")
    privileges = spec.get("Privileges") or {}
    if any(v for k, v in privileges.items() if k != "NoNewPrivileges"):
        raise refuse("Privileges (quita protecciones del contenedor)")
    _mounts(scope, spec.get("Mounts"))
    for secret in spec.get("Secrets") or []:
        scope.own("secret", secret.get("SecretID", ""))
    for config in spec.get("Configs") or []:
        scope.own("config", config.get("ConfigID", ""))
    if ((template.get("LogDriver") or {}).get("Name") or "") not in LOG_DRIVERS:
        raise refuse("un driver de logs que los envía fuera del equipo")
    spec["Labels"] = _labelled(scope, spec.get("Labels"))
    template["ContainerSpec"] = spec
    resources = template.setdefault("Resources", {}) or {}
    limits = resources.setdefault("Limits", {}) or {}
    _ceilings(limits, "MemoryBytes", MAX_MEMORY)
    _ceilings(limits, "Pids", MAX_PIDS)
    resources["Limits"], template["Resources"] = limits, resources


def _service_spec(scope: Scope, body: dict) -> dict:
    template = body.get("TaskTemplate") or {}
    _task_template(scope, template)
    body["TaskTemplate"] = template
    for network in (template.get("Networks") or []) + (body.get("Networks") or []):
        scope.own("network", network.get("Target", ""))
    replicas = ((body.get("Mode") or {}).get("Replicated") or {}).get("Replicas", 1)
    if not isinstance(replicas, int) or replicas > MAX_REPLICAS:
        raise refuse(f"más de {MAX_REPLICAS} réplicas")
    if any(p.get("PublishedPort") for p in (body.get("EndpointSpec") or {}).get("Ports") or []):
        raise refuse("publicar un puerto del servicio (el routing mesh lo abre en todas las "
                     "interfaces del equipo)")
    body["Labels"] = _labelled(scope, body.get("Labels"))
    return body


def create_service(scope: Scope, request: Request, match) -> Decision:
    body = _service_spec(scope, _json(request))
    scope.counted()
    scope.swarm_objects = True
    return Decision(_with(request, body))


def update_service(scope: Scope, request: Request, match) -> Decision:
    request.path = f"/services/{scope.own('service', match['ref'])}/update"
    return Decision(_with(request, _service_spec(scope, _json(request))))


def create_network(scope: Scope, request: Request, match) -> Decision:
    body = _json(request)
    if body.get("Driver") not in (None, "", "bridge", "overlay"):
        raise refuse(f"una red con el driver {body['Driver']!r}")
    if body.get("Options") or body.get("Ingress") or body.get("ConfigFrom") \
            or body.get("ConfigOnly"):
        raise refuse("opciones de red, redes ingress o de configuración")
    ipam = body.get("IPAM") or {}
    if ipam.get("Config") or ipam.get("Driver") not in (None, "", "default") \
            or ipam.get("Options"):
        raise refuse("elegir la subred (podría chocar con la del equipo): deja que la elija el "
                     "motor")
    body["Labels"] = _labelled(scope, body.get("Labels"))
    scope.counted()
    return Decision(_with(request, body))


def connect_network(scope: Scope, request: Request, match) -> Decision:
    body = _json(request)
    body["Container"] = scope.own("container", str(body.get("Container", "")))
    request.path = f"/networks/{scope.own('network', match['ref'])}/{match['verb']}"
    return Decision(_with(request, body))


def read_network(scope: Scope, request: Request, match) -> Decision:
    if match["ref"] not in BUILTIN_NETWORKS:
        request.path = f"/networks/{scope.own('network', match['ref'])}"
        return Decision(request)
    # the engine's own networks: their containers are everyone's, so none is shown
    return Decision(request, answer=lambda body: {**body, "Containers": {}})


def swarm_init(scope: Scope, request: Request, match) -> Decision:
    """Only with the turn, and only the addresses and labels of the request: no autolock or
    external CA that would outlive the notebook, no forced new cluster. [Forcing the listen
    address onto loopback left the engine's swarm stuck under load in CI's engine validate.]"""
    swarm_turn(scope, request, match)
    asked = _json(request)
    body = {key: asked[key] for key in ("ListenAddr", "AdvertiseAddr", "DataPathAddr")
            if isinstance(asked.get(key), str)}
    body.update(ForceNewCluster=False,
                Spec={"Labels": ((asked.get("Spec") or {}).get("Labels")) or {}})
    return Decision(_with(request, body))


def create_labelled(kind: str, drivers: tuple[str, ...]) -> Callable:
    """Volumes, secrets, configs: the default driver, no options, and the kernel's label."""
    def create(scope: Scope, request: Request, match) -> Decision:
        body = _json(request)
        if body.get("Driver") not in (None, "", *drivers) or body.get("DriverOpts") \
                or body.get("Templating"):
            raise refuse(f"un {kind} con driver u opciones (pueden montar carpetas del equipo)")
        body["Labels"] = _labelled(scope, body.get("Labels"))
        scope.counted()
        scope.swarm_objects |= kind != "volumen"
        return Decision(_with(request, body))
    return create


def on_own(kind: str, hijack: bool = False) -> Callable:
    """A request on one object of ``kind``: its own, by full ID."""
    def handle(scope: Scope, request: Request, match) -> Decision:
        full = scope.own(kind, match["ref"])
        start, end = match.span("ref")
        request.path = request.path[:start] + full + request.path[end:]
        return Decision(request, hijack=hijack)
    return handle


def listing(make: Callable[[Scope], Callable]) -> Callable:
    return lambda scope, request, match: Decision(request, answer=make(scope))


def passes(scope: Scope, request: Request, match) -> Decision:
    return Decision(request)


def swarm_turn(scope: Scope, request: Request, match) -> Decision:
    if not scope.swarm_turn:
        raise refuse("entrar o salir del modo Swarm en un cuaderno que no lo usa (el motor es "
                     "compartido con las demás correcciones)")
    return Decision(request)


def own_events(scope: Scope, request: Request, match) -> Decision:
    query = [(k, v) for k, v in request.query if k != "filters"]
    filters = next((json.loads(v) for k, v in request.query if k == "filters"), {})
    labels = filters.get("label") or []
    labels = list(labels) if isinstance(labels, list) else [k for k, on in labels.items() if on]
    filters["label"] = labels + [f"{GRADING_LABEL}={scope.token}"]
    request.query = query + [("filters", json.dumps(filters))]
    return Decision(request)


CONTAINER_READS = "json|logs|top|changes|stats|export|archive"
CONTAINER_ACTIONS = "start|stop|restart|kill|pause|unpause|wait|resize|rename"

# (methods, path, what to do): the first that matches decides; nothing else reaches the engine.
ROUTES: list[tuple[str, str, Callable]] = [
    ("GET HEAD", r"/_ping", passes),
    ("GET", r"/version|/info|/images/json|/nodes", passes),
    ("GET", r"/images/(?P<image>[A-Za-z0-9][A-Za-z0-9_.:@/-]*)/json", passes),
    ("GET", rf"/nodes/{REF}", passes),
    ("GET", r"/swarm", lambda scope, request, match: Decision(request, answer=_swarm_answer)),
    ("POST", r"/swarm/init", swarm_init),
    ("POST", r"/swarm/leave", swarm_turn),
    ("GET", r"/events", own_events),
    ("GET", r"/containers/json", listing(LISTS["containers"])),
    ("POST", r"/containers/create", create_container),
    ("POST", rf"/containers/(?P<ref>{REF})/exec", create_exec),
    ("GET", rf"/containers/(?P<ref>{REF})/({CONTAINER_READS})", on_own("container")),
    ("HEAD PUT", rf"/containers/(?P<ref>{REF})/archive", on_own("container")),
    ("POST", rf"/containers/(?P<ref>{REF})/update", update_container),
    ("POST", rf"/containers/(?P<ref>{REF})/({CONTAINER_ACTIONS})", on_own("container")),
    ("POST", rf"/containers/(?P<ref>{REF})/attach", on_own("container", hijack=True)),
    ("DELETE", rf"/containers/(?P<ref>{REF})", on_own("container")),
    ("POST", rf"/exec/(?P<ref>{REF})/start", on_own("exec", hijack=True)),
    ("POST", rf"/exec/(?P<ref>{REF})/resize", on_own("exec")),
    ("GET", rf"/exec/(?P<ref>{REF})/json", on_own("exec")),
    ("GET", r"/services", listing(LISTS["services"])),
    ("POST", r"/services/create", create_service),
    ("GET", rf"/services/(?P<ref>{REF})(/logs)?", on_own("service")),
    ("POST", rf"/services/(?P<ref>{REF})/update", update_service),
    ("DELETE", rf"/services/(?P<ref>{REF})", on_own("service")),
    ("GET", r"/tasks", listing(LISTS["tasks"])),
    ("GET", rf"/tasks/(?P<ref>{REF})", on_own("task")),
    ("GET", r"/networks", listing(_networks_answer)),
    ("POST", r"/networks/create", create_network),
    ("GET", rf"/networks/(?P<ref>{REF})", read_network),
    ("DELETE", rf"/networks/(?P<ref>{REF})", on_own("network")),
    ("POST", rf"/networks/(?P<ref>{REF})/(?P<verb>connect|disconnect)", connect_network),
    ("GET", r"/volumes", listing(_volumes_answer)),
    ("POST", r"/volumes/create", create_labelled("volumen", ("local",))),
    ("GET DELETE", rf"/volumes/(?P<ref>{REF})", on_own("volume")),
    ("GET", r"/secrets", listing(LISTS["secrets"])),
    ("POST", r"/secrets/create", create_labelled("secreto", ())),
    ("GET DELETE", rf"/secrets/(?P<ref>{REF})", on_own("secret")),
    ("POST", rf"/secrets/(?P<ref>{REF})/update", on_own("secret")),
    ("GET", r"/configs", listing(LISTS["configs"])),
    ("POST", r"/configs/create", create_labelled("config", ())),
    ("GET DELETE", rf"/configs/(?P<ref>{REF})", on_own("config")),
    ("POST", rf"/configs/(?P<ref>{REF})/update", on_own("config")),
]
_COMPILED = [(methods.split(), re.compile(path)) for methods, path, _ in ROUTES]
VERSION = re.compile(r"/v[0-9]+\.[0-9]+(?=/)")


def parse_target(method: str, target: str) -> Request:
    """A request line's target as a :class:`Request`; 400 for what no client of the API sends."""
    from urllib.parse import parse_qsl

    raw_path, _, raw_query = target.partition("?")
    path = unquote(raw_path)
    if not path.startswith("/") or ".." in path or "//" in path or "\\" in path \
            or any(ord(ch) < 0x21 or ord(ch) > 0x7e for ch in path):
        raise Refused(400, f"Ruta no válida: {target[:80]!r}")
    version = VERSION.match(path)
    prefix = version.group(0) if version else ""
    query = parse_qsl(raw_query, keep_blank_values=True)
    return Request(method, path[len(prefix):], query, version=prefix)


def decide(scope: Scope, request: Request) -> Decision:
    """What of ``request`` reaches the engine (module docstring); raises :class:`Refused`."""
    for (methods, pattern), (_, _, handle) in zip(_COMPILED, ROUTES, strict=True):
        match = pattern.fullmatch(request.path)
        if match and request.method in methods:
            return handle(scope, request, match)
    raise refuse(f"{request.method} {request.path}")
