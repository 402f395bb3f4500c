"""Lesson 04's real nginx, in a container next to the replicas, built offline.

Why a container: the replicas' addresses exist only on their network, inside the engine. An
nginx on the kernel's host reaches them only where the host routes to bridge networks (rootful
Docker on Linux); on Docker Desktop, rootless Docker, a remote engine or a confined grading
kernel it cannot. So the kit runs the student's configuration in an nginx container attached to
the replicas' network, and sends requests to it from inside that container (the student's
``listen 127.0.0.1:<port>`` is local to nginx, as on a laptop).

The image ``course/nginx:1`` is built without a registry: the host's nginx binary (Debian
``nginx-light``) and the shared libraries ``ldd`` lists, in ``FROM scratch``, plus the lab
image's busybox for the requests. Where the host has no nginx it is ``FROM nginx`` (when a
registry answers). The container carries the kit's helper label and ``lab.cleanup()`` removes it.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import tarfile
import time
from collections import Counter
from pathlib import Path

import docker

from . import images
from .engine_http import HELPER_LABEL
from .nginx import FAILED, ConfigCheck, find_nginx, main_config, student_lines
from .swarm_mode import KIT_LABEL, KIT_VALUE

TAG = "course/nginx:1"
PREFIX = "/run/kit-nginx"
BUSYBOX = "/kit/busybox"
PASSWD = b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
GROUP = b"root:x:0:\nnogroup:x:65534:\n"


def libraries(binary: str) -> list[str]:
    """The shared libraries (and the loader) ``ldd`` says ``binary`` needs, as absolute paths."""
    listing = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=10).stdout
    found = re.findall(r"(/\S+) \(0x", listing)
    return sorted(set(found))


def dockerfile(base: str, recipe: str) -> str:
    lines = ["FROM course/web:1 AS kit", f"FROM {base}"]
    if base == "scratch":
        lines.append("COPY rootfs/ /")
    lines += [f"COPY --from=kit /bin/busybox {BUSYBOX}", f"LABEL {images.RECIPE_LABEL}={recipe}"]
    return "\n".join(lines) + "\n"


def build_context(nginx: str | None) -> tuple[io.BytesIO, str]:
    """The build context and its recipe digest: scratch with the host's ``nginx`` or, without
    one, ``FROM nginx``."""
    base = "scratch" if nginx else "nginx"
    files: dict[str, bytes] = {}
    if nginx:
        for path in [nginx, *libraries(nginx)]:
            files["rootfs/usr/sbin/nginx" if path == nginx else f"rootfs{path}"] = (
                Path(path).resolve().read_bytes())
        files.update({"rootfs/etc/passwd": PASSWD, "rootfs/etc/group": GROUP})
    digest = hashlib.sha256(base.encode() + images.recipe(images.base_image()).encode())
    for name in sorted(files):
        digest.update(name.encode() + hashlib.sha256(files[name]).digest())
    recipe = digest.hexdigest()[:12]
    files["Dockerfile"] = dockerfile(base, recipe).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
        for folder in ("rootfs/tmp", "rootfs/run") if nginx else ():
            info = tarfile.TarInfo(folder)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777
            tar.addfile(info)
    buffer.seek(0)
    return buffer, recipe


def ensure_image(client) -> str:
    """Build ``course/nginx:1`` on the engine unless an image of the same recipe is there."""
    images.ensure_image(client, "web", 1)  # the busybox the requests use comes from it
    context, recipe = build_context(find_nginx())
    try:
        if (client.images.get(TAG).labels or {}).get(images.RECIPE_LABEL) == recipe:
            return TAG
    except docker.errors.ImageNotFound:
        pass
    try:
        client.images.build(fileobj=context, custom_context=True, tag=TAG, rm=True, forcerm=True)
    except (docker.errors.BuildError, docker.errors.APIError) as error:
        hint = "" if find_nginx() else (
            " No hay nginx en este equipo para copiarlo (Debian: 'apt-get install nginx-light')"
            " ni un registro del que descargar la imagen 'nginx'.")
        raise images.ImageBuildError(f"No se pudo construir {TAG}: {error}.{hint}") from error
    return TAG


def _config_tar(http_text: str) -> bytes:
    data = main_config(http_text, PREFIX).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        folder = tarfile.TarInfo(PREFIX.lstrip("/"))
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
        info = tarfile.TarInfo(f"{PREFIX.lstrip('/')}/nginx.conf")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def check_config(client, http_text: str, timeout: float = 20) -> ConfigCheck:
    """``nginx -t`` on ``http_text`` in a throwaway ``course/nginx:1`` container with no network
    (so a name in an ``upstream`` is "host not found", as on a machine that does not know it):
    the check needs the engine only, not an nginx on the kernel's host. Raises
    :class:`course.images.ImageBuildError` when the image cannot be built."""
    image = ensure_image(client)
    container = client.containers.create(
        image, ["/usr/sbin/nginx", "-t", "-p", PREFIX, "-e", f"{PREFIX}/error.log",
                "-c", f"{PREFIX}/nginx.conf"],
        network_mode="none", labels={KIT_LABEL: KIT_VALUE, HELPER_LABEL: "nginx-t"})
    try:
        container.put_archive("/", _config_tar(http_text))
        container.start()
        code = container.wait(timeout=timeout)["StatusCode"]
        output = container.logs().decode(errors="replace")
    finally:
        container.remove(force=True)
    return ConfigCheck(code == 0, student_lines(output.replace(PREFIX, "<prefijo>"), http_text))


class NginxContainer:
    """A real nginx running ``http_text`` in a container on ``network`` until :meth:`stop`.

    Same calls as :class:`course.nginx.NginxServer` (``start``, ``get``, ``count``, ``stop``,
    ``with``); ``port`` is the student's ``listen`` port, inside the container.
    """

    def __init__(self, lab, http_text: str, port: int, network: str):
        self.lab, self.http_text, self.port, self.network = lab, http_text, port, network
        self.container = None

    def start(self, wait_s: float = 15) -> NginxContainer:
        client = self.lab.client
        image = ensure_image(client)
        self.container = client.containers.create(
            image, ["/usr/sbin/nginx", "-p", PREFIX, "-e", f"{PREFIX}/error.log",
                    "-c", f"{PREFIX}/nginx.conf"],
            name=self.lab.name(f"kit-nginx-{self.port}"), network=self.network,
            # the kit's, not the student's: lab.filters() listings do not see it
            labels={**{k: v for k, v in self.lab.labels().items() if k != "course.lab"},
                    HELPER_LABEL: self.lab.namespace},
        )
        self.container.put_archive("/", _config_tar(self.http_text))
        self.container.start()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            self.container.reload()
            if self.container.status not in ("created", "running"):
                logs = self.container.logs().decode(errors="replace").strip()
                self.stop()
                raise RuntimeError(f"nginx terminó al arrancar: {logs}")
            status, _ = self.get(timeout=1)
            if status is not None:
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx no aceptó conexiones en el puerto {self.port} en {wait_s} s.")

    def get(self, path: str = "/", timeout: float = 3) -> tuple[int | None, str]:
        """One request through nginx, from inside its container: ``(status, body)``, or
        ``(None, reason)`` when it failed."""
        seconds = str(max(1, round(timeout)))
        command = [BUSYBOX, "timeout", seconds, BUSYBOX, "wget", "-qO-",
                   f"http://127.0.0.1:{self.port}{path}"]
        try:
            code, (out, err) = self.container.exec_run(command, demux=True)
        except docker.errors.APIError as error:
            return None, error.explanation or str(error)
        body, said = (out or b"").decode(errors="replace"), (err or b"").decode(errors="replace")
        if code == 0:
            return 200, body
        match = re.search(r"HTTP/\S+ (\d{3})", said)
        return (int(match.group(1)), body) if match else (None, said.strip() or f"código {code}")

    def count(self, requests: int, path: str = "/") -> Counter:
        """Send ``requests`` requests; count the bodies, and failed ones under ``"fallidas"``."""
        answers: Counter = Counter()
        for _ in range(requests):
            status, body = self.get(path)
            answers[body.strip() if status == 200 else FAILED] += 1
        return answers

    def stop(self) -> None:
        if self.container is not None:
            try:
                self.container.remove(force=True)
            except docker.errors.NotFound:
                pass
            self.container = None

    def __enter__(self) -> NginxContainer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
