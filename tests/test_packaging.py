"""Do the two dependency lists (pyproject.toml and environment.yml) pin the same packages?"""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"docker-py": "docker"}


def _pypi_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(re.fullmatch(r"([\w.-]+)(.*)", s).groups() for s in specs)


def _conda_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if not isinstance(dep, str) or dep.startswith(("python", "pip")):
            continue
        name, spec = re.fullmatch(r"([\w.-]+)(.*)", dep).groups()
        pins[CONDA_TO_PYPI.get(name, name)] = spec
    return pins


def test_environment_yml_pins_what_pyproject_pins():
    """Does environment.yml list every package of pyproject.toml, at the same version?"""
    assert _conda_pins() == _pypi_pins()


def test_every_dependency_is_pinned_exactly():
    """Is every dependency pinned to one version, so a class gets the environment CI tested?"""
    loose = {name: spec for name, spec in _pypi_pins().items() if not spec.startswith("==")}
    assert not loose, f"pin these with ==: {loose}"
