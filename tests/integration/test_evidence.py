"""Runtime evidence against the sandbox: seeded CloudWatch metrics and Lambda log records.

Seeded through the ordinary APIs (PutMetricData, PutLogEvents), read by the real collector over
HTTP; the sandbox counts every request it receives, so "no CloudWatch or Logs call without
evidence" is counted, not assumed.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from checker.collect import collect
from checker.engine import Evaluation, PolicyRef, evaluate
from checker.model.policy import Policy
from checker.model.snapshot import Snapshot
from checker.sandbox import FaultPlan, Sandbox
from checker.sandbox.seeding import (
    SandboxClients,
    add_permission,
    create_function,
    create_lambda_role,
    put_warmer_rule,
)

pytestmark = pytest.mark.integration

EAST = "us-east-1"
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
FN = "arn:aws:lambda:us-east-1:123456789012:function:billing"
RULE = "arn:aws:events:us-east-1:123456789012:rule/warm-billing"


@pytest.fixture
def aws(aws: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The shared `aws`, with no retries: a denied read must show at once."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    return aws


def seed_warmed_function() -> None:
    aws = SandboxClients.from_env(dict(os.environ), region=EAST)
    role = create_lambda_role(aws.iam)
    create_function(aws.lambda_, "billing", role, timeout=5)
    put_warmer_rule(aws.events, "warm-billing", "rate(5 minutes)", FN, input='{"warmer": true}')
    add_permission(
        aws.lambda_,
        "billing",
        statement_id="warmer",
        principal="events.amazonaws.com",
        source_arn=RULE,
    )


def put_metric(metric: str, dims: dict[str, str], value: float, namespace: str) -> None:
    boto3.client("cloudwatch", region_name=EAST).put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
                "Timestamp": NOW - timedelta(hours=1),
                "Value": value,
            }
        ],
    )


def policy(**evidence: Any) -> Policy:
    return Policy.model_validate(
        {
            "version": 1,
            "warm": {"payload": {"warmer": True}},
            "extra_functions": [FN],
            "evidence": evidence,
        }
    )


def judge(chosen: Policy, snapshot: Snapshot) -> Evaluation:
    return evaluate(chosen, snapshot, NOW, policy_ref=PolicyRef("p.yaml", "0" * 64))


def evidence_calls(sandbox: Sandbox) -> dict[str, int]:
    return {k: v for k, v in sandbox.calls().items() if k.startswith(("cloudwatch:", "logs:"))}


def test_without_evidence_the_sandbox_receives_no_cloudwatch_or_logs_request(aws: Sandbox) -> None:
    seed_warmed_function()
    aws.reset_calls()
    collection = collect(policy(), now=NOW)
    assert collection.snapshot.errors == []
    assert collection.snapshot.evidence is None
    assert evidence_calls(aws) == {}
    assert any(k.startswith("lambda:") for k in aws.calls())


def test_a_warmer_whose_invocations_all_fail_is_found_through_metrics(aws: Sandbox) -> None:
    seed_warmed_function()
    put_metric("TriggeredRules", {"RuleName": "warm-billing"}, 288, "AWS/Events")
    put_metric("Errors", {"FunctionName": "billing"}, 288, "AWS/Lambda")
    # The same name and dimensions under another namespace must not be mixed in (moto would).
    put_metric("Errors", {"FunctionName": "billing"}, 5000, "Custom/Billing")
    aws.reset_calls()
    chosen = policy(metrics=True)
    collection = collect(chosen, now=NOW)
    assert evidence_calls(aws) == {"cloudwatch:GetMetricData": 1}
    report = judge(chosen, collection.snapshot)
    [finding] = [f for f in report.findings if f.rule == "WARM015"]
    assert finding.resource == RULE
    assert "288 errors to 288 warm firings" in finding.message


def test_a_warmer_that_stopped_firing_is_found_through_metrics(aws: Sandbox) -> None:
    seed_warmed_function()
    chosen = policy(metrics=True)
    report = judge(chosen, collect(chosen, now=NOW).snapshot)
    assert [f.rule for f in report.findings] == ["WARM015"]
    assert "fired 0 times" in report.findings[0].message


def test_denied_get_metric_data_is_warm901(aws: Sandbox) -> None:
    seed_warmed_function()
    aws.set_faults(FaultPlan.parse(["deny=cloudwatch:GetMetricData"]))
    chosen = policy(metrics=True)
    snapshot = collect(chosen, now=NOW).snapshot
    assert [(e.operation, e.code) for e in snapshot.errors] == [
        ("GetMetricData", "AccessDeniedException")
    ]
    report = judge(chosen, snapshot)
    assert [f.rule for f in report.findings] == ["WARM901"]


def _report_line(duration: float, init: float | None) -> str:
    line = f"REPORT RequestId: r\tDuration: {duration} ms\tBilled Duration: {int(duration)} ms\t"
    return line + (f"Init Duration: {init} ms\t" if init is not None else "")


def seed_log_records() -> None:
    client = boto3.client("logs", region_name=EAST)
    group, stream = "/aws/lambda/billing", "2026/12/07/[$LATEST]0123abcd"
    client.create_log_group(logGroupName=group)
    client.create_log_stream(logGroupName=group, logStreamName=stream)
    stamp = int((NOW - timedelta(hours=2)).timestamp() * 1000)
    lines = [_report_line(40.0, None)] * 10 + [_report_line(6900.0, 1800.0)] * 2
    client.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": stamp + i, "message": m} for i, m in enumerate(lines)],
    )


def test_cold_starts_in_the_lambda_logs_are_found_through_logs_insights(aws: Sandbox) -> None:
    seed_warmed_function()
    seed_log_records()
    aws.reset_calls()
    chosen = policy(logs=True)
    snapshot = collect(chosen, now=NOW).snapshot
    assert snapshot.errors == []
    calls = evidence_calls(aws)
    assert calls["logs:StartQuery"] == 1
    assert "cloudwatch:GetMetricData" not in calls
    report = judge(chosen, snapshot)
    [finding] = [f for f in report.findings if f.rule == "WARM016"]
    assert "2 cold starts" in finding.message
    assert report.coverage[0].cold_starts == 2


def test_a_logs_query_over_budget_is_not_started(aws: Sandbox) -> None:
    seed_warmed_function()
    seed_log_records()
    aws.reset_calls()
    chosen = policy(logs=True, logs_max_gb=1e-9)
    snapshot = collect(chosen, now=NOW).snapshot
    assert "logs:StartQuery" not in aws.calls()
    assert [e.code for e in snapshot.errors] == ["LogsBudgetExceeded"]
    assert [f.rule for f in judge(chosen, snapshot).findings] == ["WARM901"]
