"""Tampering with the grading kernel: probes the grader checks from outside, and a static scan.

Stubs can reach full marks by bending the kernel rather than solving the exercise: an IPython
input or AST transformer that blanks or rewrites the tests, a ``pre_run_cell`` hook that
re-installs a ``run_cell`` wrapper, ``sys.settrace``, a replaced builtin, an object whose
``__eq__`` is always true. :class:`~course.grading.preprocessors.ResilientExecute` runs a
*probe* before the first cell and after every code cell: a cell that must fail with an
``AssertionError`` whose message starts with a fresh nonce and carries a fingerprint of the
kernel's machinery. The grader compares each fingerprint with the first one, outside the kernel;
a probe that does not fail, does not echo the nonce, or reports a different machinery marks the
kernel tampered from that cell on (every later graded cell scores 0).

What it does not do: a submission written against this very probe (one that recognises it and
replays the first answer) can pass it. The static scan (:func:`scan_source`) names the constructs
such code needs, so a human reviews it: both land in the evidence, shown by ``course grade`` and
exported as a column by ``course export``.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

# Runs in the kernel as one cell; names start with __probe so student code is unlikely to clash.
PROBE = r"""
def __probe(nonce, walk):
    import builtins, json, sys, threading
    ip = get_ipython()
    mine = lambda f: getattr(getattr(f, "__code__", None), "co_filename", "")
    name = lambda f: getattr(f, "__qualname__", type(f).__qualname__)
    tm = ip.input_transformer_manager
    func = lambda f: id(getattr(f, "__func__", f))
    methods = {f"shell.{m}": func(getattr(ip, m, None)) for m in (
        "run_cell", "run_cell_async", "run_ast_nodes", "run_code", "transform_cell",
        "transform_ast", "should_run_async", "showtraceback", "_run_cell")}
    kernel = getattr(ip, "kernel", None)
    methods.update({f"kernel.{m}": func(getattr(kernel, m, None)) for m in (
        "do_execute", "execute_request", "run_cell", "send_response")})
    methods["session.send"] = func(getattr(getattr(kernel, "session", None), "send", None))
    equal = []
    seen, todo = set(), [object] if walk else []
    while todo:
        cls = todo.pop()
        try:
            subs = type.__subclasses__(cls)
        except TypeError:
            subs = []
        for sub in subs:
            if sub in seen:
                continue
            seen.add(sub)
            todo.append(sub)
            eq = vars(sub).get("__eq__")
            if eq is not None and ("ipykernel_" in mine(eq) or mine(eq).startswith("<ipython")):
                try:
                    probe = object.__new__(sub)
                    if eq(probe, object()) is True and eq(probe, -987654.5) is True:
                        equal.append(sub.__qualname__)
                except Exception:
                    pass
    state = {
        "input_transformers": [name(t) for t in ip.input_transformers_post]
        + [name(t) for t in tm.cleanup_transforms] + [name(t) for t in tm.line_transforms]
        + [name(t) for t in getattr(tm, "token_transformers", [])],
        "ast_transformers": [name(t) for t in ip.ast_transformers],
        "hooks": [f"{e}:{name(f)}" for e in ("pre_run_cell", "pre_execute")
                  for f in ip.events.callbacks.get(e, [])],
        "methods": methods,
        "trace": [repr(f) for f in (sys.gettrace(), sys.getprofile(),
                  getattr(threading, "gettrace", lambda: None)(),
                  getattr(threading, "getprofile", lambda: None)()) if f is not None],
        # ipykernel rebinds input (and getpass) to its own stdin handlers at every execution
        "builtins": {k: func(v) for k, v in vars(builtins).items()
                     if not k.startswith("_") and k not in ("input", "raw_input", "getpass")},
    }
    if walk:  # every class alive, ~50 ms: only around graded and solution cells
        state["always_equal"] = sorted(equal)
    class ProbeFailure(AssertionError):
        def _render_traceback_(self):  # IPython's fast path: no source-annotated traceback
            return ["ProbeFailure"]
    raise ProbeFailure(nonce + json.dumps(state))
__probe(%r, %r)
"""


def probe_source(nonce: str, walk: bool = True) -> str:
    """The probe cell for this ``nonce``; ``walk`` looks for always-equal classes too."""
    return PROBE % (nonce, walk)


def read_probe(outputs: list, nonce: str) -> dict | None:
    """The fingerprint a probe reported, or ``None`` when it did not fail with the nonce."""
    for output in outputs:
        if output.get("output_type") == "error" and output.get("ename") == "ProbeFailure":
            value = output.get("evalue", "")
            if value.startswith(nonce):
                try:
                    return json.loads(value[len(nonce) :])
                except ValueError:
                    return None
    return None


def differences(first: dict, now: dict | None) -> list[str]:
    """What changed in the kernel's machinery since the first probe, in words."""
    if now is None:
        return ["the probe cell did not fail with its nonce (cells rewritten or errors hidden)"]
    found = []
    for key in ("input_transformers", "ast_transformers", "hooks", "trace", "always_equal"):
        added = [v for v in now.get(key, []) if v not in first.get(key, [])]
        if added:
            found.append(f"{key}: {', '.join(map(str, added))}")
    for key, words in (("methods", "replaced"), ("builtins", "builtins replaced")):
        changed = [k for k, v in first.get(key, {}).items() if now.get(key, {}).get(k) != v]
        if changed:
            found.append(f"{words}: {', '.join(changed)}")
    return found


# Attribute and call names a solution has no reason to touch (the static scan's list)
SUSPECT_NAMES = {
    "input_transformers_post": "IPython input transformer",
    "input_transformers_cleanup": "IPython input transformer",
    "input_transformer_manager": "IPython input transformer",
    "ast_transformers": "IPython AST transformer",
    "register": None,  # only as events.register (below)
    "run_cell": "run_cell replaced or wrapped",
    "run_cell_async": "run_cell replaced or wrapped",
    "do_execute": "kernel do_execute replaced",
    "settrace": "sys.settrace/threading.settrace",
    "setprofile": "sys.setprofile",
    "_getframe": "frame inspection (sys._getframe)",
    "currentframe": "frame inspection (inspect.currentframe)",
    "f_back": "frame inspection (f_back)",
    "f_locals": "frame inspection (f_locals)",
    "__builtins__": "builtins touched",
    "builtins": "builtins touched",
    "get_referrers": "gc.get_referrers",
}


@dataclass
class Evidence:
    """Why one notebook of a submission is flagged: what the probes and the scan found."""

    notebook: str
    tampered_at: int | None = None  # index of the cell after which the kernel was tampered
    probe: list[str] = field(default_factory=list)
    scan: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.probe or self.scan)

    def lines(self) -> list[str]:
        where = "" if self.tampered_at is None else f" (after cell {self.tampered_at})"
        return [f"{self.notebook}: kernel tampered{where}: {p}" for p in self.probe] + [
            f"{self.notebook}: {s}" for s in self.scan
        ]


def scan_source(cells: list) -> list[str]:
    """Suspect constructs in the cells a student wrote (solution cells and unlocked cells).

    >>> scan_source([{"cell_type": "code", "source": "class X:\\n  __eq__ = lambda s, o: True",
    ...   "metadata": {"nbgrader": {"solution": True}}}])
    ['cell 0, line 2: __eq__ defined (an always-equal object?)']
    """
    found = []
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or (meta.get("locked") and not meta.get("solution")):
            continue
        try:
            tree = ast.parse(cell.get("source", ""))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            what = _suspect(node)
            if what:
                found.append(f"cell {index}, line {node.lineno}: {what}")
    return sorted(set(found), key=found.index)


def _suspect(node: ast.AST) -> str | None:
    if isinstance(node, ast.FunctionDef) and node.name in ("__eq__", "__ne__"):
        return f"{node.name} defined (an always-equal object?)"
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id in ("__eq__", "__ne__"):
                return f"{target.id} defined (an always-equal object?)"
    if isinstance(node, ast.Attribute):
        if node.attr == "register" and isinstance(node.value, ast.Attribute):
            if node.value.attr == "events":
                return "IPython event hook (events.register)"
        elif SUSPECT_NAMES.get(node.attr):
            return SUSPECT_NAMES[node.attr]
    if isinstance(node, ast.Name) and node.id in ("__builtins__",):
        return SUSPECT_NAMES[node.id]
    if isinstance(node, ast.Import | ast.ImportFrom):
        names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
        if "builtins" in names or "ctypes" in names:
            return f"imports {'ctypes' if 'ctypes' in names else 'builtins'}"
    return None


def evidence_path(folder: Path, notebook: str) -> Path:
    """Where the grader keeps a notebook's evidence: next to its autograded copy."""
    return Path(folder) / f".{notebook}.tamper.json"


def write_evidence(folder: Path, evidence: Evidence) -> None:
    path = evidence_path(folder, evidence.notebook)
    if evidence.flagged:
        path.write_text(json.dumps(evidence.__dict__, ensure_ascii=False, indent=1))
    elif path.exists():
        path.unlink()


def read_evidence(folder: Path) -> list[Evidence]:
    """Every notebook's evidence in an autograded submission folder, by notebook name."""
    found = []
    for path in sorted(Path(folder).glob(".*.tamper.json")):
        found.append(Evidence(**json.loads(path.read_text())))
    return found
