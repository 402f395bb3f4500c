"""A bound on every call to the engine, and a Spanish error when it is reached.

Why: a Docker engine can freeze after the lab was made (Docker Desktop's VM asleep, a daemon
stuck on a dead mount). docker-py would then wait its client timeout (60 s by default) and end in
a raw ``requests`` ``ReadTimeout`` in English. The lab's client waits at most
``CLIENT_TIMEOUT`` seconds for any answer of the engine (``COURSE_ENGINE_TIMEOUT`` overrides it)
and then raises :class:`EngineNotAnswering`, a ``docker.errors.DockerException`` whose message
says what to do. Calls that wait on purpose (``container.stop(timeout=n)``, ``wait(timeout=n)``)
keep docker-py's own arithmetic: their bound is ``n`` plus this one.
"""

from __future__ import annotations

import os

import docker
import requests

CLIENT_TIMEOUT = 20.0  # seconds: longer than any single call of the lessons takes to answer


class EngineNotAnswering(docker.errors.DockerException):
    """The engine accepted the lab and then stopped answering (frozen, asleep or gone)."""


def client_timeout() -> float:
    """``COURSE_ENGINE_TIMEOUT`` if set (seconds), else :data:`CLIENT_TIMEOUT`.

    >>> client_timeout() > 0
    True
    """
    try:
        return float(os.environ.get("COURSE_ENGINE_TIMEOUT", CLIENT_TIMEOUT))
    except ValueError:
        return CLIENT_TIMEOUT


def message(seconds: float, error: Exception) -> str:
    what = "no contestó" if isinstance(error, requests.exceptions.Timeout) else "dejó de aceptar"
    return (f"El motor Docker {what} en {seconds:g} s ({type(error).__name__}): está congelado "
            "o se ha parado después de crear el laboratorio. Reinícialo (Docker Desktop: "
            "Restart; Linux: 'sudo systemctl restart docker'), vuelve a ejecutar el cuaderno "
            "desde el principio, o trabaja con el simulador: Lab(backend='sim').")


def guard_client(client, seconds: float):
    """Bound ``client`` (a ``docker.DockerClient``) to ``seconds`` per answer; returns it.

    The bound sits on the API client's ``send`` (every request docker-py makes goes through
    it), so the student's own ``lab.client`` calls get it too, not only the kit's.
    """
    api = client.api
    if getattr(api, "_course_guarded", False):
        return client
    api.timeout = seconds
    send = api.send

    def bounded_send(request, **kwargs):
        try:
            return send(request, **kwargs)
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as error:
            raise EngineNotAnswering(message(seconds, error)) from error

    api.send = bounded_send
    api._course_guarded = True
    return client
