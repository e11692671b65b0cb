"""CloudWatch: the metrics runtime evidence needs, in as few `GetMetricData` calls as possible.

One call per 500 queries per (account, region) (`evidence.batches`), each query one metric over
the whole evidence window as a single period, so each series is at most a couple of datapoints
and a call never pages in practice (botocore's paginator follows ``NextToken`` if it must).
A call that fails after retries is a `CollectionFailure` for that (account, region): its
metrics stay out of the snapshot, and the engine judges nothing on them. A query answered with
a ``StatusCode`` other than ``Complete`` is kept with that status: the engine reports it as
unread evidence (WARM901), never as a verdict.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from checker.analysis.evidence import MetricQuery, batches
from checker.collect.base import ReadContext, Where
from checker.model.snapshot import MetricReading

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricDataQueryTypeDef


def window_period(start: datetime, end: datetime) -> int:
    """The window as one period: whole minutes (CloudWatch wants a multiple of 60)."""
    seconds = int((end - start).total_seconds())
    return max(60, seconds - seconds % 60)


def read_metrics(
    ctx: ReadContext, queries: list[MetricQuery], start: datetime, end: datetime
) -> list[MetricReading]:
    """Every query's reading; failed calls are recorded and their readings left out."""
    readings: list[MetricReading] = []
    for (account, region), calls in batches(queries).items():
        ctx.clients.prepare("cloudwatch", [region])
        client = ctx.clients.cloudwatch(region)
        for batch in calls:
            where = Where("cloudwatch", "GetMetricData", region=region, account=account)
            answered = ctx.attempt(partial(_get, client, batch, start, end), where)
            if answered is not None:
                readings.extend(answered)
            ctx.progress("cloudwatch", "metric batches", 1)
    return sorted(
        readings,
        key=lambda r: (r.account, r.region, r.namespace, r.metric, sorted(r.dimensions.items())),
    )


def _get(
    client: CloudWatchClient, batch: list[MetricQuery], start: datetime, end: datetime
) -> list[MetricReading]:
    period = window_period(start, end)
    queries: list[MetricDataQueryTypeDef] = [
        {
            "Id": f"q{index}",
            "MetricStat": {
                "Metric": {
                    "Namespace": query.namespace,
                    "MetricName": query.metric,
                    "Dimensions": [{"Name": n, "Value": v} for n, v in query.dimensions],
                },
                "Period": period,
                "Stat": query.stat,
            },
            "ReturnData": True,
        }
        for index, query in enumerate(batch)
    ]
    values: dict[str, list[float]] = {f"q{i}": [] for i in range(len(batch))}
    statuses: dict[str, str] = {}
    pages = client.get_paginator("get_metric_data").paginate(
        MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending"
    )
    for page in pages:
        for result in page.get("MetricDataResults", []):
            entry: dict[str, Any] = dict(result)
            ident = str(entry.get("Id", ""))
            if ident not in values:
                continue
            values[ident].extend(float(v) for v in entry.get("Values", []))
            # A later page's status is the series' final word (PartialData means "more pages").
            statuses[ident] = str(entry.get("StatusCode") or "InternalError")
    readings = []
    for index, query in enumerate(batch):
        ident = f"q{index}"
        points = values[ident]
        value = (max(points) if query.stat == "Maximum" else sum(points)) if points else 0.0
        readings.append(query.answer(len(points), value, statuses.get(ident, "InternalError")))
    return readings
