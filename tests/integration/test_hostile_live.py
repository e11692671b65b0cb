"""Hostile state and denied reads, live: the collector and the CLI against the sandbox over HTTP.

One small contact center is seeded with what the sandbox can hold of the hostile-input suite
(a target Input of 4,000 nested arrays, flow names with terminal escapes and a lone surrogate,
a universal target with a deep payload). Then every operation on the collector's allow-list
is denied in turn: each run must be incomplete (exit 3) and no finding may appear that the
undenied run does not have, so none rests on what was denied.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from checker.collect import collect
from checker.collect.base import ALLOWED_OPERATIONS
from checker.engine import Evaluation, PolicyRef, evaluate
from checker.format.registry import FORMATS
from checker.model.policy import Policy
from checker.sandbox import FaultPlan, Sandbox, sandbox_environment, seeding
from checker.sandbox.seeding import SandboxClients
from tests.hostile import (
    ALL_FORMATS,
    DEEP_ARRAY,
    EARLIER,
    FORGED_VERDICT,
    UNSAFE_SHOWN,
    seed_earlier_reports,
    temporaries,
)
from tests.integration.live import fresh, unpaced, warmcheck

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = '{"warmer": true}'
# Search results always carry Content in the sandbox, so the Describe fall-backs are never
# called there; tests/unit/test_hostile_inputs.py denies them on a snapshot instead.
NOT_CALLED_IN_SANDBOX = frozenset(
    {
        "connect:DescribeContactFlow",
        "connect:DescribeContactFlowModule",
        # Only for a Logs Insights query still running at its timeout; the sandbox answers at
        # once (tests/unit covers the timeout).
        "logs:StopQuery",
    }
)
# Reads this one-account center does not make, whose denial is proven where they are made:
# Organizations discovery and the member role (tests/integration/test_organization.py: a member
# whose role is refused, Organizations denied with an explicit list), and ListFunctions, a
# shortcut for 50+ functions in a region whose refusal falls back to one read each and is no
# gap (tests/unit/test_collect.py).
PROVEN_ELSEWHERE = frozenset(
    {
        "organizations:ListAccounts",
        "organizations:ListAccountsForParent",
        "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListRoots",
        "organizations:ListTagsForResource",
        "sts:AssumeRole",
        "lambda:ListFunctions",
    }
)


@dataclass(frozen=True)
class Seeded:
    sandbox: Sandbox
    instance_id: str
    deep_rule: str
    deep_schedule: str


@pytest.fixture(scope="module")
def seeded(sandbox: Sandbox) -> Seeded:
    """The shared sandbox, seeded once for this module."""
    fresh(sandbox)
    clients = SandboxClients.from_env(sandbox.env())
    role = seeding.create_lambda_role(clients.iam, "hostile-lambda")
    billing = seeding.create_function(clients.lambda_, "billing", role, timeout=8)
    crm = seeding.create_function(clients.lambda_, "crm-lookup", role, timeout=8)
    crm_prod = seeding.create_alias(
        clients.lambda_,
        "crm-lookup",
        "prod",
        seeding.publish_version(clients.lambda_, "crm-lookup"),
    )
    instance = seeding.create_instance(clients.connect, "hostile-center")
    module = seeding.create_module(
        clients.connect, instance.id, "crm module", seeding.flow_document(lambdas=[crm_prod])
    )
    for name in ("Main", FORGED_VERDICT, "surrogate \ud800 flow"):
        seeding.create_flow(
            clients.connect,
            instance.id,
            name,
            seeding.flow_document(lambdas=[billing], modules=[module.id]),
        )
    seeding.create_hours_of_operation(
        clients.connect,
        instance.id,
        "Support Hours",
        timezone="America/New_York",
        weekly=[(day, "08:00", "18:00") for day in ("MONDAY", "TUESDAY", "WEDNESDAY")],
    )
    for arn in (billing, crm):
        seeding.associate_lambda(clients.connect, instance.id, arn)
    crm_rule = seeding.put_warmer_rule(
        clients.events, "crm-warmer", "rate(5 minutes)", crm_prod, input=PAYLOAD
    )
    # 8,000 characters of nesting: inside EventBridge's 8,192-character Input limit.
    deep_rule = seeding.put_warmer_rule(
        clients.events, "billing-deep", "rate(5 minutes)", billing, input=DEEP_ARRAY
    )
    scheduler_role = seeding.create_scheduler_role(clients.iam, "hostile-scheduler", [billing])
    managed = clients.iam.create_policy(
        PolicyName="hostile-invoke",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": billing}
                ],
            }
        ),
    )["Policy"]["Arn"]
    clients.iam.attach_role_policy(RoleName="hostile-scheduler", PolicyArn=managed)
    seeding.create_schedule(
        clients.scheduler,
        "billing-schedule",
        "rate(5 minutes)",
        billing,
        scheduler_role,
        input=PAYLOAD,
    )
    deep_schedule = seeding.create_schedule(
        clients.scheduler,
        "universal-deep",
        "rate(5 minutes)",
        billing,
        scheduler_role,
        input=DEEP_ARRAY,
        universal=True,
    )
    for statement_id, principal, source, qualifier, function in (
        ("connect", "connect.amazonaws.com", instance.arn, None, "billing"),
        ("deep", "events.amazonaws.com", deep_rule, None, "billing"),
        ("connect", "connect.amazonaws.com", instance.arn, "prod", "crm-lookup"),
        ("warmer", "events.amazonaws.com", crm_rule, "prod", "crm-lookup"),
    ):
        seeding.add_permission(
            clients.lambda_,
            function,
            statement_id=statement_id,
            principal=principal,
            source_arn=source,
            qualifier=qualifier,
        )
    # A day of billing's log records, so the logs evidence has a query to run.
    with sandbox_environment(sandbox.env()):
        logs = boto3.client("logs", region_name="us-east-1")
        group, stream = "/aws/lambda/billing", "2026/12/07/[$LATEST]0123abcd"
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        stamp = int((datetime.now(UTC) - timedelta(hours=2)).timestamp() * 1000)
        report = "REPORT RequestId: r\tDuration: 40.0 ms\tBilled Duration: 40 ms\t"
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": stamp, "message": report}],
        )
    return Seeded(sandbox, instance.id, deep_rule, deep_schedule)


def _policy(instances: str, window: str, *, evidence: bool = False) -> Policy:
    return Policy.model_validate(
        {
            "version": 1,
            "scope": {"regions": ["us-east-1"], "instances": [instances]},
            "warm": {
                "payload": {"warmer": True},
                "window": window if window == "always" else {"hours_of_operation": window},
            },
            "evidence": {"metrics": evidence, "logs": evidence},
        }
    )


def _run(sandbox: Sandbox, policy: Policy, deny: str | None) -> tuple[Evaluation, dict[str, int]]:
    sandbox.set_faults(FaultPlan(access_denied=(deny,)) if deny else None)
    try:
        with sandbox_environment(sandbox.env()):
            collection = collect(policy, now=datetime.now(UTC).replace(microsecond=0))
    finally:
        sandbox.set_faults(None)
    snapshot = collection.snapshot
    report = evaluate(
        policy, snapshot, snapshot.collected_at, policy_ref=PolicyRef("policy.yaml", "0" * 64)
    )
    for fmt in FORMATS:  # every format renders whatever was (not) read
        fmt.render(report).encode("utf-8")
    return report, collection.calls


def _verdicts(report: Evaluation) -> set[tuple[str, str, str | None, str | None]]:
    return {
        (f.rule, f.resource, f.function, f.warmer) for f in report.findings if f.rule != "WARM901"
    }


def test_every_denied_read_is_incomplete_and_no_finding_rests_on_it(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    unpaced(monkeypatch)  # some forty collections; denials are the subject, not pacing
    policies = {
        "all instances, always": _policy("*", "always"),
        "one instance, its hours": _policy(seeded.instance_id, "Support Hours"),
        # Runtime evidence reads CloudWatch and Logs too: denied, they are unread evidence.
        "all instances, with evidence": _policy("*", "always", evidence=True),
    }
    baselines = {name: _run(seeded.sandbox, policy, None) for name, policy in policies.items()}
    for report, _ in baselines.values():
        assert not report.incomplete
    called = {op for _, calls in baselines.values() for op in calls}
    unproven = ALLOWED_OPERATIONS - called - NOT_CALLED_IN_SANDBOX - PROVEN_ELSEWHERE
    assert unproven == set(), "seed every allowed read"
    failures = []
    for operation in sorted(called):
        name = next(n for n, (_, calls) in baselines.items() if operation in calls)
        report, _ = _run(seeded.sandbox, policies[name], operation)
        if not report.incomplete:
            failures.append(f"{operation} denied ({name}): not incomplete")
        new = _verdicts(report) - _verdicts(baselines[name][0])
        if new:
            failures.append(f"{operation} denied ({name}): findings that rest on it: {new}")
        if not any(f.rule == "WARM901" and operation in f.message for f in report.findings):
            failures.append(f"{operation} denied ({name}): no WARM901 names it")
    assert failures == []


def test_hostile_state_live_through_the_cli(seeded: Seeded, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text('version: 1\nwarm:\n  payload: {"warmer": true}\n')
    out = tmp_path / "reports"
    seed_earlier_reports(out)
    result = warmcheck(
        seeded.sandbox.env(), "check", "--policy", str(policy), "--out-dir", str(out), *ALL_FORMATS
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert not UNSAFE_SHOWN.search(result.stdout), result.stdout
    report = json.loads((out / "warmcheck.json").read_text(encoding="utf-8"))
    found = {(f["rule"], f["resource"]) for f in report["findings"]}
    # Both deep payloads are unsafe payloads; nothing crashes, and billing is still warm.
    assert found == {("WARM008", seeded.deep_rule), ("WARM008", seeded.deep_schedule)}
    assert {c["status"] for c in report["coverage"]} == {"warm"}
    texts = {fmt.name: (out / fmt.filename).read_text(encoding="utf-8") for fmt in FORMATS}
    assert EARLIER not in texts.values()
    json.loads(texts["sarif"])
    ET.fromstring(texts["junit"].encode("utf-8"))
    assert temporaries(out) == []


def test_a_path_mistake_live_collects_nothing_and_replaces_nothing(
    seeded: Seeded, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    seed_earlier_reports(out)
    (out / "warmcheck.junit.xml").unlink()
    (out / "warmcheck.junit.xml").mkdir()
    result = warmcheck(
        seeded.sandbox.env(),
        "check",
        "--policy",
        "policies/demo-policy.yaml",
        "--out-dir",
        str(out),
        *ALL_FORMATS,
        "--summary-to",
        str(tmp_path),
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert (out / "warmcheck.json").read_text() == EARLIER
    assert temporaries(out) == []
