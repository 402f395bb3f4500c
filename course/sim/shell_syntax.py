"""Parsing for the simulator's small POSIX shell (busybox ash's subset): words, lists, redirections.

Why apart from running it (``shell.py``): what a script *says* (its words, quoting, operators
and redirections) is decided before anything runs, and a syntax error or a construction the
simulator does not model (pipes, loops, ``if``, background jobs, backquotes) is refused here,
whole, before the first command has an effect.

>>> from course.sim.shell_syntax import parse
>>> [cmd.words[0].text() for _, cmd in parse("echo a && echo b; false || true")]
['echo', 'echo', 'false', 'true']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import NotSupported

OPERATORS = ("&&", "||", ";", "\n", "|", "&")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
EXPANSION = re.compile(
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
