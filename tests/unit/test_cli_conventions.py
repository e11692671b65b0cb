"""What CI users expect from checkov, trivy, cfn-lint: comma-listed formats, a report on stdout,
--compact, explain rendered on a terminal, plain words for baselined runs, a way forward from a
missing policy."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import main
from checker.rules.base import DOCS_DIR

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
DRIFT = str((DATA / "snapshots" / "drift.json").relative_to(ROOT))
STRICT = str((DATA / "policies" / "strict.yaml").relative_to(ROOT))


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def check(out: Path, *extra: str) -> int:
    return main(["check", "--snapshot", DRIFT, "--policy", STRICT, "--out-dir", str(out), *extra])


def test_format_takes_comma_lists_and_repeats(tmp_path: Path) -> None:
    assert check(tmp_path, "--format", "json,sarif", "--format", "markdown", "-q") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "warmcheck.json",
        "warmcheck.md",
        "warmcheck.sarif",
    ]


def test_an_unknown_format_in_a_list_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(tmp_path, "--format", "json,yaml") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown format 'yaml'" in err
    assert not list(tmp_path.iterdir())


def test_output_dash_writes_one_report_to_stdout_for_jq(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(tmp_path / "out", "--format", "json", "--output", "-") == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)  # stdout is the report alone
    assert report["verdict"] == "fail"
    assert captured.err.startswith("warmcheck: FAIL")  # the summary went to stderr
    assert not (tmp_path / "out").exists()


def test_output_dash_as_a_process_pipes_clean_json(tmp_path: Path) -> None:
    argv = ["check", "--snapshot", DRIFT, "--policy", STRICT, "--format", "sarif", "--output", "-"]
    result = subprocess.run(
        [sys.executable, "-m", "checker", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["version"] == "2.1.0"
    assert "warmcheck: FAIL" in result.stderr


def test_output_file_writes_that_report_only(tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    assert check(tmp_path / "out", "--format", "sarif", "--output", str(target), "-q") == 1
    assert json.loads(target.read_text())["runs"]
    assert not (tmp_path / "out").exists()


def test_output_needs_exactly_one_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(tmp_path, "--format", "json,sarif", "--output", "-") == 2
    assert "--output writes one report, but 2 formats" in capsys.readouterr().err
    assert check(tmp_path, "--output", "-") == 2  # the default is two formats


def test_the_summary_shows_each_fix_unless_compact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check(tmp_path)
    full = capsys.readouterr().out
    assert "fix: Keep survey warm:" in full
    check(tmp_path, "--compact")
    compact = capsys.readouterr().out
    assert "fix:" not in compact
    assert compact.count("  WARM") == full.count("  WARM") == 9


def test_a_baselined_run_says_what_passed_and_what_was_set_aside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    assert check(tmp_path, "--write-baseline", str(baseline), "-q") == 1
    capsys.readouterr()
    assert check(tmp_path, "--baseline", str(baseline), "--format", "json,markdown") == 0
    out = capsys.readouterr().out
    first, second = out.splitlines()[:2]
    assert first == (
        "warmcheck: PASS: 0/3 required functions warm; no new finding beyond the baseline"
    )
    assert second == (
        "  set aside: 9 known findings set aside by the baseline (still in the reports, "
        "marked baselined; they do not fail the run)"
    )
    markdown = (tmp_path / "warmcheck.md").read_text().splitlines()
    assert markdown[4] == (
        "Set aside: 9 known findings set aside by the baseline (still in the reports, marked "
        "baselined; they do not fail the run)."
    )


def test_a_missing_default_policy_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # outside the repository: no policies/warm-policy.yaml
    assert main(["check", "--snapshot", str(ROOT / DRIFT)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(
        "warmcheck: error: policies/warm-policy.yaml: file not found (the default --policy)"
    )
    assert "`warmcheck init --out policies/warm-policy.yaml`" in err
    assert "--policy" in err
    assert not (tmp_path / "reports").exists()


def test_explain_piped_prints_the_markdown_as_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "WARM001"]) == 0
    assert capsys.readouterr().out == (DOCS_DIR / "WARM001.md").read_text(encoding="utf-8")


def test_explain_on_a_terminal_renders_the_markdown() -> None:
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", "explain", "WARM001"],
        stdin=follower,
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    text = b"".join(chunks).decode("utf-8", "replace")
    assert "\x1b[" in text  # styled for a terminal
    assert "How to fix" in text
    assert "## How to fix" not in text  # headings rendered, not raw Markdown
    assert "```" not in text


def test_the_hint_for_a_missing_policy_works_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    snapshot = str(ROOT / DRIFT)
    # What the hint says to run, in a folder with no policies/ yet; then check finds it.
    assert main(["init", "--snapshot", snapshot, "--out", "policies/warm-policy.yaml"]) == 0
    assert main(["check", "--snapshot", snapshot, "-q"]) == 3  # drift.json holds a WARM901
    assert (tmp_path / "reports" / "warmcheck.json").is_file()


@pytest.mark.parametrize("target", ["missing/report.json", "."])
def test_an_output_path_mistake_is_bad_input_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    path = tmp_path / target
    assert check(tmp_path / "out", "--format", "json", "--output", str(path)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"--output {path}" in err
    assert not (tmp_path / "out").exists()
