"""Running a program in a running container: ``exec_run`` and health check probes.

Why: the engine distinguishes two failures a student meets. A program ``exec`` cannot find at
all is refused by the OCI runtime (exit code 126 and its message); a program that ``sh`` cannot
find is the shell's business (exit 127, ``sh: x: not found``). ``run_in_container`` keeps that
difference and returns the exit code, the output in the order it was written and the virtual
time the program took.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .busybox import ExecutableNotFound, check_executable, oci_exec_error, run_program
from .process import STDERR, STDOUT, Process, container_env


@dataclass(eq=False, slots=True)
class Exec:
    """One exec instance (``POST /containers/{id}/exec``) and, once run, its result."""

    id: str
    container_id: str
    argv: list[str]
    env: list[str] = field(default_factory=list)
    tty: bool = False
    running: bool = False
    exit_code: int | None = None
    chunks: list[tuple[int, bytes]] = field(default_factory=list)

    def inspect(self) -> dict:
        return {
            "ID": self.id, "Running": self.running, "ExitCode": self.exit_code,
            "ProcessConfig": {"tty": self.tty, "entrypoint": self.argv[0] if self.argv else "",
                              "arguments": self.argv[1:], "privileged": False},
            "OpenStdin": False, "OpenStderr": True, "OpenStdout": True, "CanRemove": False,
            "ContainerID": self.container_id, "DetachKeys": "", "Pid": 0,
        }


def run_in_container(engine, container, argv: list[str], env: list[str] | None = None,
                     chunks: list | None = None, process: Process | None = None,
                     ) -> tuple[int, bytes, float]:
    """Run ``argv`` as ``exec`` does; returns ``(exit code, output, virtual duration)``.

    The clock does not move here: the caller decides what the duration means.
    """
    process = process or Process(engine, container, container_env(container, env))
    try:
        check_executable(container, argv[0])
        code = run_program(process, argv)
    except ExecutableNotFound as missing:
        process.write(oci_exec_error(missing), STDOUT)
        code = 126
    if chunks is not None:
        chunks.extend(process.chunks)
    return code, process.output, process.duration


def demultiplex(chunks) -> tuple[bytes, bytes]:
    out = b"".join(d for s, d in chunks if s == STDOUT)
    err = b"".join(d for s, d in chunks if s == STDERR)
    return out, err
