"""The contract suite's backends: every scenario runs on the simulator and on the real engine.

Why: the simulator is only worth its name if docker-py reports the same things on both. Each test
receives a ``kit`` for one backend: a docker-py client, the lab image tags, labels that scope
what the test creates (``course.kit=modulo7``, this suite run, this test), unique names, a
``sleep`` that is real on the engine and virtual on the simulator, and a bounded ``wait_until``.
Teardown removes everything carrying the test's label, also when the test failed. On the engine
nothing is ever pulled: the lab images are built locally by ``course.images.ensure_image``.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import docker
import pytest

from course.sim import Engine

KIT_LABEL = ("course.kit", "modulo7")
SUITE_ID = uuid.uuid4().hex[:8]
SUITE_LABEL = ("course.contract", SUITE_ID)
BACKENDS = ["sim", pytest.param("docker", marks=pytest.mark.docker)]


@dataclass
class Kit:
    """One backend as a test sees it."""

    backend: str
    client: docker.DockerClient
    test_id: str
    engine: Engine | None = None
    images: dict[int, str] = field(default_factory=dict)

    @property
    def labels(self) -> dict[str, str]:
        return {KIT_LABEL[0]: KIT_LABEL[1], SUITE_LABEL[0]: SUITE_LABEL[1],
                "course.test": self.test_id}

    def name(self, base: str) -> str:
        return f"m7c-{self.test_id}-{base}"

    def image(self, version: int = 1) -> str:
        return self.images[version]

    def now(self) -> float:
        """Unix time on this backend's clock (virtual on the simulator), for ``events()``."""
        if self.engine is not None:
            from course.sim.naming import EPOCH

            return EPOCH.timestamp() + self.engine.clock.now
        return time.time()

    def events(self, since: float, until: float, **filters) -> list[str]:
        """The ``Action`` of each event of this test between two times, in order."""
        filters.setdefault("label", [f"course.test={self.test_id}"])
        stream = self.client.events(since=since, until=until, filters=filters, decode=True)
        return [event["Action"] for event in stream]

    def sleep(self, seconds: float) -> None:
        if self.engine is not None:
            self.engine.advance(seconds)
        else:
            time.sleep(seconds)

    def wait_until(self, predicate, timeout: float = 15.0, step: float = 0.1):
        """Poll ``predicate`` (docker style: check, sleep, repeat); fail after ``timeout``."""
        waited = 0.0
        while waited <= timeout:
            value = predicate()
            if value:
                return value
            self.sleep(step)
            waited += step
        raise AssertionError(f"[{self.backend}] condition not met within {timeout}s")

    def run(self, version: int = 1, base: str = "c", **kwargs):
        """``containers.run`` of the lab image, detached, scoped and named for this test."""
        kwargs.setdefault("detach", True)
        labels = {**self.labels, **kwargs.pop("labels", {})}
        return self.client.containers.run(self.image(version), name=self.name(base),
                                          labels=labels, **kwargs)

    def network(self, base: str = "net", **kwargs):
        return self.client.networks.create(self.name(base), labels=self.labels, **kwargs)

    def volume(self, base: str = "vol"):
        return self.client.volumes.create(self.name(base), labels=self.labels)

    def address(self, container, network: str | None = None) -> str:
        container.reload()
        networks = container.attrs["NetworkSettings"]["Networks"]
        return networks[network or next(iter(networks))]["IPAddress"]

    def http(self, address: str, port: int, path: str = "/") -> tuple[int, str]:
        """GET from the host: the simulator's ``http_request`` or a real socket."""
        if self.engine is not None:
            return self.engine.http_request(address, port, path)
        import urllib.error
        import urllib.request

        # A container that has just started may not listen yet (start.sh runs before httpd):
        # retry connection errors for a bounded while, as a client would.
        deadline = time.monotonic() + 10
        while True:
            try:
                url = f"http://{address}:{port}{path}"
                with urllib.request.urlopen(url, timeout=5) as reply:
                    return reply.status, reply.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def ready(self, container):
        """Wait (bounded) until a lab-image container's httpd answers; returns the container."""
        self.http(self.address(container), 80, "/")
        return container

    def cleanup(self) -> None:
        flt = {"label": f"course.test={self.test_id}"}
        for container in self.client.containers.list(all=True, filters=flt):
            try:
                container.remove(force=True, v=True)
            except docker.errors.NotFound:
                pass
        for network in self.client.networks.list(filters=flt):
            network.remove()
        for volume in self.client.volumes.list(filters=flt):
            volume.remove(force=True)


@pytest.fixture(scope="session")
def engine_images():
    """The lab images on the real engine, built locally once per session (never pulled)."""
    from course.images import ensure_image

    client = docker.from_env(timeout=120)
    tags = {v: ensure_image(client, "web", v) for v in (1, 2, 3)}
    client.close()
    return tags


@pytest.fixture(params=BACKENDS)
def kit(request):
    test_id = uuid.uuid4().hex[:6]
    if request.param == "sim":
        engine = Engine(seed=0)
        made = Kit("sim", engine.client(), test_id, engine,
                   {v: f"course/web:{v}" for v in (1, 2, 3)})
    else:
        tags = request.getfixturevalue("engine_images")
        made = Kit("docker", docker.from_env(timeout=60), test_id, None, tags)
    yield made
    made.cleanup()
    if made.engine is None:
        made.client.close()
