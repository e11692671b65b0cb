"""`make check`: its own report folder, and warmcheck's exit code in plain sight.

GNU make exits 2 whenever a recipe fails, whatever the code; the recipe therefore names
warmcheck's code itself and exits with it (make then says "Error 3"), and the README points
scripts that branch on the code at .venv/bin/warmcheck.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(target: str, tmp_path: Path, code: int) -> subprocess.CompletedProcess[str]:
    """Run a make target with a stand-in warmcheck that records its arguments and exits `code`."""
    fake = tmp_path / "warmcheck"
    fake.write_text(f'#!/bin/sh\necho "$@" > "{tmp_path}/args"\nexit {code}\n')
    fake.chmod(0o755)
    stamp = tmp_path / "stamp"
    stamp.touch()
    return subprocess.run(
        ["make", "--no-print-directory", target, f"BIN={tmp_path}", f"STAMP={stamp}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize("code", [1, 3])
def test_make_check_names_warmcheck_s_exit_code(tmp_path: Path, code: int) -> None:
    result = make("check", tmp_path, code)
    assert result.returncode == 2  # make's own status for any failed recipe
    assert f"make check: warmcheck exited {code}" in result.stderr
    assert f"Error {code}" in result.stderr


def test_make_check_passes_when_warmcheck_does(tmp_path: Path) -> None:
    result = make("check", tmp_path, 0)
    assert result.returncode == 0, result.stderr
    assert "exited" not in result.stderr


def test_make_check_writes_its_own_report_folder_not_the_demo_s(tmp_path: Path) -> None:
    make("check", tmp_path, 0)
    args = (tmp_path / "args").read_text().split()
    assert args[args.index("--out-dir") + 1] == "reports/check"
    assert args[args.index("--policy") + 1] == "policies/warm-policy.yaml"
    make("demo", tmp_path, 0)
    demo = (tmp_path / "args").read_text().split()
    assert demo[demo.index("--out-dir") + 1] == "reports"
