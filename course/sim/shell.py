"""A small POSIX shell (busybox ash's subset) for ``sh -c "..."`` in simulated containers.

Why its own module: students chain commands the way they would in a terminal (``echo hola >
/data/f; cat /data/f``, ``wget ... || echo caído``) and the engine runs them with busybox ``sh``.
This shell understands lists (``;``, ``&&``, ``||``, new lines), quoting (``'...'``, ``"..."``,
``\\``), variables (``$VAR``, ``${VAR}``, ``$?``), command substitution ``$(...)``, assignments,
redirections (``>``, ``>>``, ``2>``, ``2>&1``, ``>&2``) and the builtins ``exit``, ``cd``,
``export``, ``exec``, ``:``. Anything else (pipes, loops, ``if``, globs, background jobs) is
refused with a clear 501 instead of being half-done: the simulator never guesses.

This module runs a parsed script (expansion, builtins, redirections, programs); the parsing is
``shell_syntax.py``.
"""

from __future__ import annotations

import re

from .errors import NotSupported
from .filesystem import FsError, normalize
from .shell_syntax import EXPANSION, Command, ShellSyntaxError, Word, parse

__all__ = ["Shell", "ShellSyntaxError", "parse"]


class Shell:
    """Runs scripts in a :class:`~course.sim.process.Process`; ``runner(argv)`` runs programs."""

    def __init__(self, process, runner):
        self.process = process
        self.runner = runner  # callable(process, argv) -> exit status
        self.status = 0

    # -- expansion ------------------------------------------------------------------------------
    def _expand_text(self, text: str) -> str:
        env = self.process.env

        def substitute(match: re.Match) -> str:
            token = match.group(0)
            if token.startswith("$("):
                return self._capture(token[2:-1])
            name = match.group(1) or match.group(2)
            if name == "?":
                return str(self.status)
            if name in ("$", "!", "#", "@", "*", "0") or (name and name.isdigit()):
                raise NotSupported(f"la variable especial ${name} del shell")
            if ":-" in name:
                key, _, default = name.partition(":-")
                return env.get(key) or default
            return env.get(name, "")

        return EXPANSION.sub(substitute, text)

    def _capture(self, script: str) -> str:
        from .process import Process

        inner = Process(self.process.engine, self.process.container, self.process.env,
                        main=self.process.main)
        sub = Shell(inner, self.runner)
        sub.run(script)
        self.process.duration += inner.duration
        for stream, data in inner.chunks:
            if stream != 1:
                self.process.write(data, stream)
        return inner.stdout.decode(errors="replace").rstrip("\n")

    def expand(self, word: Word) -> list[str]:
        """A word's fields after expansion (unquoted expansions split on blanks)."""
        fields: list[str] = []
        current, has_quoted = "", False
        for quoting, text in word.parts:
            if quoting == "'":
                current += text
                has_quoted = True
            elif quoting == '"':
                current += self._expand_text(re.sub(r"\\([\"\\$`])", r"\1", text)
                                             if "\\" in text else text)
                has_quoted = True
            else:
                if any(ch in text for ch in "*?[") and "$" not in text:
                    raise NotSupported(f"los comodines del shell ({text})")
                expanded = self._expand_text(text)
                pieces = expanded.split() if expanded != text else [expanded]
                if expanded != text and expanded[:1].isspace() and current:
                    fields.append(current)
                    current = ""
                if pieces:
                    current += pieces[0]
                    for piece in pieces[1:]:
                        fields.append(current)
                        current = piece
        if current or has_quoted:
            fields.append(current)
        return fields

    # -- execution -------------------------------------------------------------------------------
    def run(self, script: str) -> int:
        """Run a whole script; returns its exit status."""
        try:
            commands = parse(script)
        except ShellSyntaxError as error:
            self.process.error(f"{error}\n")
            self.status = 2
            return 2
        for op, command in commands:
            if op == "&&" and self.status != 0 or op == "||" and self.status == 0:
                continue
            try:
                self.status = self.run_command(command)
            except _Exit as leave:
                self.status = leave.status
                return leave.status
            if self.process.blocked:
                break
        return self.status

    def run_command(self, command: Command) -> int:
        assigned = {name: "".join(self.expand(value)) for name, value in command.assignments}
        argv: list[str] = []
        for word in command.words:
            argv.extend(self.expand(word))
        if not argv:
            self.process.env.update(assigned)
            return 0
        name = argv[0]
        if name == "exit":
            raise _Exit(int(argv[1]) & 0xFF if len(argv) > 1 and argv[1].isdigit() else
                        self.status)
        if name in (":", "true") and not command.redirects:
            return 0
        if name == "cd":
            target = normalize(argv[1] if len(argv) > 1 else "/", self.process.cwd)
            if not self.process.files.is_dir(target):
                self.process.error(f"sh: cd: can't cd to {argv[1]}: No such file or directory\n")
                return 2
            self.process.cwd = target
            return 0
        if name == "export":
            for item in argv[1:]:
                key, sep, value = item.partition("=")
                if sep:
                    self.process.env[key] = value
            return 0
        if name == "exec":
            argv = argv[1:]
            if not argv:
                return 0
        return self._with_redirects(command, argv, assigned)

    def _with_redirects(self, command: Command, argv: list[str], assigned: dict) -> int:
        from .process import Process

        if not command.redirects:
            return self._spawn(self.process, argv, assigned)
        targets: dict[int, tuple[str, str] | int] = {1: 1, 2: 2}
        for fd, op, word in command.redirects:
            target = "".join(self.expand(word))
            if op == "<":
                raise NotSupported("la redirección de entrada (<) del shell")
            if op == ">&":
                if target not in ("1", "2"):
                    raise NotSupported(f"la redirección {fd}>&{target}")
                targets[fd] = targets[int(target)]
                continue
            path = normalize(target, self.process.cwd)
            if path != "/dev/null":
                try:
                    if self.process.files.is_dir(path):
                        raise FsError("Is a directory")
                    if op == ">" or not self.process.files.exists(path):
                        self.process.files.write(path, b"")
                except FsError as error:
                    self.process.error(f"sh: can't create {target}: {error.reason}\n")
                    return 1
            targets[fd] = (path, op)
        inner = Process(self.process.engine, self.process.container, self.process.env,
                        main=self.process.main)
        inner.cwd = self.process.cwd
        status = self._spawn(inner, argv, assigned)
        self.process.duration += inner.duration
        self.process.blocked = inner.blocked
        for stream, data in inner.chunks:
            target = targets.get(stream, stream)
            if isinstance(target, int):
                self.process.write(data, target)
            elif target[0] != "/dev/null":
                self.process.files.write(target[0], data, append=True)
        return status

    def _spawn(self, process, argv: list[str], assigned: dict) -> int:
        if assigned:
            saved = dict(process.env)
            process.env.update(assigned)
            try:
                return self.runner(process, argv)
            finally:
                process.env.clear()
                process.env.update(saved)
        return self.runner(process, argv)


class _Exit(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status
