"""busybox ``tar``: create, list and extract uncompressed archives inside a simulated container.

Why: backing a volume up is done the Docker way, from a throwaway container that mounts the
volume and tars it (``docker run --rm -v datos:/datos -v copias:/copias imagen tar -cf
/copias/datos.tar -C /datos .``). The archive is a real ustar file (Python's ``tarfile``), so
what a lesson extracts, lists or downloads is what the real tool would give. Modelled: ``-c``,
``-x``, ``-t``, ``-f FILE`` (``-`` is stdout/stdin), ``-C DIR``, ``-v`` (ignored), in the
``-cf``/``cf`` forms; compression and other options are refused with a clear message.
"""

from __future__ import annotations

import io
import tarfile

from .errors import NotSupported
from .filesystem import FsError, normalize


def _options(argv: list[str]) -> tuple[str, str | None, str, list[str]]:
    """``(mode, archive, directory, members)`` from tar's command line."""
    args = list(argv[1:])
    if args and not args[0].startswith("-"):
        args[0] = "-" + args[0]  # tar's old style: "tar cf x.tar ."
    mode, archive, directory, members = "", None, ".", []
    while args:
        arg = args.pop(0)
        if not arg.startswith("-") or arg == "-":
            members.append(arg)
            continue
        for index, flag in enumerate(arg[1:]):
            if flag in "cxt":
                mode += flag
            elif flag == "v":
                pass
            elif flag in "fC":
                value = arg[index + 2:] or (args.pop(0) if args else "")
                if flag == "f":
                    archive = value
                else:
                    directory = value
                break
            else:
                raise NotSupported(f"tar -{flag} (el simulador crea, lista y extrae tar sin "
                                  "comprimir: -c, -x, -t, -f, -C)")
    return mode, archive, directory, members


def _add(process, bundle: tarfile.TarFile, path: str, name: str) -> None:
    files = process.files
    info = tarfile.TarInfo(name)
    if files.is_dir(path):
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        bundle.addfile(info)
        for child in files.listdir(path):
            _add(process, bundle, f"{path.rstrip('/')}/{child}", f"{name.rstrip('/')}/{child}")
        return
    data = files.read(path)
    info.size, info.mode = len(data), 0o644
    bundle.addfile(info, io.BytesIO(data))


def tar(process, argv):
    mode, archive, directory, members = _options(argv)
    if len(mode) != 1 or archive is None:
        process.error("tar: need exactly one of -c, -x, -t and an archive (-f FILE)\n")
        return 1
    base = normalize(directory, process.cwd)
    if mode == "c":
        if not members:
            process.error("tar: empty archive\n")
            return 1
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as bundle:
            for member in members:
                path = normalize(member, base)
                if not process.files.exists(path):
                    process.error(f"tar: {member}: No such file or directory\n")
                    return 1
                _add(process, bundle, path, member)
        if archive == "-":
            process.write(buffer.getvalue())
        else:
            process.files.write(normalize(archive, process.cwd), buffer.getvalue())
        return 0
    try:
        data = process.files.read(normalize(archive, process.cwd))
    except FsError as error:
        process.error(f"tar: can't open '{archive}': {error.reason}\n")
        return 1
    try:
        bundle = tarfile.open(fileobj=io.BytesIO(data), mode="r:")
    except tarfile.TarError:
        process.error("tar: invalid tar magic\n")
        return 1
    with bundle:
        for info in bundle.getmembers():
            if mode == "t":
                process.write(info.name + ("/" if info.isdir() and not info.name.endswith("/")
                                           else "") + "\n")
                continue
            target = normalize(info.name, base)
            if info.isdir():
                process.files.mkdir(target, parents=True)
            elif info.isfile():
                process.files.write(target, bundle.extractfile(info).read())
    return 0


ARCHIVE_APPLETS = {"tar": tar}
