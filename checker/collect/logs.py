"""CloudWatch Logs Insights: cold starts and durations of the called qualifiers (opt-in, billed).

Per called (function, version) one query over the function's log group (``LoggingConfig``: a
custom group or ``/aws/lambda/<name>``), restricted to the log streams of the version the flows
reach (Lambda names them ``YYYY/MM/DD/[<version>]<id>``; an alias is read as the version it
points to), counting REPORT records per hour: invocations, those with an init (cold starts),
p99 duration and the worst init. Text and JSON log formats have different field names.

**Budget.** Logs Insights bills the bytes it scans. Before starting a query warmcheck estimates
them from ``DescribeLogGroups``: the group's ``storedBytes``, scaled by lookback / retention
when the group has a retention (the window can hold at most that share of what is stored; with
no retention the whole group is counted). It is an upper bound for a steady log volume, and it
is what keeps a nightly gate inside ``evidence.logs_max_gb``: a query whose estimate would pass
what is left of the budget is not started, and that is recorded (WARM901), never read as "no
cold starts". A query still running at `timeout_seconds` is stopped (``StopQuery``) and recorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from checker.collect.base import ReadContext, Where
from checker.model.snapshot import CollectionFailure, LogBin, LogReading

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

GB = 1024**3
DEFAULT_TIMEOUT_SECONDS = 300.0
_DONE = frozenset({"Complete", "Failed", "Cancelled", "Timeout", "Unknown"})


@dataclass(frozen=True)
class LogTarget:
    """One called (function, qualifier) whose logs to read."""

    function: str  # the qualified ARN as the flows call it
    account: str
    region: str
    log_group: str
    log_format: str
    version: str


def insights_query(target: LogTarget) -> str:
    """The Logs Insights query for `target`'s REPORT records, per hour."""
    stream = f'filter @logStream like "[{target.version}]"'
    if target.log_format == "JSON":
        return (
            f'filter type = "platform.report" | {stream} '
            "| stats count(*) as invocations, count(record.metrics.initDurationMs) as cold_starts, "
            "pct(record.metrics.durationMs, 99) as p99, max(record.metrics.initDurationMs) "
            "as max_init by bin(1h) as hour"
        )
    return (
        f'filter @type = "REPORT" | {stream} '
        "| stats count(*) as invocations, count(@initDuration) as cold_starts, "
        "pct(@duration, 99) as p99, max(@initDuration) as max_init by bin(1h) as hour"
    )


def read_logs(
    ctx: ReadContext,
    targets: list[LogTarget],
    start: datetime,
    end: datetime,
    budget_gb: float,
    *,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    poll_seconds: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[LogReading]:
    """One reading per target that was read within budget and time."""
    left = budget_gb * GB
    readings = []
    stored: dict[tuple[str, str], tuple[float, int | None] | None] = {}
    for target in sorted(targets, key=lambda t: t.function):
        ctx.clients.prepare("logs", [target.region])
        client = ctx.clients.logs(target.region)
        group_key = (target.region, target.log_group)
        if group_key not in stored:
            stored[group_key] = ctx.attempt(
                partial(_stored, client, target.log_group),
                _where(target, "DescribeLogGroups"),
            )
        size = stored[group_key]
        if size is None:
            continue  # the failed read is recorded; the group is unknown
        estimate = _estimate(size, start, end)
        if estimate > left:
            _fail(
                ctx,
                target,
                "StartQuery",
                "LogsBudgetExceeded",
                f"not started: scanning {target.log_group} is estimated at "
                f"{estimate / GB:.2f} GB, over the {left / GB:.2f} GB left of "
                f"evidence.logs_max_gb ({budget_gb:g} GB)",
            )
            continue
        left -= estimate
        reading = ctx.attempt(
            partial(
                _query, ctx, client, target, start, end, timeout_seconds, poll_seconds, sleep, clock
            ),
            _where(target, "StartQuery"),
        )
        if reading is not None:
            readings.append(reading)
        ctx.progress("logs", "queries", 1)
    return readings


def _where(target: LogTarget, operation: str) -> Where:
    return Where(
        "logs", operation, region=target.region, account=target.account, resource=target.function
    )


def _fail(ctx: ReadContext, target: LogTarget, operation: str, code: str, message: str) -> None:
    ctx.recorder.add(
        CollectionFailure(
            service="logs",
            operation=operation,
            region=target.region,
            account=target.account,
            resource=target.function,
            code=code,
            message=message,
        )
    )


def _stored(client: CloudWatchLogsClient, name: str) -> tuple[float, int | None] | None:
    """(storedBytes, retention days) of the group named exactly `name`; None: no such group."""
    pages = client.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
    for page in pages:
        for group in page.get("logGroups", []):
            entry: dict[str, Any] = dict(group)
            if entry.get("logGroupName") == name:
                retention = entry.get("retentionInDays")
                return float(entry.get("storedBytes") or 0), int(retention) if retention else None
    return (0.0, None)  # no group yet: Lambda creates it on the first log line; nothing to scan


def _estimate(size: tuple[float, int | None], start: datetime, end: datetime) -> float:
    stored, retention_days = size
    if retention_days is None:
        return stored
    share = (end - start).total_seconds() / (retention_days * 86400)
    return stored * min(1.0, share)


def _query(
    ctx: ReadContext,
    client: CloudWatchLogsClient,
    target: LogTarget,
    start: datetime,
    end: datetime,
    timeout_seconds: float,
    poll_seconds: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> LogReading | None:
    started = client.start_query(
        logGroupName=target.log_group,
        startTime=int(start.timestamp()),
        endTime=int(end.timestamp()),
        queryString=insights_query(target),
        limit=10000,
    )
    query_id = started["queryId"]
    deadline = clock() + timeout_seconds
    while True:
        answer: dict[str, Any] = dict(client.get_query_results(queryId=query_id))
        status = str(answer.get("status", "Unknown"))
        if status in _DONE:
            break
        if clock() >= deadline:
            ctx.attempt(lambda: client.stop_query(queryId=query_id), _where(target, "StopQuery"))
            _fail(
                ctx,
                target,
                "GetQueryResults",
                "QueryTimeout",
                f"the Logs Insights query over {target.log_group} did not finish in "
                f"{timeout_seconds:g} s and was stopped",
            )
            return None
        sleep(poll_seconds)
    if status != "Complete":
        _fail(
            ctx,
            target,
            "GetQueryResults",
            f"Query{status}",
            f"the Logs Insights query over {target.log_group} ended {status}",
        )
        return None
    statistics: dict[str, Any] = dict(answer.get("statistics") or {})
    return LogReading(
        function=target.function,
        log_group=target.log_group,
        version=target.version,
        bytes_scanned=float(statistics.get("bytesScanned") or 0.0),
        bins=sorted(
            (b for b in (_bin(row) for row in answer.get("results", [])) if b is not None),
            key=lambda b: b.start,
        ),
    )


def _bin(row: list[dict[str, Any]]) -> LogBin | None:
    fields = {str(cell.get("field")): cell.get("value") for cell in row}
    hour = _timestamp(fields.get("hour"))
    if hour is None:
        return None
    return LogBin(
        start=hour,
        invocations=int(_number(fields.get("invocations")) or 0),
        cold_starts=int(_number(fields.get("cold_starts")) or 0),
        p99_duration_ms=_number(fields.get("p99")),
        max_init_ms=_number(fields.get("max_init")),
    )


def _number(value: object) -> float | None:
    try:
        return float(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _timestamp(value: object) -> datetime | None:
    """Logs Insights writes bin() as "2026-11-02 11:00:00.000" (UTC)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace(" ", "T")).replace(tzinfo=UTC)
    except ValueError:
        return None
