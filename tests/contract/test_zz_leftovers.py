"""Runs last in this folder: did the contract suite leave anything on the engine?

The session-wide check in ``tests/conftest.py`` looks for the kit's label on the whole (shared)
engine; this one looks for the label of *this* contract run, so a leak is pinned on this suite.
"""

from __future__ import annotations

import pytest

from .conftest import SUITE_LABEL


@pytest.mark.docker
def test_no_contract_resources_remain(docker_client):
    """After every contract scenario, is no container, network or volume of this run left?"""
    scope = {"label": f"{SUITE_LABEL[0]}={SUITE_LABEL[1]}"}
    left = [f"container {c.name}" for c in docker_client.containers.list(all=True, filters=scope)]
    left += [f"network {n.name}" for n in docker_client.networks.list(filters=scope)]
    left += [f"volume {v.name}" for v in docker_client.volumes.list(filters=scope)]
    assert left == [], f"the contract suite left these on the engine: {left}"
