"""Exec routes: ``exec_create``, ``exec_start`` and ``exec_inspect`` (what ``exec_run`` calls).

Why here and not in the container routes: an exec has its own id and life. ``exec_start``
runs the program at once, lets the virtual time it took pass (``sleep 2`` costs two simulated
seconds, as it would block two real ones), and answers the multiplexed body the engine sends.
"""

from __future__ import annotations

import shlex

from .. import health
from ..errors import Conflict, NotSupported, lookup
from ..execs import Exec, run_in_container
from ..naming import new_id
from .client import stream_response
from .containers import find
from .http import Response, Router

router = Router()


@router.route("POST", r"/containers/([^/]+)/exec")
def create(req):
    container = find(req)
    body = req.json()
    if container.status != "running":
        raise Conflict(f"Container {container.id} is not running")
    argv = body.get("Cmd") or []
    if isinstance(argv, str):
        argv = shlex.split(argv)
    if body.get("User") or body.get("WorkingDir") or body.get("Privileged"):
        raise NotSupported("exec_run con user, workdir o privileged")
    if body.get("AttachStdin"):
        raise NotSupported("exec_run con stdin=True (el simulador no tiene entrada interactiva)")
    exec_ = Exec(new_id(req.engine.rng), container.id, list(argv), list(body.get("Env") or []),
                 bool(body.get("Tty")))
    req.engine.execs[exec_.id] = exec_
    container.exec_ids.append(exec_.id)
    req.engine.emit("container", f"exec_create: {' '.join(argv)}", container.id,
                    name=container.name, execID=exec_.id)
    return Response({"Id": exec_.id}, status=201)


def _find_exec(req):
    return lookup(req.engine.execs.get, req.groups[0], "No such exec instance: {ref}")


@router.route("POST", r"/exec/([^/]+)/start")
def start(req):
    exec_ = _find_exec(req)
    engine = req.engine
    container = engine.containers.by_id.get(exec_.container_id)
    if container is None or container.status != "running":
        raise Conflict(f"Container {exec_.container_id} is not running")
    if exec_.exit_code is not None or exec_.running:
        raise Conflict(f"Exec {exec_.id} has already run")
    health.wake_sharing(engine, container)  # the exec may change what its health check sees
    engine.emit("container", f"exec_start: {' '.join(exec_.argv)}", container.id,
                name=container.name, execID=exec_.id)
    code, _, duration = run_in_container(engine, container, exec_.argv, exec_.env, exec_.chunks)
    engine.advance(duration)
    exec_.exit_code = code
    engine.emit("container", "exec_die", container.id, name=container.name,
                execID=exec_.id, exitCode=str(code))
    start_request = req.json()
    if start_request.get("Detach"):
        return Response(status=200, raw=b"")
    chunks = exec_.chunks
    if exec_.tty:  # the program wrote to a terminal: one stream, and the tty's \n -> \r\n
        chunks = [(1, d.replace(b"\n", b"\r\n")) for _, d in chunks]
    # the engine frames the answer by the *start* request's Tty, whatever the exec was created with
    return stream_response(chunks, tty=bool(start_request.get("Tty")))


@router.route("GET", r"/exec/([^/]+)/json")
def inspect(req):
    return _find_exec(req).inspect()
