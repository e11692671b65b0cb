"""Helpers for tests against the shared sandbox: emptying it, and the real CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from checker.sandbox import ENV_TO_REMOVE, Sandbox

ROOT = Path(__file__).resolve().parents[2]


def fresh(sandbox: Sandbox) -> Sandbox:
    """The sandbox emptied, fault-free, call counter at zero: as `Sandbox.start()` gives it."""
    sandbox.reset()
    sandbox.set_faults(None)
    return sandbox


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
