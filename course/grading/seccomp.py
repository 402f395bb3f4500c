"""A seccomp filter for the grading kernels: system calls a Python kernel never makes, refused.

bubblewrap already takes every capability away and gives the kernel namespaces of its own; what
is left is the Linux kernel's own attack surface. This filter closes the parts of it that
container runtimes close too (Docker's default profile, Flatpak's): new namespaces (``unshare``,
``setns``, ``clone`` with ``CLONE_NEW*``), mounts, the kernel keyring, ``bpf``,
``perf_event_open``, ``userfaultfd``, ``io_uring``, ``ptrace`` and reading other processes'
memory, module loading, ``kexec``, reboot and swap, ``open_by_handle_at``. They fail with
``EPERM``; ``clone3``, whose flags a filter cannot read, fails with ``ENOSYS`` so the C library
falls back to ``clone`` (glibc does). A process of another architecture (x32, i386) is killed.

The program is classic BPF, written here without libseccomp: bwrap loads it from a file
descriptor (``--seccomp FD``), after ``PR_SET_NO_NEW_PRIVS``.
"""

from __future__ import annotations

import errno
import platform
import struct

# system call numbers: (x86_64, aarch64); the newer ones share one number on every architecture
DENIED = {
    "ptrace": (101, 117), "process_vm_readv": (310, 270), "process_vm_writev": (311, 271),
    "mount": (165, 40), "umount2": (166, 39), "pivot_root": (155, 41), "chroot": (161, 51),
    "unshare": (272, 97), "setns": (308, 268),
    "keyctl": (250, 219), "add_key": (248, 217), "request_key": (249, 218),
    "bpf": (321, 280), "perf_event_open": (298, 241), "userfaultfd": (323, 282),
    "kexec_load": (246, 104), "kexec_file_load": (320, 294), "init_module": (175, 105),
    "finit_module": (313, 273), "delete_module": (176, 106), "reboot": (169, 142),
    "swapon": (167, 224), "swapoff": (168, 225), "syslog": (103, 116), "acct": (163, 89),
    "quotactl": (179, 60), "open_by_handle_at": (304, 265), "name_to_handle_at": (303, 264),
    "fanotify_init": (300, 262),
    "io_uring_setup": (425, 425), "io_uring_enter": (426, 426), "io_uring_register": (427, 427),
    "open_tree": (428, 428), "move_mount": (429, 429), "fsopen": (430, 430),
    "fsconfig": (431, 431), "fsmount": (432, 432), "fspick": (433, 433),
    "mount_setattr": (442, 442),
    "uselib": (134, None), "modify_ldt": (154, None),
}  # fmt: skip
CLONE = (56, 220)
CLONE3 = (435, 435)
CLONE_NEW_ANY = 0x7E020000  # CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
ARCHES = {"x86_64": (0, 0xC000003E), "aarch64": (1, 0xC00000B7)}  # AUDIT_ARCH_*
X32_BIT = 0x40000000

# classic BPF opcodes and seccomp return values
LD_W_ABS, JEQ_K, JGE_K, JSET_K, RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
ALLOW, KILL_PROCESS, ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
NR, ARCH, ARG0 = 0, 4, 16  # offsets in struct seccomp_data


def supported() -> bool:
    return platform.machine() in ARCHES


def program(machine: str | None = None) -> bytes:
    """The filter for ``machine`` (this one by default), as bwrap's ``--seccomp`` reads it."""
    column, audit_arch = ARCHES[machine or platform.machine()]
    denied = sorted({nrs[column] for nrs in DENIED.values() if nrs[column] is not None})
    deny, enosys, clone_check = "deny", "enosys", "clone"
    code: list[tuple] = [
        (LD_W_ABS, 0, 0, ARCH),
        (JEQ_K, 1, 0, audit_arch),
        (RET_K, 0, 0, KILL_PROCESS),
        (LD_W_ABS, 0, 0, NR),
    ]
    if column == 0:  # the x32 ABI on x86_64: the same calls with bit 30 set
        code.append((JGE_K, "->" + deny, 0, X32_BIT))
    code += [(JEQ_K, "->" + deny, 0, nr) for nr in denied]
    code += [(JEQ_K, "->" + clone_check, 0, CLONE[column]),
             (JEQ_K, "->" + enosys, 0, CLONE3[column]),
             (RET_K, 0, 0, ALLOW),
             (clone_check,), (LD_W_ABS, 0, 0, ARG0), (JSET_K, "->" + deny, 0, CLONE_NEW_ANY),
             (RET_K, 0, 0, ALLOW),
             (enosys,), (RET_K, 0, 0, ERRNO | errno.ENOSYS),
             (deny,), (RET_K, 0, 0, ERRNO | errno.EPERM)]
    return _assemble(code)


def _assemble(code: list[tuple]) -> bytes:
    """Resolve ``"->label"`` jumps (relative, forward) and pack ``struct sock_filter``s."""
    labels, instructions = {}, []
    for item in code:
        if len(item) == 1:
            labels[item[0]] = len(instructions)
        else:
            instructions.append(item)
    out = b""
    for index, (op, jt, jf, k) in enumerate(instructions):
        jt, jf = (labels[j[2:]] - index - 1 if isinstance(j, str) else j for j in (jt, jf))
        if not (0 <= jt < 256 and 0 <= jf < 256):
            raise ValueError("seccomp program too long for a relative jump")
        out += struct.pack("<HBBI", op, jt, jf, k)
    return out
