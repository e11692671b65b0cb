"""One local sandbox for the whole integration run, and the ways a test gets it.

moto's state is process-wide, so a process holds one sandbox: starting it once saves a start per
module. A test that needs it empty asks for `aws` (emptied, fault-free, the only AWS its
environment knows); a module that seeds once asks for `sandbox` and calls `fresh(sandbox)` first.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from checker.sandbox import ENV_TO_REMOVE, Sandbox
from tests.integration.live import fresh


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start() as running:
        yield running


@pytest.fixture
def aws(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """The sandbox, emptied and fault-free, as the only AWS this test's environment knows."""
    fresh(sandbox)
    for name in (*ENV_TO_REMOVE, "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    yield sandbox
    sandbox.set_faults(None)
