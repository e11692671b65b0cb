"""Helpers for tests against the shared sandbox: emptying it, and the real CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.collect import base
from checker.sandbox import ENV_TO_REMOVE, Sandbox

ROOT = Path(__file__).resolve().parents[2]


def fresh(sandbox: Sandbox) -> Sandbox:
    """The sandbox emptied, fault-free, call counter at zero: as `Sandbox.start()` gives it."""
    sandbox.reset()
    sandbox.set_faults(None)
    return sandbox


# How much faster than AWS's quotas `unpaced` lets an in-process collection go.
UNPACED = 100


def unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pace in-process collections at UNPACED times AWS's quotas, for tests whose subject is
    not pacing: the sandbox they run against is fault-free (`fresh`), so it throttles nothing,
    and at the real quotas every collection of the demo waits about 6 s for Connect's 2 calls
    a second. Pacing itself is held to the quotas by tests/unit/test_collect_base.py and
    tests/integration/test_collect.py, which never use this."""
    fast = {
        service: base.ServiceLimits(
            base.Quota(limits.default.rate * UNPACED, limits.default.burst),
            limits.per_operation,
            {
                name: base.Quota(quota.rate * UNPACED, quota.burst)
                for name, quota in limits.operations.items()
            },
        )
        for service, limits in base.SERVICE_LIMITS.items()
    }
    monkeypatch.setattr(base, "SERVICE_LIMITS", fast)  # what RateLimiter() paces by


def warmcheck(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m checker ARGS` from the repository root, with `env` over a profile-free one."""
    environment = {k: v for k, v in os.environ.items() if k not in ENV_TO_REMOVE}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=environment,
        timeout=300,
    )
