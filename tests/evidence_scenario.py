"""Runtime evidence for `tests.scenario` snapshots: healthy metrics by default, one fact changed.

`with_metrics` answers every query warmcheck would ask for the scenario (from
`checker.analysis.evidence.metric_queries`) like a healthy day: every warmer fired as often as it
was due (`FIRED`), its function was invoked that often, nothing failed (those series are empty, as
CloudWatch leaves counters that are only sent when non-zero). `changes` overrides one series:
a number, or None for "no datapoints".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from checker.analysis.evidence import EVENTS, LAMBDA, SCHEDULER, MetricQuery, metric_queries
from checker.domain.arns import FunctionKey, parse_function_arn
from checker.model.policy import Policy
from checker.model.snapshot import LogBin, LogReading, MetricReading, RuntimeEvidence, Snapshot
from tests.scenario import NOW, PAYLOAD

LOOKBACK = timedelta(hours=24)
START = NOW - LOOKBACK
FIRED = 288  # a 5-minute warmer over 24 h
Series = tuple[str, str, tuple[tuple[str, str], ...]]  # namespace, metric, dimensions


def rule_series(metric: str, rule: str) -> Series:
    return (EVENTS, metric, (("RuleName", rule),))


def group_series(metric: str, group: str = "default") -> Series:
    return (SCHEDULER, metric, (("ScheduleGroup", group),))


def lambda_series(metric: str, function: str, qualifier: str | None = None) -> Series:
    if qualifier is None:
        return (LAMBDA, metric, (("FunctionName", function),))
    return (LAMBDA, metric, (("FunctionName", function), ("Resource", f"{function}:{qualifier}")))


def evidence_policy(**evidence: Any) -> Policy:
    """The scenario's policy with metrics and logs evidence on (and `evidence` changed)."""
    return Policy.model_validate(
        {
            "version": 1,
            "warm": {"payload": PAYLOAD},
            "evidence": {"metrics": True, "logs": True, **evidence},
        }
    )


_FIRING_METRICS = {"TriggeredRules", "InvocationAttemptCount", "Invocations"}


def queries_for(snapshot: Snapshot, required: Iterable[str]) -> list[MetricQuery]:
    keys = [key for arn in required if (key := parse_function_arn(arn)) is not None]
    targets: dict[str, FunctionKey] = {}
    for schedule in snapshot.schedules:
        key = parse_function_arn(schedule.target.arn)
        if key is not None:
            targets[schedule.arn] = key
    provisioned = [
        key
        for key in keys
        for function in snapshot.functions
        if function.arn == key.function_arn
        and any(
            pc.qualifier == key.qualifier and pc.status == "READY"
            for pc in function.provisioned_concurrency or []
        )
    ]
    return metric_queries(snapshot.rules, snapshot.schedules, targets, keys, provisioned)


def reading(query: MetricQuery, value: float | None, status: str = "Complete") -> MetricReading:
    return query.answer(0 if value is None else 1, value or 0.0, status)


def with_metrics(
    snapshot: Snapshot,
    required: Iterable[str],
    changes: Mapping[Series, float | None] | None = None,
    *,
    statuses: Mapping[Series, str] | None = None,
    drop: Iterable[Series] = (),
) -> Snapshot:
    """`snapshot` with a healthy day's metrics, as changed; `drop` leaves a series unread."""
    changes = changes or {}
    statuses = statuses or {}
    dropped = set(drop)
    readings = []
    for query in queries_for(snapshot, required):
        series = (query.namespace, query.metric, query.dimensions)
        if series in dropped:
            continue
        value: float | None = FIRED if query.metric in _FIRING_METRICS else None
        value = changes.get(series, value)
        readings.append(reading(query, value, statuses.get(series, "Complete")))
    evidence = RuntimeEvidence(start=START, end=NOW, metrics=readings)
    return snapshot.model_copy(update={"evidence": evidence})


def log_reading(
    function: str, *bins: tuple[datetime, int, int, float, float | None], version: str = "$LATEST"
) -> LogReading:
    """Hours of REPORT records: (hour, invocations, cold starts, p99 ms, worst init ms)."""
    return LogReading(
        function=function,
        log_group="/aws/lambda/" + function.split(":")[6],
        version=version,
        bytes_scanned=1000.0,
        bins=[
            LogBin(
                start=hour,
                invocations=count,
                cold_starts=cold,
                p99_duration_ms=p99,
                max_init_ms=init,
            )
            for hour, count, cold, p99, init in bins
        ],
    )


def with_logs(snapshot: Snapshot, *readings: LogReading) -> Snapshot:
    evidence = RuntimeEvidence(start=START, end=NOW, logs=list(readings))
    return snapshot.model_copy(update={"evidence": evidence})
