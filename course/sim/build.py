"""Building an image from a Dockerfile and a tar context, as the engine's classic builder does.

Why: the lab builds its own images (``course/images.py``: ``course/web``; ``course/nginx``) with
``images.build`` and no registry; the simulator builds the same Dockerfiles. Each step makes the
next state of the image: ``FROM`` (``scratch`` or an image the engine has), ``COPY``/``ADD``
(files of the context), ``RUN`` (in a container of the state so far, with the simulator's
programs, its layer becoming the new files), ``ENV``, ``LABEL``, ``EXPOSE``, ``HEALTHCHECK``,
``CMD``, ``ENTRYPOINT``. Anything else (``WORKDIR``, ``USER``, ``ARG``, stages, ``ADD`` of URLs
or archives) is refused with the simulator's not-supported error, never half-done.

The lab's ``/start.sh`` is modelled natively (``busybox.web_start``: the simulator's shell has
no ``if``): an image whose ``/start.sh`` is that script gets the model, as ``course/web`` has.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import shlex
import tarfile
from dataclasses import dataclass, field, replace

from .errors import Invalid, NotSupported, lookup
from .images import PATH_ENV, Image

SECOND_NS = 1_000_000_000
RUNTIME_DIRS = {"/dev", "/etc", "/proc", "/sys"}
HEALTH_OPTIONS = {"--interval": "Interval", "--timeout": "Timeout",
                  "--start-period": "StartPeriod", "--retries": "Retries"}


class BuildFailed(Exception):
    """A step failed as on the engine (a ``RUN`` exited non-zero): the stream's ``error``."""


@dataclass
class State:
    """The image being built, step by step."""

    base: Image | None = None
    files: dict = field(default_factory=dict)
    dirs: set = field(default_factory=lambda: {"/"})
    env: list = field(default_factory=lambda: [PATH_ENV])  # the builder's default, as on 20.10
    cmd: tuple = ()
    entrypoint: tuple | None = None
    labels: dict = field(default_factory=dict)
    exposed: list = field(default_factory=list)
    healthcheck: dict | None = None


def read_context(data: bytes) -> dict[str, bytes]:
    """The regular files of a tar build context, by path (``./`` dropped)."""
    files = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if member.isfile():
                files[posixpath.normpath(member.name).lstrip("./")] = tar.extractfile(member).read()
    return files


def instructions(text: str) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` of a Dockerfile: comments dropped, continuations joined."""
    lines, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        word, _, rest = current.partition(" ")
        lines.append((word.upper(), rest.strip()))
        current = ""
    return lines


def _argv(text: str) -> list[str]:
    """Exec form (a JSON list) as written; shell form runs in ``/bin/sh -c``."""
    if text.startswith("["):
        try:
            return [str(a) for a in json.loads(text)]
        except ValueError:
            pass
    return ["/bin/sh", "-c", text]


def _pairs(text: str) -> dict[str, str]:
    """``ENV``/``LABEL`` arguments: ``k=v k2="v 2"``, or the old ``ENV k v``."""
    words = shlex.split(text)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(w.split("=", 1) for w in words)


def _duration(text: str) -> int:
    units = {"ms": 1_000_000, "s": SECOND_NS, "m": 60 * SECOND_NS, "h": 3600 * SECOND_NS}
    for unit in ("ms", "s", "m", "h"):
        if text.endswith(unit) and text[:-len(unit)].replace(".", "", 1).isdigit():
            return int(float(text[:-len(unit)]) * units[unit])
    raise Invalid(f"Dockerfile parse error: time: invalid duration \"{text}\"")


def _healthcheck(text: str) -> dict | None:
    words = text.split()
    check: dict = {}
    while words and words[0].startswith("--"):
        option, _, value = words.pop(0).partition("=")
        if option not in HEALTH_OPTIONS:
            raise NotSupported(f"la opción {option} de HEALTHCHECK")
        check[HEALTH_OPTIONS[option]] = int(value) if option == "--retries" else _duration(value)
    kind, _, command = " ".join(words).partition(" ")
    if kind.upper() == "NONE":
        return {"Test": ["NONE"]}
    argv = _argv(command.strip())
    test = ["CMD-SHELL", argv[2]] if argv[:2] == ["/bin/sh", "-c"] else ["CMD", *argv]
    return {"Test": test, **check}


def _copy(state: State, context: dict[str, bytes], text: str, kind: str) -> None:
    words = shlex.split(text)
    if any(w.startswith("--") for w in words) or len(words) < 2:
        raise NotSupported(f"{kind} con opciones (--from, --chown) o sin destino")
    *sources, target = words
    for source in sources:
        if kind == "ADD" and ("://" in source or source.endswith((".tar", ".gz", ".tgz"))):
            raise NotSupported("ADD de una URL o de un archivo tar (usa COPY de ficheros)")
        name = posixpath.normpath(source).lstrip("./") if source not in (".", "./") else ""
        matched = {p: d for p, d in context.items()
                   if p == name or not name or p.startswith(name + "/")}
        if not matched:
            raise Invalid(f"COPY failed: file not found in build context or excluded by "
                          f".dockerignore: stat {source}: file does not exist")
        for path, data in matched.items():
            if path == name and not target.endswith("/") and len(sources) == 1:
                dest = posixpath.normpath(posixpath.join("/", target))
            else:
                inner = path[len(name):].lstrip("/") if name and path != name else (
                    posixpath.basename(path) if name else path)
                dest = posixpath.normpath(posixpath.join("/", target, inner))
            parent = posixpath.dirname(dest)
            while parent not in state.dirs:
                state.dirs.add(parent)
                parent = posixpath.dirname(parent)
            state.files[dest] = data


def _image(state: State, digest: str, tags: tuple = ()) -> Image:
    base = state.base
    return replace(base or Image(repo_tags=(), cmd=()), repo_tags=tags, cmd=tuple(state.cmd),
                   entrypoint=state.entrypoint, env=tuple(state.env),
                   exposed_ports=tuple(state.exposed), healthcheck=state.healthcheck,
                   dirs=tuple(sorted(state.dirs)), files=dict(state.files), digest=digest,
                   labels=dict(state.labels))


def _run(engine, state: State, argv: list[str], digest: str) -> tuple[int, list]:
    """A ``RUN`` step: a container of the image so far runs ``argv``; its layer is kept."""
    from . import lifecycle
    from .creation import create_container

    state.dirs |= RUNTIME_DIRS  # the runtime makes them to mount on; they stay in the layer
    step = _image(state, digest)
    engine.images.add_untagged(step)
    try:
        container = create_container(engine, {"Image": step.id, "Cmd": argv, "Entrypoint": None})
        lifecycle.start(engine, container)
        code = lifecycle.wait(engine, container)["StatusCode"]
        output = list(container.logs)
        state.files, state.dirs = dict(container.view.root.files), set(container.view.root.dirs)
        for generated in ("/etc/hostname", "/etc/hosts", "/etc/resolv.conf"):
            state.files.pop(generated, None)  # the engine's bind mounts, not the layer's
        lifecycle.remove(engine, container, force=True)
    finally:
        engine.images.forget(step)
    return code, output


def build(engine, context: bytes, dockerfile: str = "Dockerfile", tag: str | None = None,
          labels: dict | None = None) -> tuple[Image, list[str]]:
    """Build the image; returns it (tagged ``tag``, in the engine's store) and the lines of
    output the engine streams. Raises ``BuildFailed`` (a step failed), ``NotSupported``."""
    files = read_context(context)
    text = files.get(posixpath.normpath(dockerfile).lstrip("./"))
    if text is None:
        raise Invalid("Cannot locate specified Dockerfile: " + dockerfile)
    steps = instructions(text.decode())
    state, out = State(), []
    digest = hashlib.sha256(text)
    for path in sorted(files):
        digest.update(path.encode() + hashlib.sha256(files[path]).digest())
    for number, (word, args) in enumerate(steps, 1):
        out.append(f"Step {number}/{len(steps)} : {word} {args}\n")
        digest.update(f"{number}{word}{args}".encode())
        if word == "FROM":
            if number != 1 or " " in args:
                raise NotSupported("las construcciones en varias etapas (FROM ... AS)")
            if args != "scratch":
                state.base = lookup(engine.images, args)
                base = state.base
                state.files, state.dirs = dict(base.files), {"/", *base.dirs}
                state.env, state.cmd = list(base.env), tuple(base.cmd)
                state.exposed, state.healthcheck = list(base.exposed_ports), base.healthcheck
                state.labels = dict(base.labels)
        elif word in ("COPY", "ADD"):
            _copy(state, files, args, word)
        elif word == "RUN":
            argv = _argv(args)
            code, output = _run(engine, state, argv, digest.hexdigest())
            for stream, data in output:  # the engine colours what the step wrote to stderr
                text = data.decode(errors="replace")
                out.append(f"\x1b[91m{text}\x1b[0m" if stream == 2 else text)
            if code:
                shown = " ".join(argv) if args.startswith("[") else f"/bin/sh -c {args}"
                raise BuildFailed(f"The command '{shown}' returned a non-zero code: {code}")
        elif word == "ENV":
            for key, value in _pairs(args).items():
                state.env = [e for e in state.env if e.split("=", 1)[0] != key]
                state.env.append(f"{key}={value}")
        elif word == "LABEL":
            state.labels.update(_pairs(args))
        elif word == "EXPOSE":
            state.exposed += [p if "/" in p else f"{p}/tcp" for p in args.split()]
        elif word == "HEALTHCHECK":
            state.healthcheck = _healthcheck(args)
        elif word == "CMD":
            state.cmd = tuple(_argv(args))
        elif word == "ENTRYPOINT":
            state.entrypoint = tuple(_argv(args))
        else:
            raise NotSupported(f"la instrucción {word} de un Dockerfile")
        out.append(f" ---> {digest.hexdigest()[:12]}\n")
    state.labels.update(labels or {})
    image = _image(state, digest.hexdigest(), (tag,) if tag else ())
    if image.web_version is None and _is_lab_web(image):
        image = replace(image, web_version=int(_env(image)["WEB_VERSION"]))
    engine.images.add_untagged(image)
    if tag:
        engine.images.add(image, tag)
    out.append(f"Successfully built {image.id[7:19]}\n")
    if tag:
        out.append(f"Successfully tagged {tag}\n")
    return image, out


def _env(image: Image) -> dict[str, str]:
    return dict(e.split("=", 1) for e in image.env if "=" in e)


def _is_lab_web(image: Image) -> bool:
    """The lab's web image: its ``/start.sh`` is the kit's, and it says which version."""
    from course.images import START_SH  # the script the simulator models (busybox.web_start)

    return image.files.get("/start.sh") == START_SH.encode() and "WEB_VERSION" in _env(image)
