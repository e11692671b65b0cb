"""Runtime evidence collection: the guard, batching, GetMetricData answers, Logs Insights limits.

Offline, with canned answers behind real botocore clients (`FakeAws` from test_collect).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest

from checker.analysis.evidence import GET_METRIC_DATA_LIMIT, LAMBDA, MetricQuery, batches
from checker.collect import ReadOnlyViolation, cloudwatch, collect_with, logs
from checker.collect.base import (
    ALLOWED_OPERATIONS,
    ClientFactory,
    ProgressReporter,
    ReadContext,
    Recorder,
    allowed_operations,
)
from checker.model.policy import Policy
from tests.unit.test_collect import ACCOUNT, EAST, NOW, FakeAws, denied, offline_env

__all__ = ["offline_env"]  # the fixture, used by name

START = NOW - timedelta(hours=24)


def context(fake: FakeAws, *kinds: str) -> ReadContext:
    factory = ClientFactory.from_profile(None, customize=fake.install, evidence=kinds)
    return ReadContext(factory, Recorder(), ProgressReporter(None), ACCOUNT)


def queries(count: int, region: str = EAST) -> list[MetricQuery]:
    return [
        MetricQuery(ACCOUNT, region, LAMBDA, "Invocations", (("FunctionName", f"f{i:04}"),))
        for i in range(count)
    ]


@pytest.fixture
def fake(offline_env: None) -> FakeAws:
    return FakeAws()


# --- the guard -------------------------------------------------------------------------------


def test_without_evidence_the_allow_list_has_no_cloudwatch_or_logs_read() -> None:
    plain = allowed_operations()
    assert not any(op.startswith(("cloudwatch:", "logs:")) for op in plain)
    assert "cloudwatch:GetMetricData" in allowed_operations(["metrics"])
    assert not any(op.startswith("logs:") for op in allowed_operations(["metrics"]))
    assert allowed_operations(["metrics", "logs"]) == ALLOWED_OPERATIONS


def test_the_guard_refuses_metrics_and_logs_reads_the_run_did_not_ask_for(fake: FakeAws) -> None:
    factory = ClientFactory.from_profile(None, customize=fake.install)
    factory.prepare("cloudwatch", [EAST])
    factory.prepare("logs", [EAST])
    with pytest.raises(ReadOnlyViolation):
        factory.cloudwatch(EAST).get_metric_data(MetricDataQueries=[], StartTime=START, EndTime=NOW)
    with pytest.raises(ReadOnlyViolation):
        factory.logs(EAST).start_query(logGroupName="g", startTime=0, endTime=1, queryString="x")
    metrics_only = ClientFactory.from_profile(None, customize=fake.install, evidence=["metrics"])
    metrics_only.prepare("logs", [EAST])
    with pytest.raises(ReadOnlyViolation):
        metrics_only.logs(EAST).get_query_results(queryId="q")
    assert fake.calls == []


def test_a_collection_without_evidence_makes_no_cloudwatch_or_logs_call(fake: FakeAws) -> None:
    factory = ClientFactory.from_profile(None, customize=fake.install)
    policy = Policy.model_validate(
        {"version": 1, "extra_functions": [f"arn:aws:lambda:{EAST}:{ACCOUNT}:function:billing"]}
    )
    fake.on("lambda:GetFunctionConfiguration", lambda r, p: {"Timeout": 3, "State": "Active"})
    collection = collect_with(policy, factory, now=NOW)
    assert collection.snapshot.evidence is None
    assert not any(op.startswith(("cloudwatch:", "logs:")) for op in collection.calls)
    assert collection.calls["lambda:GetFunctionConcurrency"] == 1


# --- batching ------------------------------------------------------------------------------


def test_batches_are_at_most_500_queries_per_account_and_region() -> None:
    split = batches(queries(1201) + queries(3, "us-west-2"))
    assert [len(b) for b in split[(ACCOUNT, EAST)]] == [500, 500, 201]
    assert [len(b) for b in split[(ACCOUNT, "us-west-2")]] == [3]
    assert GET_METRIC_DATA_LIMIT == 500


def _answer_all(status: str = "Complete", value: float = 2.0) -> Any:
    def answer(region: str, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "MetricDataResults": [
                {
                    "Id": q["Id"],
                    "Timestamps": [NOW] if value else [],
                    "Values": [value] if value else [],
                    "StatusCode": status,
                }
                for q in params["MetricDataQueries"]
            ]
        }

    return answer


def test_read_metrics_makes_one_call_per_500_queries(fake: FakeAws) -> None:
    fake.on("cloudwatch:GetMetricData", _answer_all())
    ctx = context(fake, "metrics")
    readings = cloudwatch.read_metrics(ctx, queries(1001), START, NOW)
    calls = fake.called("cloudwatch:GetMetricData")
    assert len(calls) == math.ceil(1001 / 500) == 3
    assert [len(c.params["MetricDataQueries"]) for c in calls] == [500, 500, 1]
    assert calls[0].params["MetricDataQueries"][0]["MetricStat"]["Period"] == 86400
    assert len(readings) == 1001
    assert {(r.value, r.datapoints, r.status) for r in readings} == {(2.0, 1, "Complete")}


def test_an_empty_series_is_a_reading_with_no_datapoints(fake: FakeAws) -> None:
    fake.on("cloudwatch:GetMetricData", _answer_all(value=0.0))
    [reading] = cloudwatch.read_metrics(context(fake, "metrics"), queries(1), START, NOW)
    assert (reading.datapoints, reading.value, reading.status) == (0, 0.0, "Complete")


def test_partial_data_is_kept_as_the_status_of_the_series(fake: FakeAws) -> None:
    fake.on("cloudwatch:GetMetricData", _answer_all(status="PartialData"))
    [reading] = cloudwatch.read_metrics(context(fake, "metrics"), queries(1), START, NOW)
    assert reading.status == "PartialData"


def test_denied_get_metric_data_is_a_failure_for_that_account_and_region(fake: FakeAws) -> None:
    fake.on("cloudwatch:GetMetricData", denied)
    ctx = context(fake, "metrics")
    assert cloudwatch.read_metrics(ctx, queries(2), START, NOW) == []
    [failure] = ctx.recorder.failures()
    assert (failure.service, failure.operation, failure.code) == (
        "cloudwatch",
        "GetMetricData",
        "AccessDeniedException",
    )
    assert (failure.account, failure.region) == (ACCOUNT, EAST)


# --- Logs Insights ---------------------------------------------------------------------------

TARGET = logs.LogTarget(
    function=f"arn:aws:lambda:{EAST}:{ACCOUNT}:function:crm:prod",
    account=ACCOUNT,
    region=EAST,
    log_group="/aws/lambda/crm",
    log_format="Text",
    version="3",
)


def _group(stored: float, retention: int | None = None) -> Any:
    def answer(region: str, params: dict[str, Any]) -> dict[str, Any]:
        group: dict[str, Any] = {"logGroupName": "/aws/lambda/crm", "storedBytes": int(stored)}
        if retention:
            group["retentionInDays"] = retention
        return {"logGroups": [group]}

    return answer


def test_a_query_that_would_pass_the_budget_is_not_started(fake: FakeAws) -> None:
    fake.on("logs:DescribeLogGroups", _group(3 * logs.GB))
    ctx = context(fake, "logs")
    assert logs.read_logs(ctx, [TARGET], START, NOW, budget_gb=1.0) == []
    assert fake.called("logs:StartQuery") == []
    [failure] = ctx.recorder.failures()
    assert failure.code == "LogsBudgetExceeded"
    assert failure.resource == TARGET.function
    assert "3.00 GB" in failure.message


def test_retention_scales_the_estimate_so_one_day_of_thirty_fits(fake: FakeAws) -> None:
    # 3 GB kept for 30 days: a 24 h window holds at most a thirtieth of it.
    fake.on("logs:DescribeLogGroups", _group(3 * logs.GB, retention=30))
    fake.on("logs:StartQuery", lambda r, p: {"queryId": "q1"})
    fake.on(
        "logs:GetQueryResults",
        lambda r, p: {
            "status": "Complete",
            "statistics": {"bytesScanned": 1234.0},
            "results": [
                [
                    {"field": "hour", "value": "2026-11-02 09:00:00.000"},
                    {"field": "invocations", "value": "40"},
                    {"field": "cold_starts", "value": "2"},
                    {"field": "p99", "value": "812.5"},
                    {"field": "max_init", "value": "700"},
                ]
            ],
        },
    )
    [reading] = logs.read_logs(context(fake, "logs"), [TARGET], START, NOW, budget_gb=1.0)
    assert reading.bytes_scanned == 1234.0
    [hour] = reading.bins
    assert (hour.invocations, hour.cold_starts, hour.p99_duration_ms, hour.max_init_ms) == (
        40,
        2,
        812.5,
        700.0,
    )
    [started] = fake.called("logs:StartQuery")
    assert started.params["logGroupName"] == "/aws/lambda/crm"
    assert 'filter @logStream like "[3]"' in started.params["queryString"]
    assert '@type = "REPORT"' in started.params["queryString"]


def test_a_query_that_runs_too_long_is_stopped_and_recorded(fake: FakeAws) -> None:
    fake.on("logs:DescribeLogGroups", _group(1000))
    fake.on("logs:StartQuery", lambda r, p: {"queryId": "q1"})
    fake.on("logs:GetQueryResults", lambda r, p: {"status": "Running"})
    fake.on("logs:StopQuery", lambda r, p: {"success": True})
    ticks = iter(range(0, 1000, 10))
    ctx = context(fake, "logs")
    read = logs.read_logs(
        ctx, [TARGET], START, NOW, 1.0, timeout_seconds=30, sleep=lambda s: None,
        clock=lambda: float(next(ticks)),
    )  # fmt: skip
    assert read == []
    assert len(fake.called("logs:StopQuery")) == 1
    [failure] = ctx.recorder.failures()
    assert failure.code == "QueryTimeout"


def test_json_format_queries_platform_report_records() -> None:
    json_target = logs.LogTarget(**{**TARGET.__dict__, "log_format": "JSON"})
    text = logs.insights_query(json_target)
    assert 'type = "platform.report"' in text
    assert "record.metrics.initDurationMs" in text
