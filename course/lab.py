"""``course.Lab``: one docker-py client over a real Docker engine or the embedded simulator.

Why a facade: student code is plain docker-py (``lab.client.containers.run(...)``) and must run
unchanged on a laptop with Docker, on a JupyterHub without it and in the autograder. The lab picks
the backend, scopes everything it creates with its labels and a name prefix (two labs on one engine
never see each other's resources), knows how to wait (real or virtual time) and cleans up after
itself. During autograding (``NBGRADER_EXECUTION`` set) "auto" means the simulator: student code is
never handed the Docker socket unless the instructor asks for it (``COURSE_BACKEND=docker``).
"""

from __future__ import annotations

import atexit
import os
import uuid
import weakref

import docker

from . import swarm_mode
from .backends import DockerBackend, SimBackend
from .engine_timeout import EngineNotAnswering, client_timeout
from .probe import Reply, fetch

KIT_LABEL = swarm_mode.KIT_LABEL
KIT_VALUE = swarm_mode.KIT_VALUE
LAB_LABEL = "course.lab"
BACKENDS = ("auto", "docker", "sim")

_open_labs: weakref.WeakSet = weakref.WeakSet()


def engine_client(timeout: int = 3):
    """A client on the local Docker engine, or ``None`` when none answers within ``timeout``."""
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except docker.errors.DockerException:
        return None
    except Exception:  # a malformed DOCKER_HOST, a socket without permission...
        return None
    return client


def choose_backend(requested: str) -> str:
    """Resolve ``"auto"``: ``COURSE_BACKEND`` first, then the simulator while grading, else probe.

    >>> choose_backend("sim")
    'sim'
    """
    if requested not in BACKENDS:
        raise ValueError(
            f"backend={requested!r} no existe: usa 'auto', 'docker' o 'sim'."
        )
    if requested != "auto":
        return requested
    forced = os.environ.get("COURSE_BACKEND", "").strip().lower()
    if forced in ("docker", "sim"):
        return forced
    if os.environ.get("NBGRADER_EXECUTION"):
        return "sim"
    return "docker" if engine_client() is not None else "sim"


class Lab:
    """A scoped laboratory: a docker-py client, its labels and names, time and cleanup.

    Args:
        backend: ``"docker"`` (a real engine), ``"sim"`` (the simulator) or ``"auto"``.
        seed: seed of the simulator's randomness (same seed and calls, same history).
        namespace: prefix of every name and value of the ``course.lab`` label; unique by default.
        quiet: do not print the line that says which backend was picked.

    ``lab.runtime`` is the backend object (:mod:`course.backends`): how time passes and how a
    request reaches a container there. On a real engine every request goes through the engine
    (a helper container of the lab), and the client is bounded: an engine that freezes raises
    :class:`course.engine_timeout.EngineNotAnswering` (in Spanish) after
    :func:`course.engine_timeout.client_timeout` seconds.

    >>> with Lab(backend="sim", seed=0, quiet=True) as lab:
    ...     web = lab.client.containers.run(lab.image("web", 1), detach=True,
    ...                                     name=lab.name("web"), labels=lab.labels(app="web"))
    ...     lab.http_get(web).version
    1
    """

    def __init__(self, backend: str = "auto", seed: int = 0, namespace: str | None = None,
                 quiet: bool = False):
        self.seed = seed
        self.backend = choose_backend(backend)
        if self.backend == "docker":
            client = engine_client(timeout=5)
            if client is None:
                raise docker.errors.DockerException(
                    "No responde ningún motor Docker. Arráncalo (en Linux: 'sudo systemctl start "
                    "docker', o scripts/engine.sh start en este kit) o usa Lab(backend='sim')."
                )
            self.namespace = namespace or f"m7-{uuid.uuid4().hex[:6]}"
            self.runtime = DockerBackend(client, self.namespace, {KIT_LABEL: KIT_VALUE},
                                         client_timeout())
        else:
            self.namespace = namespace or f"m7-s{seed}"
            self.runtime = SimBackend(seed)
        self._uses_swarm = False
        _open_labs.add(self)
        if not quiet:
            print(self.describe())

    @property
    def client(self):
        """The docker-py client (a real engine's, or the simulator's)."""
        return self.runtime.client

    @client.setter
    def client(self, value) -> None:
        self.runtime.client = value

    @property
    def engine(self):
        """The simulated engine (``course.sim.Engine``), or ``None`` on a real engine."""
        return self.runtime.engine

    @engine.setter
    def engine(self, value) -> None:
        self.runtime.engine = value

    # -- identity and scope -----------------------------------------------------------------
    def describe(self) -> str:
        """The one visible line that says where the student's code runs."""
        if self.backend == "docker":
            version = self.client.version().get("Version", "?")
            return f"Laboratorio {self.namespace}: motor Docker real (versión {version})."
        why = "corrección automática" if os.environ.get("NBGRADER_EXECUTION") else "simulador"
        return (f"Laboratorio {self.namespace}: clúster simulado ({why}, semilla {self.seed}); "
                "el mismo código docker-py funciona con un motor real.")

    def labels(self, **extra: str) -> dict[str, str]:
        """The labels that scope this lab, plus ``extra``.

        >>> Lab(backend="sim", quiet=True).labels(app="web")["app"]
        'web'
        """
        return {KIT_LABEL: KIT_VALUE, LAB_LABEL: self.namespace, **extra}

    def name(self, base: str) -> str:
        """A name unique to this lab: ``<namespace>-<base>``."""
        return f"{self.namespace}-{base}"

    def filters(self, **labels: str) -> dict:
        """``filters=`` for ``list()`` calls that see only this lab (and ``labels``)."""
        wanted = [f"{LAB_LABEL}={self.namespace}"] + [f"{k}={v}" for k, v in labels.items()]
        return {"label": wanted}

    # -- time, images, traffic --------------------------------------------------------------
    def sleep(self, seconds: float) -> None:
        """Wait: real seconds on an engine, virtual (instant) seconds on the simulator."""
        self.runtime.sleep(seconds)

    def now(self) -> float:
        """Seconds on the lab's clock (virtual on the simulator)."""
        return self.runtime.now()

    def image(self, name: str = "web", version: int = 1) -> str:
        """The tag of a lab image, built first on a real engine if missing."""
        return self.runtime.image(name, version)

    def http_get(self, target, path: str = "/", port: int = 80, timeout: float = 2.0) -> Reply:
        """One HTTP request to ``target``: a container or a Swarm service (a model, a name or
        an id); a service answers from one of its running, healthy tasks in turn. Never raises
        for a failed request: the reply says ``ok=False`` and why, so downtime can be counted.
        On a real engine the request is made from inside the engine (the lab's helper
        container), so it works where the kernel has no route to the containers."""
        return fetch(self, target, path=path, port=port, timeout=timeout)

    # -- Swarm ------------------------------------------------------------------------------
    def ensure_swarm(self, seconds: float = 30.0) -> bool:
        """Put the engine in Swarm mode unless it already is, and wait until its manager answers;
        returns ``True`` if this call made the swarm.

        The kit marks a swarm it creates (``Spec.Labels``), uses ``advertise_addr="127.0.0.1"``
        (docker-py#1359: with several interfaces ``init`` needs one), and on ``cleanup`` leaves
        it when no service or secret is left on it: a swarm the user made, or one another
        notebook still uses, is never taken down. A new manager takes a moment to answer the API
        ("the swarm does not have a leader"): the call waits, for at most ``seconds`` (virtual
        seconds on the simulator), and raises ``docker.errors.DockerException`` after that.
        (:mod:`course.swarm_mode` does the work.)

        >>> lab = Lab(backend="sim", quiet=True)
        >>> lab.ensure_swarm(), lab.ensure_swarm()
        (True, False)
        >>> [n.attrs["Spec"]["Role"] for n in lab.client.nodes.list()]
        ['manager']
        """
        self._uses_swarm = True
        return swarm_mode.ensure_swarm(self.client, self.now, self.sleep, seconds)

    def _leave_swarm(self, seconds: float = 10.0) -> bool:
        return swarm_mode.leave_swarm(self.client, self.now, self.sleep, seconds)

    def _in_swarm(self) -> bool:
        return swarm_mode.in_swarm(self.client)

    # -- cleanup ----------------------------------------------------------------------------
    def cleanup(self) -> None:
        """Remove every container, service, secret, network and volume of this lab (and the
        kit's helper container).

        Safe to call again: it removes whatever carries the lab's label at that moment (a student
        may go on working after the last cell, and the interpreter's exit cleans up again). An
        engine that stopped answering is not waited on again for each kind of object."""
        flt = self.filters()
        client = self.client
        removers = (
            (lambda: swarm_mode.lab_services(client, flt), lambda s: s.remove()),
            (lambda: client.containers.list(all=True, filters=flt),
             lambda c: c.remove(force=True, v=True)),
            (lambda: swarm_mode.lab_secrets(client, flt), lambda s: s.remove()),
            (lambda: client.networks.list(filters=flt), lambda n: n.remove()),
            (lambda: client.volumes.list(filters=flt), lambda v: v.remove(force=True)),
        )
        try:
            self.runtime.cleanup()  # first: the helper holds endpoints on the lab's networks
            for listing, remove in removers:
                try:
                    items = listing()
                except EngineNotAnswering:
                    raise
                except docker.errors.DockerException:
                    continue
                for item in items:
                    try:
                        remove(item)
                    except docker.errors.NotFound:
                        pass
                    except docker.errors.APIError as error:
                        # a service's task container Swarm is already removing: it goes anyway
                        if "already in progress" not in str(error):
                            raise
            if self._uses_swarm and swarm_mode.kit_swarm_is_idle(client):
                self._leave_swarm()
        except EngineNotAnswering:
            return

    def close(self) -> None:
        self.cleanup()

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def __repr__(self) -> str:
        return f"<Lab {self.namespace} backend={self.backend}>"


@atexit.register
def _cleanup_open_labs() -> None:
    for lab in list(_open_labs):
        try:
            lab.cleanup()
        except Exception:  # the interpreter is going away: best effort, never a traceback
            pass
