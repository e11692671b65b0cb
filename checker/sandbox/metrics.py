"""The sandbox's own CloudWatch metrics and Logs Insights, for runtime evidence.

moto's `GetMetricData` ignores the namespace when dimensions are given (facts: moto.md), and its
Logs Insights does not evaluate queries. So the front server keeps both itself, seeded through
the ordinary APIs:

- CloudWatch ``PutMetricData`` stores datapoints; ``GetMetricData`` answers each query from the
  series with exactly that namespace, name and dimension set (as CloudWatch does), bucketed by
  `Period` from `StartTime`, over the Smithy RPC v2 CBOR protocol botocore speaks to CloudWatch.
- Logs ``PutLogEvents`` goes to moto (which keeps groups and streams for ``DescribeLogGroups``)
  and is copied here; ``StartQuery`` evaluates the shape of query warmcheck sends: the REPORT
  records (Text: ``@type = "REPORT"``; JSON: ``type = "platform.report"``) of the log streams
  matching ``@logStream like "..."``, counted per hour with p99 duration and the worst init.
  ``GetQueryResults`` answers ``Complete`` at once.
"""

from __future__ import annotations

import json
import math
import re
import threading
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from botocore.parsers import RpcV2CBORParser
from botocore.serialize import RpcV2CBORSerializer

from checker.sandbox.wire import ApiError, HttpRequest, HttpResponse, service_model

METRIC_OPERATIONS = frozenset({"PutMetricData", "GetMetricData"})
LOG_QUERY_OPERATIONS = frozenset({"StartQuery", "GetQueryResults", "StopQuery"})

SeriesKey = tuple[str, str, str, str, tuple[tuple[str, str], ...]]


def decode_cbor_request(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    parser = RpcV2CBORParser()
    value = parser.parse_data_item(parser.get_peekable_stream_from_bytes(request.body))
    return value if isinstance(value, dict) else {}


def encode_cbor_response(operation: str, result: dict[str, Any]) -> HttpResponse:
    shape = service_model("cloudwatch").operation_model(operation).output_shape
    body = bytearray()
    if shape is not None:
        # botocore's own CBOR writer, driven by the output shape (it writes requests the same way).
        serializer: Any = RpcV2CBORSerializer()
        serializer._serialize_data_item(body, result, shape)
    headers = (("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"))
    return HttpResponse(200, headers, bytes(body))


def _seconds(value: object) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    raise ApiError("InvalidParameterValue", f"not a timestamp: {value!r}", 400)


class MetricsBackend:
    """Datapoints by (account, region, namespace, metric, dimensions)."""

    def __init__(self) -> None:
        self._points: dict[SeriesKey, list[tuple[float, float]]] = defaultdict(list)
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._points.clear()

    def handle(
        self, operation: str, params: dict[str, Any], account: str, region: str
    ) -> dict[str, Any]:
        if operation == "PutMetricData":
            self._put(params, account, region)
            return {}
        return self._get(params, account, region)

    def _put(self, params: dict[str, Any], account: str, region: str) -> None:
        namespace = str(params.get("Namespace", ""))
        now = datetime.now(UTC).timestamp()
        with self._lock:
            for datum in params.get("MetricData", []):
                dims = tuple(sorted((d["Name"], d["Value"]) for d in datum.get("Dimensions", [])))
                key = (account, region, namespace, str(datum["MetricName"]), dims)
                stamp = _seconds(datum["Timestamp"]) if "Timestamp" in datum else now
                values = [datum["Value"]] if "Value" in datum else datum.get("Values", [])
                counts = datum.get("Counts") or [1] * len(values)
                for value, count in zip(values, counts, strict=False):
                    self._points[key].append((stamp, float(value) * float(count)))

    def _get(self, params: dict[str, Any], account: str, region: str) -> dict[str, Any]:
        start = _seconds(params.get("StartTime"))
        end = _seconds(params.get("EndTime"))
        queries = params.get("MetricDataQueries", [])
        if len(queries) > 500:
            raise ApiError("ValidationError", "at most 500 MetricDataQueries per call", 400)
        results = []
        for query in queries:
            stat = query["MetricStat"]
            metric = stat["Metric"]
            dims = tuple(sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", [])))
            key = (account, region, metric.get("Namespace", ""), metric["MetricName"], dims)
            period = int(stat["Period"])
            with self._lock:
                points = [p for p in self._points.get(key, []) if start <= p[0] < end]
            buckets: dict[int, list[float]] = defaultdict(list)
            for stamp, value in points:
                buckets[int((stamp - start) // period)].append(value)
            stamps, values = [], []
            for index in sorted(buckets):
                stamps.append(datetime.fromtimestamp(start + index * period, UTC))
                values.append(_statistic(stat["Stat"], buckets[index]))
            results.append(
                {
                    "Id": query["Id"],
                    "Label": metric["MetricName"],
                    "Timestamps": stamps,
                    "Values": values,
                    "StatusCode": "Complete",
                }
            )
        return {"MetricDataResults": results, "Messages": []}


def _statistic(stat: str, values: list[float]) -> float:
    if stat == "Maximum":
        return max(values)
    if stat == "Minimum":
        return min(values)
    if stat == "Average":
        return sum(values) / len(values)
    if stat == "SampleCount":
        return float(len(values))
    return sum(values)


# --- Logs Insights -----------------------------------------------------------------------------

_STREAM = re.compile(r'@logStream like "([^"]*)"')
_TEXT_DURATION = re.compile(r"\tDuration: ([\d.]+) ms")
_TEXT_INIT = re.compile(r"Init Duration: ([\d.]+) ms")


class LogsBackend:
    """Log events copied from PutLogEvents, and the queries started over them."""

    def __init__(self) -> None:
        self._events: dict[tuple[str, str, str], list[tuple[int, str, str]]] = defaultdict(list)
        self._queries: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._events.clear()
            self._queries.clear()

    def copy_events(self, request: HttpRequest, account: str, region: str) -> None:
        """Keep what a successful PutLogEvents wrote (moto keeps its own copy)."""
        params = json.loads(request.body or b"{}")
        group = str(params.get("logGroupName", ""))
        stream = str(params.get("logStreamName", ""))
        with self._lock:
            for event in params.get("logEvents", []):
                self._events[(account, region, group)].append(
                    (int(event["timestamp"]), stream, str(event["message"]))
                )

    def handle(
        self, operation: str, params: dict[str, Any], account: str, region: str
    ) -> dict[str, Any]:
        if operation == "StartQuery":
            return self._start(params, account, region)
        query_id = str(params.get("queryId", ""))
        with self._lock:
            query = self._queries.get(query_id)
        if query is None:
            raise ApiError("ResourceNotFoundException", f"no query {query_id}", 400)
        if operation == "StopQuery":
            query["status"] = "Cancelled"
            return {"success": True}
        return {
            "status": query["status"],
            "results": query["results"] if query["status"] == "Complete" else [],
            "statistics": query["statistics"],
        }

    def _start(self, params: dict[str, Any], account: str, region: str) -> dict[str, Any]:
        group = str(params.get("logGroupName") or "")
        text = str(params.get("queryString", ""))
        start_ms = int(params.get("startTime", 0)) * 1000
        end_ms = int(params.get("endTime", 0)) * 1000
        match = _STREAM.search(text)
        stream_part = match.group(1) if match else ""
        json_format = 'type = "platform.report"' in text
        with self._lock:
            events = [
                e
                for e in self._events.get((account, region, group), [])
                if start_ms <= e[0] <= end_ms and stream_part in e[1]
            ]
        bins: dict[int, list[tuple[float, float | None]]] = defaultdict(list)
        scanned = 0
        for stamp, _, message in events:
            scanned += len(message.encode())
            record = _report(message, json_format)
            if record is not None:
                bins[stamp // 3_600_000].append(record)
        results = [_row(hour, records) for hour, records in sorted(bins.items())]
        query_id = str(uuid.uuid4())
        with self._lock:
            self._queries[query_id] = {
                "status": "Complete",
                "results": results,
                "statistics": {
                    "recordsMatched": float(sum(len(r) for r in bins.values())),
                    "recordsScanned": float(len(events)),
                    "bytesScanned": float(scanned),
                },
            }
        return {"queryId": query_id}


def _report(message: str, json_format: bool) -> tuple[float, float | None] | None:
    """(duration ms, init ms or None) of a REPORT record, else None."""
    if json_format:
        try:
            record = json.loads(message)
        except ValueError:
            return None
        if not isinstance(record, dict) or record.get("type") != "platform.report":
            return None
        metrics = (record.get("record") or {}).get("metrics") or {}
        init = metrics.get("initDurationMs")
        return float(metrics.get("durationMs", 0.0)), float(init) if init is not None else None
    if not message.startswith("REPORT "):
        return None
    duration = _TEXT_DURATION.search(message)
    init_match = _TEXT_INIT.search(message)
    return (
        float(duration.group(1)) if duration else 0.0,
        float(init_match.group(1)) if init_match else None,
    )


def _row(hour: int, records: list[tuple[float, float | None]]) -> list[dict[str, str]]:
    durations = sorted(duration for duration, _ in records)
    inits = [init for _, init in records if init is not None]
    p99 = durations[max(0, math.ceil(0.99 * len(durations)) - 1)]
    stamp = datetime.fromtimestamp(hour * 3600, UTC).strftime("%Y-%m-%d %H:%M:%S.000")
    row = [
        {"field": "hour", "value": stamp},
        {"field": "invocations", "value": str(len(records))},
        {"field": "cold_starts", "value": str(len(inits))},
        {"field": "p99", "value": f"{p99:g}"},
    ]
    if inits:
        row.append({"field": "max_init", "value": f"{max(inits):g}"})
    return row


def json_response(body: dict[str, Any]) -> HttpResponse:
    """A JSON-protocol answer (timestamps as epoch seconds, as botocore reads them)."""
    return HttpResponse(
        200,
        (("Content-Type", "application/x-amz-json-1.1"),),
        json.dumps(body, default=_epoch).encode(),
    )


def _epoch(value: object) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"cannot encode {value!r}")


__all__ = [
    "LOG_QUERY_OPERATIONS",
    "METRIC_OPERATIONS",
    "LogsBackend",
    "MetricsBackend",
    "decode_cbor_request",
    "encode_cbor_response",
    "json_response",
]
