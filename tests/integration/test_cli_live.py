"""The real `warmcheck` CLI as a subprocess, collecting live from the sandbox over HTTP.

The shared sandbox, seeded once for the module with the demo contact center plus a dangling warmer
(WARM007); each test sets the faults it needs and runs the CLI the way a CI job would.
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest

from checker.sandbox import FaultPlan, RateLimit, Sandbox
from checker.sandbox.demo import DemoManifest, seed_demo
from checker.sandbox.seeding import (
    SandboxClients,
    create_function,
    create_lambda_role,
    put_warmer_rule,
)
from tests.integration.live import fresh, warmcheck

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "demo-policy.yaml"
ACCOUNT = "123456789012"
DANGLING_RULE = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/warm-retired-greeting"


@pytest.fixture(scope="module")
def demo(sandbox: Sandbox) -> tuple[Sandbox, DemoManifest]:
    """The shared sandbox, seeded once for this module."""
    running = fresh(sandbox)
    manifest = seed_demo(running.env())
    clients = SandboxClients.from_env(running.env())
    role = create_lambda_role(clients.iam, "retired-role")
    arn = create_function(clients.lambda_, "retired-greeting", role)
    put_warmer_rule(
        clients.events,
        "warm-retired-greeting",
        "rate(5 minutes)",
        arn,
        input='{"warmer": true}',
    )
    clients.lambda_.delete_function(FunctionName="retired-greeting")
    return running, manifest


def check(sb: Sandbox, out: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    result = warmcheck(sb.env(), "check", "--policy", str(POLICY), "--out-dir", str(out), *extra)
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads((out / "warmcheck.json").read_text())
    return result.returncode, report, result.stderr


# Where a worst gap lies moves with the run's clock (the horizon starts at collection time): two
# runs seconds apart on either side of a firing see the same gap a quarter hour apart.
_GAP_WHEN = re.compile(r" on \w{3} \d{4}-\d{2}-\d{2} \d{2}:\d{2}\u2013\d{2}:\d{2} [^\s,]+")


def steady_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The findings with only the clock-dependent place of a WARM003 gap left out."""
    return [
        f | {"message": _GAP_WHEN.sub(" on <when>", f["message"])} if f["rule"] == "WARM003" else f
        for f in report["findings"]
    ]


def found(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["rule"], f["resource"]) for f in report["findings"]}


def test_every_rule_is_reached_through_live_collection(
    demo: tuple[Sandbox, DemoManifest], tmp_path: Path
) -> None:
    sb, manifest = demo
    sb.set_faults(None)
    code, report, _ = check(sb, tmp_path)
    assert code == 1
    assert found(report) == set(manifest.expected) | {
        ("WARM006", DANGLING_RULE),
        ("WARM007", DANGLING_RULE),
    }
    rules = {rule for rule, _ in found(report)}
    assert rules == {f"WARM{n:03d}" for n in range(1, 16)}
    # The regions rule: fraud-screen lives in us-west-2 and is warm from a rule there.
    coverage = {c["function"]: c["status"] for c in report["coverage"]}
    assert coverage["arn:aws:lambda:us-west-2:123456789012:function:fraud-screen:live"] == "warm"


def test_connect_throttling_gives_the_same_findings(
    demo: tuple[Sandbox, DemoManifest], tmp_path: Path
) -> None:
    sb, _ = demo
    sb.set_faults(None)
    _, calm, _ = check(sb, tmp_path / "calm")
    sb.set_faults(FaultPlan(rate_limits=(RateLimit("connect:*", 2, 2),)))
    try:
        code, throttled, _ = check(sb, tmp_path / "throttled")
    finally:
        sb.set_faults(None)
    assert code == 1
    assert steady_findings(throttled) == steady_findings(calm)

    # The gap's start moves with the run's clock; everything else must be the same.
    def steady(report: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in c.items() if k != "worst_gap_start"} for c in report["coverage"]]

    assert steady(throttled) == steady(calm)


def test_access_denied_on_get_policy_is_exit_3_and_warm901(
    demo: tuple[Sandbox, DemoManifest], tmp_path: Path
) -> None:
    sb, _ = demo
    sb.set_faults(FaultPlan(access_denied=("lambda:GetPolicy",)))
    try:
        code, report, _ = check(sb, tmp_path)
    finally:
        sb.set_faults(None)
    assert code == 3
    assert report["verdict"] == "incomplete"
    evidence = [f for f in report["findings"] if f["rule"] == "WARM901"]
    assert evidence
    assert any("lambda:GetPolicy" in f["message"] for f in evidence)
    assert any("AccessDenied" in f["message"] for f in evidence)


def test_a_missing_endpoint_is_exit_3_not_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
    }
    result = warmcheck(
        env, "check", "--policy", str(POLICY), "--out-dir", str(tmp_path), "--region", "us-east-1"
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads((tmp_path / "warmcheck.json").read_text())
    assert report["verdict"] == "incomplete"
    assert {f["rule"] for f in report["findings"]} == {"WARM901"}


# No credentials anywhere: no files, no instance metadata, empty keys.
NO_CREDENTIALS = {
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "",
    "AWS_SECRET_ACCESS_KEY": "",
}


def test_no_credentials_is_exit_3_with_a_hint(tmp_path: Path) -> None:
    env = NO_CREDENTIALS
    result = warmcheck(env, "check", "--policy", str(POLICY), "--out-dir", str(tmp_path))
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "`warmcheck demo`" in result.stderr
    assert "make demo" not in result.stderr  # works outside the repository too


def test_collect_writes_a_snapshot_that_check_reads_back(
    demo: tuple[Sandbox, DemoManifest], tmp_path: Path
) -> None:
    sb, _ = demo
    sb.set_faults(None)
    snapshot = tmp_path / "snapshot.json"
    result = warmcheck(sb.env(), "collect", "--policy", str(POLICY), "--out", str(snapshot))
    assert result.returncode == 0, result.stderr
    live_code, live, _ = check(sb, tmp_path / "live")
    offline = warmcheck(
        {},
        "check",
        "--policy",
        str(POLICY),
        "--snapshot",
        str(snapshot),
        "--out-dir",
        str(tmp_path / "offline"),
    )
    assert offline.returncode == live_code == 1
    offline_report = json.loads((tmp_path / "offline" / "warmcheck.json").read_text())
    assert steady_findings(offline_report) == steady_findings(live)


def test_init_without_credentials_writes_nothing_and_says_what_to_do(tmp_path: Path) -> None:
    env = NO_CREDENTIALS
    out = tmp_path / "warm-policy.yaml"
    result = warmcheck(env, "init", "--out", str(out))
    assert result.returncode == 3, result.stdout + result.stderr
    assert not out.exists()  # a policy from an unread account would say nothing exists
    assert "no policy was written" in result.stderr
    assert "run `warmcheck init` again" in result.stderr
    assert f"warmcheck init --snapshot FILE --out {out}" in result.stderr
    assert "make demo" not in result.stderr
    printed = warmcheck(env, "init")  # to stdout: nothing printed either
    assert printed.returncode == 3
    assert printed.stdout == ""
