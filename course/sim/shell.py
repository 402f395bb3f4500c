"""A small POSIX shell (busybox ash's subset) for ``sh -c "..."`` in simulated containers.

Why its own module: students chain commands the way they would in a terminal (``echo hola >
/data/f; cat /data/f``, ``wget ... || echo caído``) and the engine runs them with busybox ``sh``.
This shell understands lists (``;``, ``&&``, ``||``, new lines), quoting (``'...'``, ``"..."``,
``\\``), variables (``$VAR``, ``${VAR}``, ``$?``), command substitution ``$(...)``, assignments,
redirections (``>``, ``>>``, ``2>``, ``2>&1``, ``>&2``) and the builtins ``exit``, ``cd``,
``export``, ``exec``, ``:``. Anything else (pipes, loops, ``if``, globs, background jobs) is
refused with a clear 501 instead of being half-done: the simulator never guesses.

>>> from course.sim.shell import parse
>>> [cmd.words[0].text() for _, cmd in parse("echo a && echo b; false || true")]
['echo', 'echo', 'false', 'true']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import NotSupported
from .filesystem import FsError, normalize

OPERATORS = ("&&", "||", ";", "\n", "|", "&")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXPANSION = re.compile(
    r"\$\((?:[^()]|\([^()]*\))*\)|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*|[?$!#@*0-9])")
_KEYWORDS = {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case",
             "esac", "function", "{", "}", "(", ")", "!"}


@dataclass
class Word:
    """One shell word as written: parts ``(quoting, text)`` with quoting ``'`` ``"`` or ``''``."""

    parts: list[tuple[str, str]] = field(default_factory=list)

    def text(self) -> str:
        return "".join(t for _, t in self.parts)


@dataclass
class Command:
    """A simple command: assignments, words and redirections ``(fd, op, target)``."""

    assignments: list[tuple[str, Word]] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    redirects: list[tuple[int, str, Word]] = field(default_factory=list)


class ShellSyntaxError(Exception):
    """The script cannot be parsed; the message is what busybox sh prints."""


def _tokens(script: str):
    """Yield ``("op", text)`` and ``("word", Word)`` tokens."""
    i, n = 0, len(script)
    while i < n:
        c = script[i]
        if c in " \t":
            i += 1
            continue
        if c == "#":
            while i < n and script[i] != "\n":
                i += 1
            continue
        two = script[i:i + 2]
        redirect = re.match(r"(\d?)(>>|>&|>|<)(\d?)", script[i:])
        if redirect and (redirect.group(1) or c in "<>"):
            yield ("redir", redirect.group(0))
            i += len(redirect.group(0))
            continue
        if two in ("&&", "||"):
            yield ("op", two)
            i += 2
            continue
        if c in ";\n|&":
            yield ("op", c)
            i += 1
            continue
        word = Word()
        while i < n and script[i] not in " \t;\n|&<>":
            c = script[i]
            if c == "'":
                end = script.find("'", i + 1)
                if end < 0:
                    raise ShellSyntaxError("sh: syntax error: unterminated quoted string")
                word.parts.append(("'", script[i + 1:end]))
                i = end + 1
            elif c == '"':
                j, buf = i + 1, ""
                while j < n and script[j] != '"':
                    if script[j] == "\\" and j + 1 < n and script[j + 1] in '"\\$`':
                        buf += "\\" + script[j + 1]
                        j += 2
                        continue
                    if script[j:j + 2] == "$(":
                        end = _matching_paren(script, j + 1)
                        buf += script[j:end + 1]
                        j = end + 1
                        continue
                    buf += script[j]
                    j += 1
                if j >= n:
                    raise ShellSyntaxError("sh: syntax error: unterminated quoted string")
                word.parts.append(('"', buf))
                i = j + 1
            elif c == "\\" and i + 1 < n:
                word.parts.append(("'", script[i + 1] if script[i + 1] != "\n" else ""))
                i += 2
            elif script[i:i + 2] == "$(":
                end = _matching_paren(script, i + 1)
                word.parts.append(("", script[i:end + 1]))
                i = end + 1
            elif c == "`":
                raise NotSupported("la sustitución con comillas invertidas (`...`); usa $(...)")
            else:
                j = i
                while j < n and script[j] not in " \t;\n|&<>'\"\\" and script[j:j + 2] != "$(":
                    j += 1
                word.parts.append(("", script[i:j]))
                i = j
        yield ("word", word)


def _matching_paren(script: str, open_at: int) -> int:
    depth = 0
    for j in range(open_at, len(script)):
        if script[j] == "(":
            depth += 1
        elif script[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    raise ShellSyntaxError("sh: syntax error: unterminated $(")


def parse(script: str) -> list[tuple[str, Command]]:
    """A command list: ``[(operator before it, command), ...]`` (the first operator is ``;``)."""
    result: list[tuple[str, Command]] = []
    op, current = ";", Command()
    tokens = list(_tokens(script))
    k = 0
    while k < len(tokens):
        kind, value = tokens[k]
        if kind == "op":
            if value in ("|", "&"):
                what = "las tuberías (|)" if value == "|" else "los procesos en segundo plano (&)"
                raise NotSupported(f"{what} del shell")
            if current.words or current.assignments or current.redirects:
                result.append((op, current))
            elif value in ("&&", "||") or (value == ";" and not result and k == 0):
                raise ShellSyntaxError(f"sh: syntax error: unexpected \"{value}\"")
            op = value if value in ("&&", "||") else ";"
            current = Command()
        elif kind == "redir":
            match = re.match(r"(\d?)(>>|>&|>|<)(\d?)", value)
            fd = int(match.group(1)) if match.group(1) else (0 if match.group(2) == "<" else 1)
            if match.group(2) == ">&" or match.group(3):
                target = Word([("'", match.group(3))]) if match.group(3) else None
                if target is None:
                    k += 1
                    target = tokens[k][1] if k < len(tokens) and tokens[k][0] == "word" else None
                if target is None:
                    raise ShellSyntaxError("sh: syntax error: bad redirection")
                current.redirects.append((fd, ">&", target))
            else:
                k += 1
                if k >= len(tokens) or tokens[k][0] != "word":
                    raise ShellSyntaxError("sh: syntax error: unexpected newline")
                current.redirects.append((fd, match.group(2), tokens[k][1]))
        else:
            text = value.text()
            if not current.words and value.parts and value.parts[0][0] == "" and \
                    text in _KEYWORDS:
                raise NotSupported(f"la construcción '{text}' del shell (if/for/while/case)")
            assignment = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=", value.parts[0][1]) \
                if value.parts and value.parts[0][0] == "" else None
            if assignment and not current.words:
                rest = Word([("", value.parts[0][1][assignment.end():]), *value.parts[1:]])
                current.assignments.append((assignment.group(1), rest))
            else:
                current.words.append(value)
        k += 1
    if current.words or current.assignments or current.redirects:
        result.append((op, current))
    elif op in ("&&", "||"):
        raise ShellSyntaxError("sh: syntax error: unexpected end of file")
    return result


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

        return _EXPANSION.sub(substitute, text)

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
