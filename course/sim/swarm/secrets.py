"""Secrets: immutable data, mounted read-only at ``/run/secrets/<name>`` in each task.

Why the data never leaves this store: the engine never returns a secret's data (inspect shows
its name and labels only), never puts it in a container's environment or inspect output, and
lets no one change it (rotation means a new secret under a new name). Only a task's filesystem
sees it, so ``exec_run("cat /run/secrets/<name>")`` is the one way to read it back.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from ..naming import rfc3339

MAX_SIZE = 500 * 1024  # the engine's limit: 500 KB


@dataclass(eq=False)
class Secret:
    """One secret. ``data`` stays here: :meth:`inspect` never shows it.

    >>> s = Secret(id="x1", name="db_password", data=b"s3cr3t", created=0.0)
    >>> "s3cr3t" in str(s.inspect())
    False
    """

    id: str
    name: str
    data: bytes = field(repr=False)
    created: float = 0.0
    labels: dict[str, str] = field(default_factory=dict)
    version: int = 0

    def inspect(self) -> dict:
        """The body of ``GET /secrets/{id}``: no ``Data``, as on the engine."""
        return {
            "ID": self.id, "Version": {"Index": self.version},
            "CreatedAt": rfc3339(self.created), "UpdatedAt": rfc3339(self.created),
            "Spec": {"Name": self.name, "Labels": dict(self.labels)},
        }


def decode(spec: dict) -> bytes:
    """The data of a create body (base64, as docker-py sends it); ``ValueError`` if invalid.

    >>> decode({"Data": "czNjcjN0"})
    b's3cr3t'
    """
    try:
        data = base64.b64decode(spec.get("Data") or "", validate=True)
    except ValueError as error:
        raise ValueError(
            f"rpc error: code = InvalidArgument desc = invalid secret data: {error}"
        ) from None
    if not data:
        raise ValueError("rpc error: code = InvalidArgument desc = secret data must be "
                         "larger than 0 and less than 500 KB")
    if len(data) > MAX_SIZE:
        raise ValueError("rpc error: code = InvalidArgument desc = secret data must be "
                         "larger than 0 and less than 500 KB")
    return data


class SecretStore:
    """Secrets by id, found by id, name or unique id prefix."""

    missing = "secret {ref} not found"  # errors.lookup's 404 for an unknown ref

    def __init__(self):
        self.by_id: dict[str, Secret] = {}

    def __iter__(self):
        return iter(self.by_id.values())

    def add(self, secret: Secret) -> None:
        self.by_id[secret.id] = secret

    def remove(self, secret: Secret) -> None:
        self.by_id.pop(secret.id, None)

    def by_name(self, name: str) -> Secret | None:
        return next((s for s in self.by_id.values() if s.name == name), None)

    def find(self, ref: str) -> Secret | None:
        if ref in self.by_id:
            return self.by_id[ref]
        named = self.by_name(ref)
        if named is not None:
            return named
        matches = [s for i, s in self.by_id.items() if i.startswith(ref)] if ref else []
        return matches[0] if len(matches) == 1 else None

    def files_for(self, template: dict) -> dict[str, bytes]:
        """``{/run/secrets/<target>: data}`` for the secrets a task template references."""
        files = {}
        for ref in (template.get("ContainerSpec") or {}).get("Secrets") or []:
            secret = self.by_id.get(ref.get("SecretID")) or self.by_name(ref.get("SecretName"))
            if secret is None:
                continue
            target = (ref.get("File") or {}).get("Name") or secret.name
            path = target if target.startswith("/") else f"/run/secrets/{target}"
            files[path] = secret.data
        return files
