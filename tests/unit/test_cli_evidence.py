"""`--evidence metrics|logs|none`: overrides the policy's evidence for one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.cli import main
from checker.cli.options import with_evidence
from checker.load.policy import load_policy

ROOT = Path(__file__).resolve().parents[2]
HEALTHY_SNAPSHOT = ROOT / "tests" / "data" / "snapshots" / "healthy.json"


def _policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_evidence_flags_replace_the_policys_metrics_and_logs(tmp_path: Path) -> None:
    loaded = load_policy(_policy(tmp_path, "version: 1\nevidence: {metrics: true, lookback: 2d}\n"))
    assert with_evidence(loaded, None) is loaded
    both = with_evidence(loaded, ["metrics", "logs"]).policy.evidence
    assert (both.metrics, both.logs, both.lookback) == (True, True, 2 * 86400)
    logs_only = with_evidence(loaded, ["logs"]).policy.evidence
    assert (logs_only.metrics, logs_only.logs) == (False, True)
    none = with_evidence(loaded, ["none"]).policy.evidence
    assert (none.metrics, none.logs) == (False, False)


def test_none_with_another_kind_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "check",
            "--snapshot",
            str(HEALTHY_SNAPSHOT),
            "--out-dir",
            str(tmp_path / "out"),
            "--evidence",
            "none",
            "--evidence",
            "metrics",
        ]
    )
    assert code == 2
    assert "--evidence none cannot be combined" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_unknown_evidence_kind_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--evidence", "traces"]) == 2
    assert "invalid choice: 'traces'" in capsys.readouterr().err


def test_explain_prints_every_evidence_rule(capsys: pytest.CaptureFixture[str]) -> None:
    for rule, slug in (
        ("WARM015", "warmer-failing"),
        ("WARM016", "cold-starts-observed"),
        ("WARM017", "timeout-budget-exceeded"),
        ("WARM018", "warm-capacity-short"),
        ("WARM019", "function-cannot-run"),
    ):
        assert main(["explain", slug]) == 0
        text = capsys.readouterr().out
        assert text.startswith(f"# {rule} {slug}")
        assert "## How to fix" in text
        assert "## Policy knobs" in text
