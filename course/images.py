"""The lab images, built locally and offline: ``course/web:<version>``.

Why: no lesson may depend on pulling from a registry (none is reachable in class networks, CI or
here, and shared IPs hit rate limits). The image is the host's static busybox in ``FROM scratch``
running ``httpd`` under a shell that ends it on SIGTERM (exit 143): ``/`` answers ``web v<version>
<hostname>``, ``/health`` answers 200 for versions 1 and 2; version 3 is deliberately broken
(no ``/health``), so its health check fails. The simulator's image catalogue mirrors these facts
(``course.sim``); the contract suite checks that both agree.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

WEB_VERSIONS = (1, 2, 3)
BROKEN_VERSIONS = (3,)
HEALTHCHECK = "--interval=1s --timeout=1s --retries=2 --start-period=1s"
STATIC_BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox")
RECIPE_LABEL = "course.recipe"

START_SH = """#!/bin/sh
# Serve "web v<version> <hostname>" on / and, unless this version is the broken one, 200 on /health.
mkdir -p /www
echo "web v${WEB_VERSION} $(hostname)" > /www/index.html
if [ "${WEB_BROKEN:-0}" != 1 ]; then echo ok > /www/health; fi
# httpd as PID 1 has no SIGTERM handler, so the kernel drops the signal and every `docker stop`
# (each task a rolling update replaces) waited out its 10 s grace. Stop when asked instead: the
# shell stays PID 1 (reaping orphans) and exits 143, 128 + SIGTERM, what a process ended by the
# signal reports, so Swarm still fails a task it stops for being unhealthy (an exit 0 would be a
# task that completed). httpd dies with the container.
trap 'exit 143' TERM
httpd -f -p 80 -h /www &
wait
"""

# Debian's static busybox crashes (SIGSEGV, exit 139) on `wget -T <s>`, a flag students reach for
# so a probe cannot hang; the simulator runs busybox's documented wget. In the image built on that
# busybox, /bin/wget honours -T with `timeout` and says what busybox's wget says when time runs out.
WGET_SH = """#!/bin/busybox sh
t= w=
for a do
  shift
  if [ -n "$w" ]; then t=$a w=; continue; fi
  case $a in
    -T) w=1 ;;
    -T*) t=${a#-T} ;;
    --timeout=*) t=${a#--timeout=} ;;
    *) set -- "$@" "$a" ;;
  esac
done
[ -z "$t" ] && exec /bin/busybox wget "$@"
/bin/busybox timeout "$t" /bin/busybox wget "$@"
rc=$?
if [ "$rc" -eq 143 ] || [ "$rc" -eq 124 ]; then echo "wget: download timed out" >&2; exit 1; fi
exit "$rc"
"""


class ImageBuildError(RuntimeError):
    """A lab image could not be built; the message says what to install or start."""


def tag(name: str = "web", version: int = 1) -> str:
    """The tag of a lab image.

    >>> tag("web", 2)
    'course/web:2'
    """
    if name != "web" or int(version) not in WEB_VERSIONS:
        raise ValueError(
            f"Imagen de laboratorio desconocida: {name}:{version}. "
            f"Existen course/web con versiones {', '.join(map(str, WEB_VERSIONS))}."
        )
    return f"course/{name}:{int(version)}"


def static_busybox() -> Path | None:
    """The host's statically linked busybox (Debian ``busybox-static``), if there is one."""
    for candidate in STATIC_BUSYBOX_CANDIDATES:
        path = Path(candidate)
        if path.is_file():
            head = path.read_bytes()[:8192]
            # A dynamic ELF names its loader (PT_INTERP, near the start); a static one does not.
            if head[:4] == b"\x7fELF" and b"ld-linux" not in head:
                return path
    return None


def base_image() -> str:
    """What the lab images start from: ``scratch`` plus the host's static busybox, or, without
    one (Docker Desktop's macOS or Windows host, a remote engine), the registry's ``busybox``:
    its wget has a working ``-T`` and ``timeout``, which is all the kit's requests need."""
    return "scratch" if static_busybox() else "busybox"


def recipe(base: str) -> str:
    """A short digest of what the images are made of: an image whose label differs was built by
    an older kit and is built again (a tag alone would keep a stale image forever).

    >>> len(recipe("scratch")), recipe("scratch") == recipe("busybox")
    (12, False)
    """
    made_of = "\0".join([base, START_SH, WGET_SH, HEALTHCHECK, *map(str, BROKEN_VERSIONS)])
    return hashlib.sha256(made_of.encode()).hexdigest()[:12]


def dockerfile(version: int, base: str) -> str:
    """The Dockerfile of ``course/web:<version>``; ``base`` is ``scratch`` or ``busybox``."""
    lines = [f"FROM {base}"]
    if base == "scratch":
        lines += ["COPY busybox /bin/busybox", 'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
                  'RUN ["/bin/busybox", "rm", "/bin/wget"]', "COPY wget.sh /bin/wget"]
    broken = 1 if version in BROKEN_VERSIONS else 0
    lines += [
        f"LABEL {RECIPE_LABEL}={recipe(base)}",
        "COPY start.sh /start.sh",
        f"ENV WEB_VERSION={version} WEB_BROKEN={broken}",
        "EXPOSE 80",
        f"HEALTHCHECK {HEALTHCHECK} CMD wget -qO- http://127.0.0.1/health || exit 1",
        'CMD ["/bin/sh", "/start.sh"]',
    ]
    return "\n".join(lines) + "\n"


def build_context(version: int) -> io.BytesIO:
    """A tar build context for one version, ready for ``images.build(custom_context=True)``."""
    base = base_image()
    files = {"Dockerfile": dockerfile(version, base).encode(), "start.sh": START_SH.encode(),
             "wget.sh": WGET_SH.encode()}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
        if base == "scratch":
            tar.add(str(static_busybox()), arcname="busybox")
    buffer.seek(0)
    return buffer


def ensure_image(client, name: str = "web", version: int = 1, force: bool = False) -> str:
    """Build ``course/<name>:<version>`` on the engine behind ``client`` unless it is there.

    Returns the tag to pass to ``containers.run``.
    """
    import docker

    wanted = tag(name, version)
    if not force:
        try:
            labels = client.images.get(wanted).labels or {}
            if labels.get(RECIPE_LABEL) == recipe(base_image()):
                return wanted
        except docker.errors.ImageNotFound:
            pass
    try:
        client.images.build(fileobj=build_context(int(version)), custom_context=True, tag=wanted,
                            rm=True, forcerm=True)
    except (docker.errors.BuildError, docker.errors.APIError) as error:
        if static_busybox():
            raise ImageBuildError(f"No se pudo construir {wanted}: {error}.") from error
        raise ImageBuildError(
            f"No se pudo construir {wanted}: este equipo no tiene un busybox estático y el motor "
            f"no pudo descargar la imagen 'busybox' de un registro ({error}). Haz una de dos: "
            "instala el busybox estático (Debian/Ubuntu: 'sudo apt-get install busybox-static'; "
            "sirve en Linux con el motor en este mismo equipo) o, con Docker Desktop o un motor "
            "remoto, deja que el motor descargue la imagen una vez con conexión: "
            "'docker pull busybox'. Sin ninguna de las dos, trabaja con el simulador: "
            "Lab(backend='sim')."
        ) from error
    return wanted


def build_lab_images(if_engine: bool = False, force: bool = False, client=None) -> list[str]:
    """Build every lab image on the local engine; returns the tags.

    With ``if_engine=True`` a missing engine is not an error: nothing is built and ``[]`` returned.
    """
    import docker

    try:
        client = client or docker.from_env(timeout=120)
        client.ping()
    except docker.errors.DockerException as error:
        if if_engine:
            return []
        raise ImageBuildError(
            f"No responde ningún motor Docker ({error}). Arráncalo (scripts/engine.sh start) "
            "o trabaja con el simulador: Lab(backend='sim')."
        ) from error
    return [ensure_image(client, "web", v, force=force) for v in WEB_VERSIONS]

