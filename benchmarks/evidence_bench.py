"""Runtime evidence benchmark: expected firings and GetMetricData batching for 1,000 warmers.

1. Expected firings (the schedule engine) for 1,000 mixed warmers over a 15-day lookback, on a
   cold cache. Target: well under 1 s.
2. The metric queries 1,000 warmers (split over two regions) and their functions need, read
   through the real collector from the local sandbox: the GetMetricData calls made must equal
   ceil(queries / 500) per (account, region).
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from benchmarks.schedule_bench import _warmer
from checker.analysis.evidence import batches, metric_queries
from checker.collect import cloudwatch
from checker.collect.base import ClientFactory, ProgressReporter, ReadContext, Recorder
from checker.domain.arns import parse_function_arn
from checker.domain.schedule import clear_caches, expected_firings
from checker.model.policy import MAX_LOOKBACK_SECONDS
from checker.model.snapshot import EventRule, RuleTarget
from checker.sandbox import Sandbox, sandbox_environment

WARMERS = 1000
ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "us-west-2")
END = datetime(2025, 3, 31, 12, 0, tzinfo=UTC)  # a lookback across Europe's DST change
START = END - timedelta(seconds=MAX_LOOKBACK_SECONDS)


def _expected(rng: random.Random) -> list[str]:
    sources = [_warmer(rng) for _ in range(WARMERS)]
    clear_caches()
    started = time.perf_counter()
    counts = [expected_firings(source, START, END) for source in sources]
    seconds = time.perf_counter() - started
    return [
        (
            f"expected firings: {WARMERS} warmers over 15 days in {seconds * 1000:.0f} ms "
            f"(cold cache; {sum(counts):,} firings due, target well under 1 s)"
        )
    ]


def _rules() -> list[EventRule]:
    rules = []
    for index in range(WARMERS):
        region = REGIONS[index % len(REGIONS)]
        function = f"arn:aws:lambda:{region}:{ACCOUNT}:function:fn-{index:04}:live"
        rules.append(
            EventRule(
                arn=f"arn:aws:events:{region}:{ACCOUNT}:rule/warm-{index:04}",
                name=f"warm-{index:04}",
                region=region,
                account=ACCOUNT,
                schedule_expression="rate(5 minutes)",
                targets=[RuleTarget(id="t", arn=function, input='{"warmer": true}')],
            )
        )
    return rules


def _batching() -> list[str]:
    rules = _rules()
    required = [
        key
        for rule in rules
        for target in rule.targets or []
        if (key := parse_function_arn(target.arn)) is not None
    ]
    queries = metric_queries(rules, [], {}, required, [])
    per_region = Counter(query.region for query in queries)
    wanted = {region: math.ceil(count / 500) for region, count in per_region.items()}
    assert {where[1]: len(calls) for where, calls in batches(queries).items()} == wanted
    with Sandbox.start() as sandbox, sandbox_environment(sandbox.env()):
        factory = ClientFactory.from_profile(None, evidence=["metrics"])
        ctx = ReadContext(factory, Recorder(), ProgressReporter(None), ACCOUNT)
        started = time.perf_counter()
        readings = cloudwatch.read_metrics(ctx, queries, END - timedelta(hours=24), END)
        seconds = time.perf_counter() - started
        calls = sandbox.calls().get("cloudwatch:GetMetricData", 0)
    lines = [
        f"metrics: {WARMERS} warmers -> {len(queries)} queries "
        + ", ".join(f"{region}: {count}" for region, count in sorted(per_region.items()))
    ]
    lines.append(
        f"metrics: GetMetricData calls made {calls}, ceil(queries / 500) per (account, region) "
        f"= {sum(wanted.values())} ({', '.join(f'{r}: {n}' for r, n in sorted(wanted.items()))}); "
        f"{len(readings)} readings in {seconds:.2f} s against the local sandbox"
    )
    if calls != sum(wanted.values()) or ctx.recorder.failures():
        lines.append("metrics: MISMATCH: the collector did not batch as designed")
    return lines


def run() -> list[str]:
    rng = random.Random(14)
    return ["== runtime evidence ==", *_expected(rng), *_batching()]
