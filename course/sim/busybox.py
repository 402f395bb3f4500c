"""The busybox applets of the simulated images, and how a program name becomes one of them.

Why: both images (busybox and the lab image, built from a static busybox) only have busybox.
Each applet here reproduces what busybox 1.35 prints and returns for the cases a lesson uses;
network applets live in ``netapplets``. A busybox applet that is not modelled raises 501 (the
simulator says it cannot), and a program that does not exist fails as on the engine: 127 and
``sh: x: not found`` inside ``sh``, and the OCI runtime's error (exit 126) for ``exec_run``.
"""

from __future__ import annotations

import math

from .errors import NotSupported
from .filesystem import FsError, normalize
from .images import WEB_PORT, WEB_ROOT, WEB_START, WEB_TERM_EXIT
from .shell import Shell

ALL_APPLETS = frozenset("""
    [ [[ acpid adjtimex ar arch arp arping ascii ash awk base64 basename bc blkdiscard blockdev
    brctl bunzip2 busybox bzcat bzip2 cal cat chgrp chmod chown chroot chvt clear cmp cp cpio
    crc32 crond crontab cttyhack cut date dc dd deallocvt depmod devmem df diff dirname dmesg
    dnsdomainname dos2unix dpkg dpkg-deb du dumpkmap dumpleases echo ed egrep env expand expr
    factor fallocate false fatattr fdisk fgrep find findfs fold free freeramdisk fsfreeze fstrim
    ftpget ftpput getopt getty grep groups gunzip gzip halt head hexdump hostid hostname httpd
    hwclock i2cdetect i2cdump i2cget i2cset i2ctransfer id ifconfig ifdown ifup init insmod ionice
    ip ipcalc ipneigh kill killall klogd last less link linux32 linux64 linuxrc ln loadfont
    loadkmap logger login logname logread losetup ls lsmod lsscsi lzcat lzma lzop md5sum mdev
    microcom mim mkdir mkdosfs mke2fs mkfifo mknod mkpasswd mkswap mktemp modinfo modprobe more
    mount mt mv nameif nc netstat nl nologin nproc nsenter nslookup nuke od openvt partprobe
    passwd paste patch pidof ping ping6 pivot_root poweroff printf ps pwd rdate readlink realpath
    reboot renice reset resume rev rm rmdir rmmod route rpm rpm2cpio run-init run-parts sed seq
    setkeycodes setpriv setsid sh sha1sum sha256sum sha3sum sha512sum shred shuf sleep sort
    ssl_client start-stop-daemon stat strings stty su sulogin svc svok swapoff swapon switch_root
    sync sysctl syslogd tac tail tar taskset tc tee telnet telnetd test tftp time timeout top
    touch tr traceroute traceroute6 true truncate ts tty tunctl ubirename udhcpc udhcpd uevent
    umount uname uncompress unexpand uniq unix2dos unlink unlzma unshare unxz unzip uptime usleep
    uudecode uuencode vconfig vi w watch watchdog wc wget which who whoami xargs xxd xz xzcat yes
    zcat
""".split())

BIN_DIRS = ("/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/", "/usr/local/bin/")


class ExecutableNotFound(Exception):
    """The program does not exist in the container; reason is how runc says it."""

    def __init__(self, name: str, reason: str):
        super().__init__(name)
        self.name, self.reason = name, reason


def oci_exec_error(error: ExecutableNotFound) -> str:
    """What the engine prints (exit code 126) when exec_run names a missing program."""
    return ("OCI runtime exec failed: exec failed: unable to start container process: "
            f'exec: "{error.name}": {error.reason}: unknown\r\n')


def oci_start_error(error: ExecutableNotFound) -> str:
    """The 400 message of start when the container's command does not exist."""
    return ("failed to create shim task: OCI runtime create failed: runc create failed: "
            f'unable to start container process: exec: "{error.name}": {error.reason}: unknown')


def check_executable(container, name: str) -> None:
    """Raise :class:`ExecutableNotFound` unless ``name`` can be executed in ``container``."""
    if "/" not in name:
        if name in ALL_APPLETS:
            return
        raise ExecutableNotFound(name, 'executable file not found in $PATH')
    path = normalize(name)
    if path.startswith("/bin/") and path[5:] in ALL_APPLETS | {"busybox"}:
        return
    if container.view.is_dir(path):
        raise ExecutableNotFound(name, "permission denied")
    if not container.view.exists(path):
        raise ExecutableNotFound(name, f"stat {name}: no such file or directory")


def run_program(process, argv: list[str]) -> int:
    """Run ``argv`` in ``process`` (raises :class:`ExecutableNotFound`)."""
    name = argv[0]
    if "/" in name:
        path = normalize(name, process.cwd)
        if path == WEB_START and process.container.image.web_version:
            return web_start(process)
        if path.startswith("/bin/") and path[5:] in ALL_APPLETS:
            name = path[5:]
        elif process.files.is_dir(path):
            raise ExecutableNotFound(argv[0], "permission denied")
        elif process.files.exists(path):
            return sh(process, ["sh", path, *argv[1:]])
        else:
            raise ExecutableNotFound(argv[0], f"stat {argv[0]}: no such file or directory")
    from .archive import ARCHIVE_APPLETS
    from .netapplets import NET_APPLETS

    applet = APPLETS.get(name) or NET_APPLETS.get(name) or ARCHIVE_APPLETS.get(name)
    if applet is not None:
        return applet(process, [name, *argv[1:]])
    if name in ALL_APPLETS:
        raise NotSupported(f"el programa '{name}' de busybox")
    raise ExecutableNotFound(name, 'executable file not found in $PATH')


def shell_runner(process, argv: list[str]) -> int:
    """How sh runs a program: a missing one is sh: x: not found and status 127."""
    try:
        return run_program(process, argv)
    except ExecutableNotFound:
        process.error(f"sh: {argv[0]}: not found\n")
        return 127


# -- applets ------------------------------------------------------------------------------------
def sh(process, argv):
    if len(argv) >= 3 and argv[1] == "-c":
        return Shell(process, shell_runner).run(argv[2])
    if len(argv) >= 2 and not argv[1].startswith("-"):
        path = normalize(argv[1], process.cwd)
        if path == WEB_START and process.container.image.web_version:
            return web_start(process)
        try:
            script = process.files.read(path).decode(errors="replace")
        except FsError as error:
            process.error(f"sh: can't open '{argv[1]}': {error.reason}\n")
            return 2
        return Shell(process, shell_runner).run(script)
    if len(argv) == 1:
        process.reads_stdin("sh")  # without stdin or a TTY it reads EOF and ends at once
        return 0
    raise NotSupported(f"las opciones de sh {' '.join(argv[1:])!r} (usa sh -c \"...\")")


def web_start(process) -> int:
    """The lab image's /start.sh (see course/images.py): write the pages, run httpd under a
    shell that exits 143 on SIGTERM."""
    version = process.env.get("WEB_VERSION", "")
    process.files.mkdir(WEB_ROOT, parents=True)
    process.files.write(f"{WEB_ROOT}/index.html", f"web v{version} {process.hostname}\n".encode())
    if process.env.get("WEB_BROKEN", "0") != "1":
        process.files.write(f"{WEB_ROOT}/health", b"ok\n")
    process.term_exit = WEB_TERM_EXIT
    return httpd(process, ["httpd", "-f", "-p", str(WEB_PORT), "-h", WEB_ROOT])


def httpd(process, argv):
    foreground, port, home = False, 80, "."
    args = iter(argv[1:])
    for arg in args:
        if arg == "-f":
            foreground = True
        elif arg == "-p":
            port = int(next(args, "80").rsplit(":", 1)[-1])
        elif arg == "-h":
            home = next(args, ".")
        elif arg in ("-v", "-vv"):
            continue
        else:
            raise NotSupported(f"la opción {arg} de httpd")
    servers = process.container.servers
    if port in servers:
        process.error("httpd: bind: Address in use\n")
        return 1
    servers[port] = normalize(home, process.cwd)
    if foreground:
        process.block("httpd -f")
    return 0


def hostname(process, argv):
    if len(argv) > 1:
        process.error("hostname: sethostname: Operation not permitted\n")
        return 1
    process.write(process.hostname + "\n")
    return 0


def echo(process, argv):
    args, newline, escapes = argv[1:], True, False
    while args and args[0] in ("-n", "-e", "-ne", "-en", "-E"):
        newline = newline and "n" not in args[0]
        escapes = "e" in args[0]
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text = text.encode().decode("unicode_escape")
    process.write(text + ("\n" if newline else ""))
    return 0


def true(process, argv):
    return 0


def false(process, argv):
    return 1


def env(process, argv):
    if len(argv) > 1:
        raise NotSupported("env con argumentos (usa VAR=valor comando dentro de sh -c)")
    process.write("".join(line + "\n" for line in process.environ()))
    return 0


def top(process, argv):
    """``top`` redraws the process list until it is stopped: only a main process can."""
    process.block("top")
    return 0


def pwd(process, argv):
    process.write(process.cwd + "\n")
    return 0


def cat(process, argv):
    if len(argv) == 1:
        process.reads_stdin("cat")
        return 0
    status = 0
    for name in argv[1:]:
        try:
            process.write(process.files.read(normalize(name, process.cwd)))
        except FsError as error:
            if error.reason == "Is a directory":
                process.error("cat: read error: Is a directory\n")
            else:
                process.error(f"cat: can't open '{name}': {error.reason}\n")
            status = 1
    return status


def ls(process, argv):
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and len(a) > 1)
    if set(flags) - set("1a"):
        raise NotSupported(f"ls -{flags} (el simulador solo lista nombres: ls, ls -1, ls -a)")
    targets = [a for a in argv[1:] if not a.startswith("-") or a == "-"] or ["."]
    files, dirs, status = [], [], 0
    for target in targets:
        path = normalize(target, process.cwd)
        if process.files.is_dir(path):
            dirs.append((target, path))
        elif process.files.exists(path) or _is_applet_link(path):
            files.append(target)
        else:
            process.error(f"ls: {target}: No such file or directory\n")
            status = 1
    out = [f"{name}\n" for name in sorted(files)]
    for index, (target, path) in enumerate(sorted(dirs)):
        names = process.files.listdir(path)
        if path == "/bin":
            names = sorted(set(names) | ALL_APPLETS | {"busybox"})
        if "a" in flags:
            names = [".", "..", *names]
        else:
            names = [n for n in names if not n.startswith(".")]
        if len(targets) > 1:
            out.append(("\n" if out or index else "") + f"{target}:\n")
        out.extend(f"{n}\n" for n in names)
    process.write("".join(out))
    return status


def sleep(process, argv):
    if len(argv) < 2:
        process.error("BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\n"
                      "Usage: sleep [N]...\n\nPause for a time equal to the total of the args "
                      "given, where each arg can\nhave an optional suffix of (s)econds, "
                      "(m)inutes, (h)ours, or (d)ays\n")
        return 1
    total = 0.0
    for arg in argv[1:]:
        scale = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(arg[-1:], None)
        number = arg[:-1] if scale else arg
        try:
            value = float(number)
        except ValueError:
            process.error(f"sleep: invalid number '{arg}'\n")
            return 1
        total += value * (scale or 1)
    process.sleep(math.inf if math.isinf(total) else total)
    return 0


def mkdir(process, argv):
    parents = "-p" in argv
    status = 0
    for name in (a for a in argv[1:] if not a.startswith("-")):
        try:
            process.files.mkdir(normalize(name, process.cwd), parents=parents)
        except FsError as error:
            if not (parents and error.reason == "File exists"):
                process.error(f"mkdir: can't create directory '{name}': {error.reason}\n")
                status = 1
    return status


def touch(process, argv):
    status = 0
    for name in (a for a in argv[1:] if not a.startswith("-")):
        path = normalize(name, process.cwd)
        try:
            if not process.files.exists(path):
                process.files.write(path, b"")
        except FsError:
            process.error(f"touch: {name}: No such file or directory\n")
            status = 1
    return status


def rm(process, argv):
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-"))
    status = 0
    for name in (a for a in argv[1:] if not a.startswith("-")):
        path = normalize(name, process.cwd)
        if process.files.is_dir(path) and "r" not in flags:
            process.error(f"rm: '{name}' is a directory\n")
            status = 1
            continue
        if _is_applet_link(path) and not process.files.exists(path):
            continue  # a link of busybox's: the simulator keeps them implicit, the applet stays
        try:
            _remove_tree(process.files, path)
        except FsError as error:
            if "f" not in flags:
                process.error(f"rm: can't remove '{name}': {error.reason}\n")
                status = 1
    return status


def busybox(process, argv):
    """``busybox APPLET ...`` runs the applet; ``busybox --install [-s] /bin`` links every
    applet into /bin, where the simulator's links already are (implicit: ``_is_applet_link``)."""
    args = argv[1:]
    if args[:1] == ["--install"]:
        if [a for a in args[1:] if a != "-s"] in ([], ["/bin"]):
            return 0
        raise NotSupported("busybox --install en otro directorio que /bin")
    if not args or args[0].startswith("-"):
        raise NotSupported(f"busybox {' '.join(args)} (usa busybox PROGRAMA ...)")
    return run_program(process, args)


def _is_applet_link(path: str) -> bool:
    """``/bin/<applet>``: the links ``busybox --install`` made (not stored file by file)."""
    return path.startswith("/bin/") and path[5:] in ALL_APPLETS | {"busybox"}


def _remove_tree(files, path):
    if files.is_dir(path):
        for child in files.listdir(path):
            _remove_tree(files, f"{path.rstrip('/')}/{child}")
    files.remove(path)


APPLETS = {
    "sh": sh, "ash": sh, "httpd": httpd, "hostname": hostname, "echo": echo, "true": true,
    "false": false, "env": env, "printenv": env, "pwd": pwd, "cat": cat, "ls": ls,
    "sleep": sleep, "top": top, "mkdir": mkdir, "touch": touch, "rm": rm, "busybox": busybox,
}
