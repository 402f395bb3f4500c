"""The examples in the simulator's docstrings are tests too."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "naming", "filesystem", "images", "containers", "networks", "volumes", "process", "shell",
    "engine", "api.client", "api.http", "clock", "filters", "dns", "web", "attach", "health",
    "lifecycle",
    "errors", "swarm.common", "shell_syntax",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    """Do the ``>>>`` examples of ``course.sim.<name>`` run as written?"""
    module = importlib.import_module(f"course.sim.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module.__name__}"
