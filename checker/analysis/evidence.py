"""Runtime evidence: which metrics to read, and what they say about warmers and functions.

Pure, like the engine: the collector asks `metric_queries` what to read (so collector and engine
agree on every name and dimension), and `RuntimeJudgement` judges what was read against the
schedule engine's expected firings (DESIGN.md "Runtime evidence", facts: evidence.md §2).

Missing data is judged per metric family, never as "fine":

- ``AWS/Events`` failure counters (``FailedInvocations``, ``ThrottledRules``,
  ``InvocationsSentToDlq``) are only sent when non-zero: absent = 0.
- ``TriggeredRules`` absent = the rule did not fire, or the datapoints are not delivered yet
  (CloudWatch delivery is best effort): a warmer is "not firing" only when at least
  ``min_expected_firings`` of its expected firings are missing, and judged only when at least
  that many were due.
- ``AWS/Scheduler`` has no per-schedule dimension, only ``ScheduleGroup``: a group's counts are a
  schedule's only when it is the group's sole Lambda-target schedule; otherwise the schedule's
  firings are unknown and only the Lambda side is judged. Counters absent = 0.
- ``AWS/Lambda`` (``Invocations``, ``Errors``, ``Throttles``,
  ``ProvisionedConcurrencySpilloverInvocations``) absent = 0.

A metric that was asked for but is not in the snapshot, with no failed read to explain it, and
any answer whose status is not ``Complete`` are unread evidence (WARM901), never a verdict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

from checker.analysis.records import Assessment, RequiredFunction, WarmSource, WindowIntervals
from checker.domain.arns import FunctionKey, parse_function_arn
from checker.domain.schedule import ScheduleMemory, expected_firings
from checker.model.policy import Policy
from checker.model.snapshot import (
    EventRule,
    LambdaFunction,
    LogReading,
    MetricReading,
    Schedule,
    Snapshot,
)

EVENTS = "AWS/Events"
SCHEDULER = "AWS/Scheduler"
LAMBDA = "AWS/Lambda"
RULE_METRICS = ("TriggeredRules", "FailedInvocations", "ThrottledRules", "InvocationsSentToDlq")
SCHEDULER_METRICS = (
    "InvocationAttemptCount",
    "TargetErrorCount",
    "TargetErrorThrottledCount",
    "InvocationThrottleCount",
    "InvocationDroppedCount",
)
LAMBDA_METRICS = ("Invocations", "Errors", "Throttles")
SPILLOVER = "ProvisionedConcurrencySpilloverInvocations"
GET_METRIC_DATA_LIMIT = 500  # queries per GetMetricData call
COMPLETE = "Complete"
# Log levels that suppress Lambda's START/REPORT platform records.
SILENT_SYSTEM_LEVELS = frozenset({"WARN", "ERROR", "FATAL"})
ENABLED_RULE_STATES = frozenset({"ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"})


@dataclass(frozen=True, order=True, slots=True)
class MetricQuery:
    """One metric to read: where, which, and the statistic."""

    account: str
    region: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: Literal["Sum", "Maximum"] = "Sum"

    @property
    def key(self) -> tuple[str, str, str, str, tuple[tuple[str, str], ...]]:
        return (self.account, self.region, self.namespace, self.metric, self.dimensions)

    def answer(self, datapoints: int, value: float, status: str) -> MetricReading:
        """This query's reading, as a GetMetricData answer gives it."""
        return MetricReading(
            account=self.account,
            region=self.region,
            namespace=self.namespace,
            metric=self.metric,
            dimensions=dict(self.dimensions),
            stat=self.stat,
            datapoints=datapoints,
            value=value,
            status=status,
        )


def reading_key(reading: MetricReading) -> tuple[str, str, str, str, tuple[tuple[str, str], ...]]:
    dims = tuple(sorted(reading.dimensions.items()))
    return (reading.account, reading.region, reading.namespace, reading.metric, dims)


def lambda_dimensions(key: FunctionKey) -> tuple[tuple[str, str], ...]:
    """The exact series a call to `key` lands in: ``Resource`` = name:qualifier when qualified.

    An unqualified call (``$LATEST`` as the flows write it) records only under ``FunctionName``,
    the aggregate of every version and alias: for it, that aggregate is the best there is.
    """
    if key.is_latest:
        return (("FunctionName", key.name),)
    return (("FunctionName", key.name), ("Resource", f"{key.name}:{key.qualifier}"))


def lambda_target(arn: str) -> FunctionKey | None:
    return parse_function_arn(arn)


def scheduled_rule_targets(rule: EventRule) -> list[FunctionKey]:
    if rule.schedule_expression is None or rule.event_bus != "default":
        return []
    keys = [parse_function_arn(target.arn) for target in rule.targets or []]
    return [key for key in keys if key is not None]


def sole_lambda_schedules(
    schedules: Iterable[Schedule], targets: dict[str, FunctionKey]
) -> set[str]:
    """ARNs of schedules that are the only Lambda-target schedule in their group."""
    by_group: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for schedule in schedules:
        if schedule.arn in targets:
            by_group[(schedule.account, schedule.region, schedule.group)].append(schedule.arn)
    return {arns[0] for arns in by_group.values() if len(arns) == 1}


def metric_queries(
    rules: Sequence[EventRule],
    schedules: Sequence[Schedule],
    schedule_targets: dict[str, FunctionKey],
    required: Iterable[FunctionKey],
    provisioned: Iterable[FunctionKey],
) -> list[MetricQuery]:
    """Every metric the evidence needs, sorted and without repeats.

    `schedule_targets`: schedule ARN -> the function it invokes (universal targets resolved).
    `provisioned`: required qualifiers with provisioned concurrency configured (WARM018).
    Only warmers that target a required (function, qualifier) are read.
    """
    queries: set[MetricQuery] = set()
    wanted = set(required)  # the (function, qualifier) pairs the flows call
    lambda_keys: set[FunctionKey] = set(wanted)
    for rule in rules:
        # Only warmers of required functions are judged: an orphan or dangling warmer is
        # already a finding of its own (WARM006, WARM007).
        targets = [key for key in scheduled_rule_targets(rule) if key in wanted]
        if not targets:
            continue
        for metric in RULE_METRICS:
            queries.add(
                MetricQuery(rule.account, rule.region, EVENTS, metric, (("RuleName", rule.name),))
            )
        lambda_keys.update(targets)
    sole = sole_lambda_schedules(schedules, schedule_targets)
    for schedule in schedules:
        target = schedule_targets.get(schedule.arn)
        if target is None or target not in wanted:
            continue
        lambda_keys.add(target)
        if schedule.arn in sole:
            for metric in SCHEDULER_METRICS:
                dims = (("ScheduleGroup", schedule.group),)
                queries.add(MetricQuery(schedule.account, schedule.region, SCHEDULER, metric, dims))
    for key in lambda_keys:
        for metric in LAMBDA_METRICS:
            queries.add(
                MetricQuery(key.account, key.region, LAMBDA, metric, lambda_dimensions(key))
            )
    for key in provisioned:
        queries.add(MetricQuery(key.account, key.region, LAMBDA, SPILLOVER, lambda_dimensions(key)))
    return sorted(queries)


def batches(queries: Sequence[MetricQuery]) -> dict[tuple[str, str], list[list[MetricQuery]]]:
    """Queries per (account, region), cut into GetMetricData calls of at most 500."""
    grouped: dict[tuple[str, str], list[MetricQuery]] = defaultdict(list)
    for query in sorted(queries):
        grouped[(query.account, query.region)].append(query)
    return {
        where: [
            items[index : index + GET_METRIC_DATA_LIMIT]
            for index in range(0, len(items), GET_METRIC_DATA_LIMIT)
        ]
        for where, items in sorted(grouped.items())
    }


# --- judging -----------------------------------------------------------------------------------


class Analysis(Protocol):
    """What judging reads of the analysis being built (`checker.analysis.core.Analysis`)."""

    @property
    def policy(self) -> Policy: ...
    @property
    def snapshot(self) -> Snapshot: ...
    @property
    def functions(self) -> Mapping[str, LambdaFunction]: ...
    @property
    def required(self) -> Mapping[FunctionKey, RequiredFunction]: ...
    @property
    def sources(self) -> Sequence[WarmSource]: ...
    @property
    def warmers(self) -> Sequence[WarmSource]: ...
    @property
    def assessments(self) -> Mapping[FunctionKey, Assessment]: ...
    @property
    def schedule_memory(self) -> ScheduleMemory: ...

    def provisioned_configured(self, key: FunctionKey) -> bool: ...
    def window_intervals(self, required: RequiredFunction) -> WindowIntervals | str: ...
    def add_problem(self, resource: str, message: str) -> None: ...


Verdict = Literal["firing", "failing", "not-firing", "unknown"]


@dataclass(slots=True)
class WarmerEvidence:
    """What the metrics say about one warmer on one function."""

    warmer: str
    function: str
    expected: int | None = None
    observed: int | None = None  # firings seen (None: no per-warmer series, or not read)
    verdict: Verdict = "unknown"
    reason: str = ""


@dataclass(slots=True)
class FunctionEvidence:
    """What the metrics and logs say about one called (function, qualifier)."""

    function: str
    invocations: int | None = None
    errors: int | None = None
    throttles: int | None = None
    spillover: int | None = None
    cold_starts: int | None = None
    log_invocations: int | None = None
    p99_duration_ms: float | None = None
    max_init_ms: float | None = None


@dataclass(slots=True)
class RuntimeJudgement:
    """The evidence for every warmer and required function of one analysis."""

    metrics_read: bool = False
    logs_read: bool = False
    warmers: dict[tuple[str, str], WarmerEvidence] = field(default_factory=dict)
    functions: dict[str, FunctionEvidence] = field(default_factory=dict)

    def for_warmer(self, warmer: str, function: str) -> WarmerEvidence | None:
        return self.warmers.get((warmer, function))


class _Readings:
    """Metric answers by key; records what was asked for but not answered."""

    def __init__(self, analysis: Analysis, readings: Sequence[MetricReading]) -> None:
        self._analysis = analysis
        self._by_key = {reading_key(reading): reading for reading in readings}
        self._failed_where = {
            (error.account, error.region)
            for error in analysis.snapshot.errors
            if error.service == "cloudwatch"
        }

    def value(self, query: MetricQuery, about: str) -> float | None:
        """The metric's value (absent data = 0), or None when it cannot be trusted."""
        reading = self._by_key.get(query.key)
        if reading is None:
            if (query.account, query.region) not in self._failed_where:
                self._analysis.add_problem(
                    about, f"{query.namespace} {query.metric} {dict(query.dimensions)} was not read"
                )
            return None
        if reading.status != COMPLETE:
            self._analysis.add_problem(
                about,
                f"cloudwatch:GetMetricData answered {reading.status} for {query.namespace} "
                f"{query.metric} {dict(query.dimensions)}: the series is incomplete",
            )
            return None
        return reading.value

    def family(
        self,
        source: WarmSource,
        namespace: str,
        metrics: Sequence[str],
        dims: tuple[tuple[str, str], ...],
    ) -> dict[str, int] | None:
        """One warmer's counters of a metric family, absent data as 0; None if any is unread."""
        values = {
            metric: _count(
                self.value(
                    MetricQuery(source.account, source.region, namespace, metric, dims),
                    source.arn,
                )
            )
            for metric in metrics
        }
        if any(value is None for value in values.values()):
            return None
        return {metric: value or 0 for metric, value in values.items()}


def judge(analysis: Analysis) -> RuntimeJudgement:
    """Judge every warmer and required function against the snapshot's evidence."""
    judgement = RuntimeJudgement()
    evidence = analysis.snapshot.evidence
    wanted = analysis.policy.evidence
    asked = [kind for kind, on in (("metrics", wanted.metrics), ("logs", wanted.logs)) if on]
    missing = [
        kind
        for kind in asked
        if evidence is None or (evidence.metrics if kind == "metrics" else evidence.logs) is None
    ]
    for account in missing and (analysis.snapshot.accounts or ["snapshot"]):
        # e.g. a snapshot collected without evidence, judged with a policy that asks for it
        analysis.add_problem(
            account, f"the policy asks for {' and '.join(missing)} evidence, which was not read"
        )
    if evidence is None:
        return judgement
    # The policy (or --evidence) says which evidence counts, also for a snapshot that holds more.
    if evidence.metrics is not None and wanted.metrics:
        judgement.metrics_read = True
        _judge_metrics(analysis, judgement, _Readings(analysis, evidence.metrics))
    if evidence.logs is not None and wanted.logs:
        judgement.logs_read = True
        _judge_logs(analysis, judgement, evidence.logs)
    return judgement


def _count(value: float | None) -> int | None:
    return None if value is None else round(value)


def _judge_metrics(analysis: Analysis, judgement: RuntimeJudgement, readings: _Readings) -> None:
    evidence = analysis.snapshot.evidence
    assert evidence is not None
    settings = analysis.policy.evidence
    schedule_targets = {s.arn: s.target for s in analysis.sources if s.kind == "scheduler_schedule"}
    sole = sole_lambda_schedules(analysis.snapshot.schedules, schedule_targets)
    groups = {schedule.arn: schedule.group for schedule in analysis.snapshot.schedules}
    lambda_seen: dict[FunctionKey, tuple[int | None, int | None, int | None]] = {}

    def lambda_side(key: FunctionKey, about: str) -> tuple[int | None, int | None, int | None]:
        if key not in lambda_seen:
            dims = lambda_dimensions(key)
            values = [
                _count(readings.value(MetricQuery(key.account, key.region, LAMBDA, m, dims), about))
                for m in LAMBDA_METRICS
            ]
            lambda_seen[key] = (values[0], values[1], values[2])
        return lambda_seen[key]

    for source in analysis.warmers:
        if not source.enabled or source.firing is None or source.target not in analysis.required:
            continue
        key = source.target
        entry = WarmerEvidence(source.arn, key.arn)
        entry.expected = expected_firings(
            source.firing, evidence.start, evidence.end, analysis.schedule_memory
        )
        _, errors, throttles = lambda_side(key, source.arn)
        if source.kind == "eventbridge_rule":
            _judge_rule(source, entry, readings, errors, throttles, settings.min_expected_firings)
        else:
            dims = (("ScheduleGroup", groups.get(source.arn, "default")),)
            _judge_schedule(
                source,
                entry,
                readings,
                dims,
                source.arn in sole,
                errors,
                throttles,
                settings.min_expected_firings,
            )
        judgement.warmers[(source.arn, key.arn)] = entry
    for key in analysis.required:
        invocations, errors, throttles = lambda_side(key, key.arn)
        found = FunctionEvidence(key.arn, invocations, errors, throttles)
        if analysis.provisioned_configured(key):
            query = MetricQuery(key.account, key.region, LAMBDA, SPILLOVER, lambda_dimensions(key))
            found.spillover = _count(readings.value(query, key.arn))
        judgement.functions[key.arn] = found


def _judge_rule(
    source: WarmSource,
    entry: WarmerEvidence,
    readings: _Readings,
    errors: int | None,
    throttles: int | None,
    minimum: int,
) -> None:
    values = readings.family(source, EVENTS, RULE_METRICS, (("RuleName", source.name),))
    if values is None:
        return
    triggered = values["TriggeredRules"]
    entry.observed = triggered
    failed = values["FailedInvocations"]
    throttled = values["ThrottledRules"]
    dead = values["InvocationsSentToDlq"]
    if failed:
        _failing(
            entry,
            f"{failed} of {triggered} firings failed to invoke the function "
            "(EventBridge FailedInvocations: permission removed or target gone)",
        )
    elif throttled or dead:
        _failing(
            entry,
            f"EventBridge throttled {throttled} and sent {dead} to the DLQ of {triggered} firings",
        )
    elif triggered:
        _lambda_side_fails(entry, triggered, errors, throttles)
    if entry.verdict == "unknown":
        _check_firing(entry, triggered, minimum)


def _judge_schedule(
    source: WarmSource,
    entry: WarmerEvidence,
    readings: _Readings,
    dims: tuple[tuple[str, str], ...],
    sole: bool,
    errors: int | None,
    throttles: int | None,
    minimum: int,
) -> None:
    if not sole:
        # Group-wide counts are not this schedule's: only the Lambda side can speak.
        if errors is not None and throttles is not None and entry.expected:
            _lambda_side_fails(entry, entry.expected, errors, throttles)
        return
    values = readings.family(source, SCHEDULER, SCHEDULER_METRICS, dims)
    if values is None:
        return
    attempts = values["InvocationAttemptCount"]
    entry.observed = attempts
    failures = sum(values[m] for m in SCHEDULER_METRICS if m != "InvocationAttemptCount")
    if failures:
        _failing(
            entry,
            f"Scheduler reported {failures} failed or throttled invocations "
            f"of {attempts} attempts (group {dims[0][1]})",
        )
    elif attempts:
        _lambda_side_fails(entry, attempts, errors, throttles)
    if entry.verdict == "unknown":
        _check_firing(entry, attempts, minimum)


def _lambda_side_fails(
    entry: WarmerEvidence, fired: int, errors: int | None, throttles: int | None
) -> bool:
    """Both warmer kinds invoke asynchronously: a ping the function rejects is a success to
    EventBridge and Scheduler, and shows only on the function's own series. At least as many
    errors (or throttles) as the warmer fired means its pings are failing (callers add theirs)."""
    if errors is None or throttles is None or fired <= 0:
        return False
    if errors >= fired:
        _failing(
            entry,
            f"the function answered {errors} errors to {fired} warm firings "
            "(AWS/Lambda Errors): the warm payload fails in the handler",
        )
        return True
    if throttles >= fired:
        _failing(
            entry,
            f"the function throttled {throttles} invocations against {fired} warm "
            "firings (AWS/Lambda Throttles)",
        )
        return True
    return False


def _check_firing(entry: WarmerEvidence, observed: int, minimum: int) -> None:
    expected = entry.expected or 0
    if expected >= minimum and expected - observed >= minimum:
        entry.verdict = "not-firing"
        entry.reason = f"it fired {observed} times where {expected} were due"
    elif observed:
        entry.verdict = "firing"
    elif expected < minimum:
        entry.reason = f"only {expected} firings were due: too few to judge"


def _failing(entry: WarmerEvidence, reason: str) -> None:
    entry.verdict = "failing"
    entry.reason = reason


# --- logs --------------------------------------------------------------------------------------


def _judge_logs(
    analysis: Analysis, judgement: RuntimeJudgement, logs: Sequence[LogReading]
) -> None:
    by_function = {reading.function: reading for reading in logs}
    unread = {error.resource for error in analysis.snapshot.errors if error.service == "logs"}
    for key, assessment in analysis.assessments.items():
        found = judgement.functions.setdefault(key.arn, FunctionEvidence(key.arn))
        function = analysis.functions.get(key.function_arn)
        if function is None or not function.exists:
            continue
        logging = function.logging
        if logging is None:
            if key.arn not in unread:
                analysis.add_problem(key.arn, "its logging configuration was not read")
            continue
        if (logging.system_log_level or "").upper() in SILENT_SYSTEM_LEVELS:
            analysis.add_problem(
                key.arn,
                f"cold starts cannot be seen: SystemLogLevel {logging.system_log_level} "
                "suppresses Lambda's START and REPORT records",
            )
            continue
        reading = by_function.get(key.arn)
        if reading is None:
            if key.arn not in unread:
                analysis.add_problem(key.arn, "its Lambda logs were not read")
            continue
        window = analysis.window_intervals(assessment.required)
        bins = [b for b in reading.bins if _in_window(b.start, window)]
        found.cold_starts = sum(b.cold_starts for b in bins)
        found.log_invocations = sum(b.invocations for b in bins)
        p99 = [b.p99_duration_ms for b in bins if b.p99_duration_ms is not None]
        init = [b.max_init_ms for b in bins if b.max_init_ms is not None]
        found.p99_duration_ms = max(p99) if p99 else None
        found.max_init_ms = max(init) if init else None


def _in_window(moment: datetime, window: Sequence[tuple[datetime, datetime]] | str | None) -> bool:
    """Whether an hour bin starting at `moment` overlaps the warm window (None: always).

    The analysis' window starts at the run's time; a weekly window repeats, so earlier hours
    are matched a whole number of weeks later.
    """
    if window is None:
        return True
    if isinstance(window, str):
        return True  # the window itself is unknown (reported); count every hour
    for weeks in range(4):
        shifted = moment + timedelta(weeks=weeks)
        if any(start - timedelta(hours=1) < shifted < end for start, end in window):
            return True
    return False
