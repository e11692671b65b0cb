"""warmcheck installed from its wheel, as `pipx install .` or `pip install dist/*.whl` would,
works from any folder: the demo (its policy ships in the package), explain (the rule docs ship
too), and a missing policy that says how to get one.

The wheel is built from this checkout and installed into a fresh virtual environment with no
dependencies of its own; a .pth line lends it the test environment's third-party packages (the
network may be out of reach), and the test asserts that `checker` itself is the wheel's copy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str | Path], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    return subprocess.run(
        [str(part) for part in argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh virtual environment holding only warmcheck's wheel."""
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    built = run(
        [sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", dist], cwd=work
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("warmcheck-*.whl")
    venv = work / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=work)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    pip: list[str | Path] = [sys.executable, "-m", "pip", "--python", python]
    installed = run([*pip, "install", "-q", "--no-deps", "--no-index", wheel], cwd=work)
    assert installed.returncode == 0, installed.stderr[-3000:]
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work)
    site = Path(purelib.stdout.strip())
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = run([python, "-c", "import checker; print(checker.__file__)"], cwd=work)
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr
    return venv / "bin"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder with nothing of the repository in it."""
    folder = tmp_path / "anywhere"
    folder.mkdir()
    return folder


def test_the_demo_runs_from_any_folder(installed: Path, elsewhere: Path) -> None:
    result = run([installed / "warmcheck", "demo", "--out-dir", "out", "-q"], cwd=elsewhere)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((elsewhere / "out" / "warmcheck.json").read_text(encoding="utf-8"))
    found = len(report["findings"])
    assert found > 0
    assert f"found exactly the {found} seeded drift findings" in result.stdout
    assert (elsewhere / "out" / "warmcheck.json").is_file()
    assert "demo-policy.yaml" in (elsewhere / "out" / "warmcheck.json").read_text()


def test_the_organization_demo_runs_from_any_folder(installed: Path, elsewhere: Path) -> None:
    # Its policy ships in the wheel too: the repository's policies/ is not beside an install.
    result = run(
        [installed / "warmcheck", "demo", "--organization", "--out-dir", "out", "-q"],
        cwd=elsewhere,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every account has the outcome seeded" in result.stdout
    report = (elsewhere / "out" / "warmcheck.json").read_text(encoding="utf-8")
    assert "organization-demo-policy.yaml" in report


def test_explain_reads_the_docs_shipped_in_the_wheel(installed: Path, elsewhere: Path) -> None:
    result = run([installed / "warmcheck", "explain", "WARM013"], cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# WARM013 connect-cannot-invoke")
    assert "## How to fix" in result.stdout


def test_check_without_a_policy_says_how_to_get_one(installed: Path, elsewhere: Path) -> None:
    result = run([installed / "warmcheck", "check"], cwd=elsewhere)
    assert result.returncode == 2
    assert "policies/warm-policy.yaml: file not found" in result.stderr
    assert "warmcheck init --out policies/warm-policy.yaml" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (elsewhere / "reports").exists()
