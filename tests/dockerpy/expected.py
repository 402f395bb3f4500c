"""docker-py's integration tests that end in the simulator's clear not-supported error, each with
why (one line). ``test_suite.py`` checks this table both ways: a test that fails with the
not-supported error must be listed, and a listed test that now passes is reported too.

Keys are docker-py's node ids below ``tests/integration/`` (docker-py 7.2.0).
"""

UNSUPPORTED_ON_SIM: dict[str, str] = {
}

#: tests the real engine of this machine cannot pass (no registry, no network), with why
FAILS_ON_ENGINE: dict[str, str] = {
}
