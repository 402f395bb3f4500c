"""HTTP to a container *through the engine*: a helper container on the target's networks.

Why: the kernel may not share a network with the containers. Docker Desktop (macOS, Windows),
rootless Docker, a remote ``DOCKER_HOST`` and the confined grading kernels have no route to a
bridge network's addresses; only the Docker API answers. So the kit never opens a socket to a
container: one long-lived helper container per lab (the lab image, doing nothing but wait) is
attached to whatever network the target is on, and each request is an ``exec`` of the image's
``wget`` in it. The request crosses the same network a client on that network would cross.

The helper is the lab's own: it carries the kit's label and ``course.helper=<namespace>`` (never
``course.lab``, so ``lab.filters()`` listings do not see it) and ``lab.cleanup()`` removes it.
Every call is bounded: wget's own ``-T`` plus the lab client's read timeout.
"""

from __future__ import annotations

import re

import docker

HELPER_LABEL = "course.helper"
# The lab image's /bin/wget honours -T (course/images.py: Debian's static busybox's own wget
# segfaults on -T). Named by path: busybox's `timeout` would run its wget applet instead.
_STATUS = re.compile(r"HTTP/\S+ (\d{3})")


class EngineHTTP:
    """One lab's helper container and the requests it makes.

    Args:
        client: the lab's docker-py client.
        name: the helper container's name (unique to the lab).
        labels: its labels (the kit's, plus ``course.helper``).
        image: a callable returning the tag of the lab image to run it from (built on demand).
    """

    def __init__(self, client, name: str, labels: dict[str, str], image):
        self.client, self.name, self.labels, self._image = client, name, labels, image
        self._helper = None
        self._networks: set[str] = set()  # ids of the networks the helper is attached to

    def get(self, container, port: int, path: str, timeout: float) -> tuple[int, str]:
        """``(status, body)`` of ``GET http://<container>:<port><path>``, asked from the helper
        on one of ``container``'s networks; raises ``ConnectionError`` with the reason when
        nothing answered (refused, timed out, no shared network)."""
        address = self._attach(container)
        seconds = max(1, round(timeout))
        command = ["/bin/wget", "-T", str(seconds), "-qO-", f"http://{address}:{port}{path}"]
        try:
            code, (out, err) = self._exec(command)
        except docker.errors.NotFound:  # someone removed the helper: make it again, once
            self._helper, self._networks = None, set()
            address = self._attach(container)
            code, (out, err) = self._exec(command)
        body = (out or b"").decode(errors="replace")
        said = (err or b"").decode(errors="replace").strip()
        if code == 0:
            return 200, body
        match = _STATUS.search(said)
        if match:
            return int(match.group(1)), body
        raise ConnectionError(said or f"wget salió con el código {code}")

    def _exec(self, command):
        helper = self._ensure()
        try:
            return helper.exec_run(command, demux=True)
        except docker.errors.NotFound:
            raise
        except docker.errors.APIError as error:  # the helper stopped, or the engine refused
            raise ConnectionError(error.explanation or str(error)) from error

    def _attach(self, container) -> str:
        """Attach the helper to one of ``container``'s networks (once) and return the
        container's address on it."""
        networks = container.attrs.get("NetworkSettings", {}).get("Networks") or {}
        usable = [(s.get("NetworkID"), s["IPAddress"]) for s in networks.values()
                  if s.get("IPAddress")]
        if not usable:
            raise ConnectionError("el contenedor no tiene dirección en ninguna red")
        helper = self._ensure()
        for network_id, address in usable:
            if network_id in self._networks:
                return address
        network_id, address = usable[0]
        try:
            self.client.api.connect_container_to_network(helper.id, network_id)
        except docker.errors.APIError as error:
            if "already exists" not in str(error):
                raise ConnectionError(
                    f"el kit no puede unirse a la red del contenedor: {error.explanation}"
                ) from error
        self._networks.add(network_id)
        return address

    def _ensure(self):
        """The running helper, started on first use (on the default ``bridge`` network)."""
        if self._helper is not None:
            return self._helper
        try:
            helper = self.client.containers.get(self.name)
            if helper.status != "running":
                helper.remove(force=True)
                helper = None
        except docker.errors.NotFound:
            helper = None
        if helper is None:
            helper = self.client.containers.run(
                self._image(), ["sleep", "2147483647"], detach=True, name=self.name,
                labels=self.labels, healthcheck={"test": ["NONE"]}, init=False,
            )
        helper.reload()
        networks = helper.attrs.get("NetworkSettings", {}).get("Networks") or {}
        self._networks = {s.get("NetworkID") for s in networks.values()}
        self._helper = helper
        return helper

    def forget(self) -> None:
        """Drop what is known of the helper (``lab.cleanup`` removes it by its label); the next
        request starts a new one."""
        self._helper, self._networks = None, set()
