"""The CI gate: waivers (valid, expired, unused), baselines, --fail-on and evidence, together."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.cli import main
from checker.engine import Evaluation, PolicyRef, evaluate
from checker.model.policy import Policy
from checker.model.snapshot import CollectionFailure, FunctionVersion
from tests.scenario import ACCOUNT, NOW, default_policy, fn_arn, healthy

REF = PolicyRef("policy.yaml", "0" * 64)
TODAY = date(2026, 11, 2)


def drifted() -> Any:
    """healthy() plus one high (WARM001) and one low (WARM010) finding."""
    scenario = healthy()
    scenario.rules = [r for r in scenario.rules if r.name != "billing-warmer"]  # WARM001 billing
    scenario.update_function("crm-lookup", versions=[FunctionVersion(version="1", timeout=30)])
    return scenario


def policy_with(waivers: list[dict[str, Any]]) -> Policy:
    return Policy.model_validate(
        {"version": 1, "warm": {"payload": {"warmer": True}}, "waivers": waivers}
    )


def waiver(rule: str, resource: str, expires: str = "2027-01-31") -> dict[str, Any]:
    return {
        "rule": rule,
        "resource": resource,
        "reason": "accepted",
        "owner": "cc",
        "expires": expires,
    }


def run(
    policy: Policy,
    *,
    today: date = TODAY,
    baseline: frozenset[str] = frozenset(),
    fail_on: str = "low",
    scenario: Any = None,
) -> Evaluation:
    snapshot = (scenario or drifted()).snapshot()
    return evaluate(
        policy, snapshot, NOW, policy_ref=REF, fail_on=fail_on, today=today, baseline=baseline
    )


def test_a_waiver_in_force_keeps_the_finding_but_it_does_not_fail() -> None:
    report = run(policy_with([waiver("WARM001", fn_arn("billing")), waiver("WARM010", "*")]))
    assert [f.rule for f in report.findings] == ["WARM001", "WARM010"]
    assert all(f.waived for f in report.findings)
    assert report.verdict == "pass"
    assert report.waived == 2
    assert report.counts() == {"high": 0, "medium": 0, "low": 0}
    status = {c.function: c.status for c in report.coverage}
    assert status[fn_arn("billing")] == "waived"
    billing = next(f for f in report.findings if f.rule == "WARM001")
    assert billing.waiver is not None
    assert billing.waiver.owner == "cc"
    assert billing.policy_field == "waivers[0]"


def test_waivers_match_by_slug_and_glob() -> None:
    report = run(policy_with([waiver("missing-warmer", "arn:aws:lambda:*:*:function:bill*")]))
    assert [f.rule for f in report.findings if f.waived] == ["WARM001"]
    assert report.verdict == "fail"  # WARM010 is not waived


def test_an_expired_waiver_counts_again_and_is_named() -> None:
    report = run(policy_with([waiver("WARM001", fn_arn("billing"), expires="2026-11-01")]))
    assert sorted(f.rule for f in report.findings) == ["WARM001", "WARM010", "WARM902"]
    assert not any(f.waived for f in report.findings)
    expired = next(f for f in report.findings if f.rule == "WARM902")
    assert expired.resource == "policy.yaml#waivers[0]"
    assert "expired on 2026-11-01" in expired.message
    assert report.verdict == "fail"


def test_a_waiver_is_in_force_on_its_expiry_day() -> None:
    report = run(policy_with([waiver("WARM001", fn_arn("billing"), expires="2026-11-02")]))
    assert any(f.rule == "WARM001" and f.waived for f in report.findings)
    assert not any(f.rule == "WARM902" for f in report.findings)


def test_an_unused_waiver_is_warm903() -> None:
    report = run(policy_with([waiver("WARM006", "arn:aws:events:*:*:rule/nothing-*")]))
    unused = [f for f in report.findings if f.rule == "WARM903"]
    assert [f.resource for f in unused] == ["policy.yaml#waivers[0]"]
    assert unused[0].severity == "low"


@pytest.mark.parametrize("rule", ["WARM901", "evidence-incomplete", "WARM902", "WARM903"])
def test_evidence_and_waiver_findings_cannot_be_waived(rule: str) -> None:
    with pytest.raises(ValueError, match="cannot be waived"):
        policy_with([waiver(rule, "*")])


def test_baselined_findings_are_reported_but_only_new_ones_fail() -> None:
    first = run(default_policy())
    assert first.verdict == "fail"
    baseline = frozenset(f.fingerprint for f in first.findings)
    again = run(default_policy(), baseline=baseline)
    assert again.verdict == "pass"
    assert again.baselined == 2
    assert all(f.baselined for f in again.findings)
    scenario = drifted()
    scenario.rules = []  # a new finding: crm-lookup:prod loses its warmer too
    newer = run(default_policy(), baseline=baseline, scenario=scenario)
    assert [f.rule for f in newer.failing] == ["WARM001"]
    assert newer.failing[0].function == fn_arn("crm-lookup", "prod")


def test_unread_evidence_is_never_baselined() -> None:
    scenario = drifted()
    scenario.errors.append(
        CollectionFailure(
            service="lambda",
            operation="GetPolicy",
            account=ACCOUNT,
            resource=fn_arn("billing"),
            code="AccessDenied",
            message="no",
        )
    )
    first = run(default_policy(), scenario=scenario)
    baseline = frozenset(f.fingerprint for f in first.findings)
    again = run(default_policy(), scenario=scenario, baseline=baseline)
    assert again.verdict == "incomplete"


# --- the exit-code matrix through the CLI -----------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def write_case(tmp_path: Path, *, waivers: list[dict[str, Any]], error: bool) -> tuple[Path, Path]:
    scenario = drifted()
    if error:
        scenario.errors.append(
            CollectionFailure(
                service="events",
                operation="ListRules",
                region="us-east-1",
                account=ACCOUNT,
                code="ThrottlingException",
                message="Rate exceeded",
            )
        )
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(scenario.snapshot().to_json())
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        yaml.safe_dump({"version": 1, "warm": {"payload": {"warmer": True}}, "waivers": waivers})
    )
    return snapshot, policy


FAR = "2099-01-01"
PAST = "2020-01-01"
MATRIX = [
    # (waivers, collection error, fail_on, exit code)
    ([], False, "low", 1),
    ([], False, "medium", 1),  # WARM001 is high
    ([], False, "high", 1),
    ([], False, "never", 0),
    ([waiver("WARM001", "*", FAR)], False, "low", 1),  # WARM010 (low) still fails
    ([waiver("WARM001", "*", FAR)], False, "medium", 0),
    ([waiver("WARM001", "*", FAR), waiver("WARM010", "*", FAR)], False, "low", 0),
    ([waiver("WARM001", "*", PAST), waiver("WARM010", "*", FAR)], False, "high", 1),  # expired
    # The unused WARM006 waiver is WARM903 (low): it fails a low gate, not a medium one.
    (
        [waiver("WARM001", "*", FAR), waiver("WARM010", "*", FAR), waiver("WARM006", "*", FAR)],
        False,
        "low",
        1,
    ),
    (
        [waiver("WARM001", "*", FAR), waiver("WARM010", "*", FAR), waiver("WARM006", "*", FAR)],
        False,
        "medium",
        0,
    ),
    ([], True, "low", 3),
    ([], True, "never", 3),  # incomplete evidence beats --fail-on never
    ([waiver("WARM001", "*", FAR), waiver("WARM010", "*", FAR)], True, "low", 3),
]


@pytest.mark.parametrize(("waivers", "error", "fail_on", "code"), MATRIX)
def test_exit_code_matrix(
    tmp_path: Path, waivers: list[dict[str, Any]], error: bool, fail_on: str, code: int
) -> None:
    snapshot, policy = write_case(tmp_path, waivers=waivers, error=error)
    argv = [
        "-q",
        "check",
        "--snapshot",
        str(snapshot),
        "--policy",
        str(policy),
        "--out-dir",
        str(tmp_path / "out"),
        "--fail-on",
        fail_on,
    ]
    assert main(argv) == code
    assert (tmp_path / "out" / "warmcheck.json").is_file()


def test_baseline_round_trip_through_the_cli(tmp_path: Path) -> None:
    snapshot, policy = write_case(tmp_path, waivers=[], error=False)
    base = tmp_path / "baseline.json"
    common = [
        "check",
        "--snapshot",
        str(snapshot),
        "--policy",
        str(policy),
        "--out-dir",
        str(tmp_path / "out"),
    ]
    assert main([*common, "--write-baseline", str(base)]) == 1
    assert main([*common, "--baseline", str(base)]) == 0
    report = json.loads((tmp_path / "out" / "warmcheck.json").read_text())
    assert report["summary"]["baselined"] == 2
    assert all(f["baselined"] for f in report["findings"])


def test_a_malformed_baseline_is_exit_2_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot, policy = write_case(tmp_path, waivers=[], error=False)
    base = tmp_path / "baseline.json"
    base.write_text('{"schema_version": 1, "findings": [{"rule": "WARM001"}]}\n')
    argv = [
        "check",
        "--snapshot",
        str(snapshot),
        "--policy",
        str(policy),
        "--out-dir",
        str(tmp_path / "out"),
        "--baseline",
        str(base),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"warmcheck: error: {base}:1:")
    assert not (tmp_path / "out").exists()


def test_malformed_waiver_is_a_policy_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot, policy = write_case(
        tmp_path, waivers=[{"rule": "WARM001", "resource": "*"}], error=False
    )
    assert main(["check", "--snapshot", str(snapshot), "--policy", str(policy)]) == 2
    assert "waivers[0]." in capsys.readouterr().err
