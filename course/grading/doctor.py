"""``course doctor``: what is installed and what is missing, each with its fix.

Each check is a small function returning a :class:`Check`; ``diagnose`` lists them in the order
an instructor would fix things: Python packages, JupyterLab extensions, kernel, course folder,
then the optional engine side (Docker, Swarm, lab images, nginx, PostgreSQL).
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGES = [
    "nbgrader",
    "jupyterlab",
    "notebook",
    "papermill",
    "jupytext",
    "docker",
    "ipywidgets",
    "click",
    "PyYAML",
    "kubernetes-validate",
]
LAB_EXTENSIONS = {
    "@jupyter/nbgrader": "pip install nbgrader (it ships the formgrader, assignment list, "
    "validate and create-assignment extensions)",
    "@jupyter-widgets/jupyterlab-manager": "pip install ipywidgets",
}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    optional: bool = False


def _pins() -> dict[str, str]:
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    text = pyproject.read_text()
    return {m.group(1).lower(): m.group(2) for m in re.finditer(r'"([\w.-]+)==([^"]+)"', text)}


def check_packages() -> list[Check]:
    pins, checks = _pins(), []
    for name in PACKAGES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            checks.append(Check(name, False, "not installed", "make lab (or pip install -e .)"))
            continue
        want = pins.get(name.lower())
        ok = want is None or want == version
        detail = version + ("" if ok else f" (pinned {want})")
        checks.append(Check(name, ok, detail, "" if ok else "pip install -e . (restores the pins)"))
    return checks


def check_lab_extensions() -> list[Check]:
    from jupyter_core.paths import jupyter_path

    checks = []
    for ext, fix in LAB_EXTENSIONS.items():
        found = [
            p for p in jupyter_path("labextensions") if (Path(p) / ext / "package.json").is_file()
        ]
        checks.append(
            Check(
                f"JupyterLab extension {ext}",
                bool(found),
                found[0] if found else "missing",
                "" if found else fix,
            )
        )
    return checks


def check_kernel() -> Check:
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
        return Check("kernel python3", True, spec.resource_dir)
    except Exception:
        return Check(
            "kernel python3",
            False,
            "missing",
            f"{sys.executable} -m ipykernel install --sys-prefix",
        )


def check_course(root: Path | None) -> Check:
    from .layout import Course

    try:
        course = Course.find(root)
    except Exception as error:
        return Check("course root", False, str(error), "run from the course folder or pass --root")
    names = course.assignments()
    return Check("course root", True, f"{course.root} (assignments: {', '.join(names) or 'none'})")


def swarm_lessons(root: Path | None) -> list[str]:
    """The lessons that put the engine in Swarm mode themselves (they call ``ensure_swarm``),
    one ``"<assignment> NN, NN"`` per assignment; empty when no course is found."""
    from .layout import Course

    try:
        course = Course.find(root)
    except Exception:
        return []
    found = []
    for assignment in course.assignments():
        numbers = [
            path.stem.split("-")[0]
            for path in course.lessons(assignment) or course.notebooks("source", assignment)
            if "ensure_swarm(" in path.read_text(encoding="utf-8", errors="replace")
        ]
        if numbers:
            found.append(f"{assignment} {', '.join(numbers)}")
    return found


def check_swarm(swarm: dict, lessons: list[str]) -> Check:
    """The engine's Swarm state (``info()["Swarm"]``), read as ``Lab.ensure_swarm`` reads it.

    The lessons that need Swarm mode enter it themselves and leave a swarm they made once
    nothing of theirs is left on it, so an inactive engine is the expected state; a swarm the
    user made is used and kept. Only a locked swarm (autolock) stops them.

    >>> check_swarm({"LocalNodeState": "inactive"}, ["m7 02"]).ok
    True
    >>> check_swarm({"LocalNodeState": "locked"}, ["m7 02"]).fix
    'docker swarm unlock (a locked swarm stops lessons m7 02)'
    """
    state = swarm.get("LocalNodeState") or "inactive"
    who = f"lessons {'; '.join(lessons)}" if lessons else "the lessons that use Swarm"
    if state == "inactive":
        return Check(
            "Swarm",
            True,
            f"inactive: {who} put the engine in Swarm mode themselves (Lab.ensure_swarm) "
            "and leave it when done",
        )
    if state == "active" and swarm.get("NodeID"):
        return Check(
            "Swarm", True, f"active: {who} use it (a swarm they did not make is never left)"
        )
    if state == "locked":
        return Check(
            "Swarm",
            False,
            "locked (autolock)",
            f"docker swarm unlock (a locked swarm stops {who})",
            optional=True,
        )
    return Check(
        "Swarm",
        False,
        f"{state}: a swarm left half-made; {who} leave it and make a new one",
        "docker swarm leave --force",
        optional=True,
    )


def check_engine(root: Path | None = None) -> list[Check]:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
    except Exception as error:
        return [
            Check(
                "Docker engine",
                False,
                f"no engine answers ({type(error).__name__})",
                "scripts/engine.sh start (as root); lessons fall back to the simulator",
                optional=True,
            )
        ]
    checks = [Check("Docker engine", True, client.version().get("Version", "?"))]
    checks.append(check_swarm(client.info().get("Swarm", {}), swarm_lessons(root)))
    try:
        from course.images import WEB_VERSIONS
    except Exception:
        WEB_VERSIONS = (1, 2, 3)
    missing = []
    for version in WEB_VERSIONS:
        try:
            client.images.get(f"course/web:{version}")
        except Exception:
            missing.append(f"course/web:{version}")
    checks.append(
        Check(
            "lab images",
            not missing,
            "missing " + ", ".join(missing)
            if missing
            else "course/web:" + ",".join(map(str, WEB_VERSIONS)),
            "course images",
            optional=True,
        )
    )
    client.close()
    return checks


def check_tools() -> list[Check]:
    checks = []
    for tool, fix in (
        ("nginx", "apt-get install nginx-light (lesson 04 runs `nginx -t`)"),
        ("busybox", "apt-get install busybox-static (builds the lab images offline)"),
        (
            "pg_ctlcluster",
            "apt-get install postgresql (only for a PostgreSQL "
            "gradebook: scripts/postgres.sh start)",
        ),
    ):
        path = (
            shutil.which(tool)
            or next((str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{tool}")), None)
            if tool == "pg_ctlcluster"
            else shutil.which(tool)
        )
        checks.append(
            Check(tool, bool(path), path or "missing", "" if path else fix, optional=True)
        )
    return checks


def check_confinement() -> Check:
    """Can grading kernels be confined here (bubblewrap, course/grading/sandbox.py)?"""
    from .sandbox import HOW_TO_GET_IT, confinement_problem

    problem = confinement_problem()
    if problem:
        return Check("grading sandbox (bwrap)", False, problem, HOW_TO_GET_IT)
    return Check("grading sandbox (bwrap)", True, shutil.which("bwrap") or "bwrap")


def diagnose(root: Path | None = None) -> list[Check]:
    """Every check, in the order to fix them."""
    return [
        *check_packages(),
        *check_lab_extensions(),
        check_kernel(),
        check_confinement(),
        check_course(root),
        *check_engine(root),
        *check_tools(),
    ]
