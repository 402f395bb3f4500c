"""``lab.http_get`` gives the same ``Reply`` on both backends, for every way a request can go.

On the engine the request goes through the engine (the lab's helper container); on the
simulator the simulated engine answers. What the student reads must not depend on which.
"""

from __future__ import annotations

import pytest

from course import Lab

BACKENDS = ["sim", pytest.param("docker", marks=pytest.mark.docker)]


def shape(reply):
    """What must agree: ok, status, version, who answered, and whether a reason is given."""
    return reply.ok, reply.status, reply.version, reply.replica, reply.error is not None


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_probe_answers_alike_on_both_backends(backend):
    with Lab(backend=backend, quiet=True) as lab:
        net = lab.client.networks.create(lab.name("n"), labels=lab.labels())
        web = lab.client.containers.run(lab.image("web", 2), detach=True, name=lab.name("web"),
                                        labels=lab.labels(), network=net.name)
        for _ in range(80):
            if lab.http_get(web).ok:
                break
            lab.sleep(0.25)
        name = web.name
        assert shape(lab.http_get(web)) == (True, 200, 2, name, False)
        assert shape(lab.http_get(name, path="/health")) == (True, 200, None, name, False)
        assert shape(lab.http_get(web, path="/no-existe")) == (False, 404, None, name, False)
        refused = lab.http_get(web, port=81)
        assert shape(refused) == (False, None, None, name, True), refused
        web.stop(timeout=0)
        stopped = lab.http_get(web)
        assert shape(stopped) == (False, None, None, name, True)
        assert stopped.error == "el contenedor está exited"
        missing = lab.http_get(lab.name("nadie"))
        assert (missing.ok, missing.error) == (False, "el contenedor no existe")
