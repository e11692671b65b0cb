"""Live collection benchmark: `collect` against the local sandbox, next to a sequential baseline.

The sandbox answers every call after 50 ms and limits each Connect API to 2 requests a second
with bursts of 5 (Connect's default quota). It holds one contact center: 400 published flows
calling one or two of 150 functions (a third of them through an alias, some only through a
flow module), and 60 scheduled rules warming every function (two or three targets each).

Two reads of that account, each timed with the sandbox's request counter:

- `checker.collect.collect` with a policy scoped to the instance;
- `benchmarks.sequential_collector`, the list-then-describe-everything first attempt.

Targets: the collector at least 5x faster than the baseline, and within 1.5x of the floor that
Connect's rate limit alone imposes on the collector's own Connect calls (each API has its own
bucket, so the floor is the slowest API's: max(0, (calls - burst) / rate), plus one latency).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from benchmarks.sequential_collector import SequentialResult, collect_sequential
from checker.collect import Collection, collect
from checker.policy import Policy
from checker.sandbox import ENV_TO_REMOVE, FaultPlan, RateLimit, Sandbox
from checker.sandbox.seeding import (
    SandboxClients,
    add_permission,
    associate_lambda,
    create_alias,
    create_flow,
    create_function,
    create_instance,
    create_lambda_role,
    create_module,
    flow_document,
    publish_version,
)

REGION = "us-east-1"
FLOWS = 400
MODULES = 20
FUNCTIONS = 150
RULES = 60
ALIAS_EVERY = 3  # every third function is called (and warmed) through its alias
ALIAS = "live"
MODULE_EVERY = 4  # every fourth flow also invokes a module
PAYLOAD = '{"warmer": true}'
LATENCY_MS = 50
CONNECT_RATE = 2.0
CONNECT_BURST = 5
FAULTS = FaultPlan(
    latency_ms=LATENCY_MS, rate_limits=(RateLimit("connect:*", CONNECT_RATE, CONNECT_BURST),)
)
SPEEDUP_TARGET = 5.0
FLOOR_TARGET = 1.5
# Retry settings from the caller's environment would change both readers' behaviour.
EXTRA_ENV_TO_REMOVE = ("AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE")
SEED_WORKERS = 8


@dataclass(frozen=True)
class Seeded:
    account: str
    instance_id: str
    instance_arn: str
    aliased: int
    targets: int


@dataclass(frozen=True)
class Timed:
    seconds: float
    requests: dict[str, int]  # what the sandbox received, retries included


# -- environment ------------------------------------------------------------------------------


@contextmanager
def sandbox_environment(env: Mapping[str, str]) -> Iterator[None]:
    """Point every boto3 client at the sandbox (and nowhere else) until the block ends."""
    names = {*env, *ENV_TO_REMOVE, *EXTRA_ENV_TO_REMOVE}
    saved = {name: os.environ.get(name) for name in names}
    try:
        for name in (*ENV_TO_REMOVE, *EXTRA_ENV_TO_REMOVE):
            os.environ.pop(name, None)
        os.environ.update(env)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# -- seeding ----------------------------------------------------------------------------------


def _name(index: int) -> str:
    return f"bench-fn-{index:03d}"


def _called(account: str, index: int) -> str:
    """The ARN flows call and warmers target: the alias for every ALIAS_EVERY-th function."""
    arn = f"arn:aws:lambda:{REGION}:{account}:function:{_name(index)}"
    return f"{arn}:{ALIAS}" if index % ALIAS_EVERY == 0 else arn


def _qualifier(index: int) -> str | None:
    return ALIAS if index % ALIAS_EVERY == 0 else None


def seed(env: Mapping[str, str]) -> Seeded:
    """Build the contact center through the ordinary API, independent writes in parallel."""
    aws = SandboxClients.from_env(env, region=REGION)
    account = aws.sts.get_caller_identity()["Account"]
    role = create_lambda_role(aws.iam, "bench-lambda")
    instance = create_instance(aws.connect, "bench-center")
    # Functions MODULE_ONLY.. are reached only through modules; the flows call the others.
    module_only = FUNCTIONS - MODULES
    rule_arns = [f"arn:aws:events:{REGION}:{account}:rule/bench-warm-{r:02d}" for r in range(RULES)]
    rule_of = {index: index % RULES for index in range(FUNCTIONS)}

    def function(index: int) -> None:
        name = _name(index)
        create_function(aws.lambda_, name, role, timeout=5)
        if index % ALIAS_EVERY == 0:
            create_alias(aws.lambda_, name, ALIAS, publish_version(aws.lambda_, name))
        called = _called(account, index)
        associate_lambda(aws.connect, instance.id, called)
        for principal, source in (
            ("connect.amazonaws.com", instance.arn),
            ("events.amazonaws.com", rule_arns[rule_of[index]]),
        ):
            add_permission(
                aws.lambda_,
                name,
                statement_id=principal.split(".")[0],
                principal=principal,
                source_arn=source,
                qualifier=_qualifier(index),
            )

    def rule(index: int) -> int:
        name = f"bench-warm-{index:02d}"
        aws.events.put_rule(Name=name, ScheduleExpression="rate(5 minutes)", State="ENABLED")
        targets: list[Any] = [
            {"Id": f"t{n}", "Arn": _called(account, fn), "Input": PAYLOAD}
            for n, fn in enumerate(f for f in range(FUNCTIONS) if rule_of[f] == index)
        ]
        aws.events.put_targets(Rule=name, Targets=targets)
        return len(targets)

    def module(index: int) -> str:
        document = flow_document(lambdas=[_called(account, module_only + index)])
        return create_module(aws.connect, instance.id, f"bench-module-{index:02d}", document).id

    with ThreadPoolExecutor(SEED_WORKERS) as pool:
        list(pool.map(function, range(FUNCTIONS)))
        targets = sum(pool.map(rule, range(RULES)))
        module_ids = list(pool.map(module, range(MODULES)))

        def flow(index: int) -> None:
            called = [index % module_only]
            if index % 2:
                called.append((index * 7 + 3) % module_only)
            reaches_module = index % MODULE_EVERY == 0
            modules = [module_ids[(index // MODULE_EVERY) % MODULES]] if reaches_module else []
            document = flow_document(
                lambdas=[_called(account, fn) for fn in dict.fromkeys(called)], modules=modules
            )
            create_flow(aws.connect, instance.id, f"bench-flow-{index:03d}", document)

        list(pool.map(flow, range(FLOWS)))
    return Seeded(
        account=account,
        instance_id=instance.id,
        instance_arn=instance.arn,
        aliased=len(range(0, FUNCTIONS, ALIAS_EVERY)),
        targets=targets,
    )


# -- measuring --------------------------------------------------------------------------------


class Timeline:
    """`collect`'s progress events: when each (service, step) first and last reported."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.steps: dict[str, list[float]] = {}

    def __call__(self, service: str, step: str, count: int) -> None:
        now = time.perf_counter() - self.started
        first_last = self.steps.setdefault(f"{service}:{step}", [now, now])
        first_last[1] = now

    def lines(self) -> list[str]:
        ordered = sorted(self.steps.items(), key=lambda item: (item[1][0], item[0]))
        width = max((len(step) for step, _ in ordered), default=0)
        lines = []
        for step, (first, last) in ordered:
            span = f"{first:5.2f} s" if last - first < 0.005 else f"{first:5.2f} .. {last:5.2f} s"
            lines.append(f"    {step:<{width}}  {span}")
        return lines


def _measure_collect(
    sandbox: Sandbox, policy: Policy, faults: FaultPlan | None
) -> tuple[Timed, Collection, Timeline]:
    sandbox.set_faults(faults)  # full rate-limit buckets for each reader
    sandbox.reset_calls()
    timeline = Timeline()
    collection = collect(policy, progress=timeline)
    seconds = time.perf_counter() - timeline.started
    return Timed(seconds, sandbox.calls()), collection, timeline


def _measure_sequential(sandbox: Sandbox, instance_id: str) -> tuple[Timed, SequentialResult]:
    sandbox.set_faults(FAULTS)
    sandbox.reset_calls()
    started = time.perf_counter()
    result = collect_sequential(REGION, frozenset({instance_id}))
    seconds = time.perf_counter() - started
    return Timed(seconds, sandbox.calls()), result


def connect_floor(calls: Mapping[str, int]) -> tuple[float, str]:
    """Seconds Connect's per-API buckets force on these calls, and the API that sets it."""
    worst, api = 0.0, "none"
    for operation, count in calls.items():
        if operation.startswith("connect:"):
            wait = max(0.0, (count - CONNECT_BURST) / CONNECT_RATE)
            if wait > worst or api == "none":
                worst, api = wait, operation
    return worst + LATENCY_MS / 1000.0, api


def _verdict(ok: bool) -> str:
    return "ok" if ok else "OVER TARGET"


def _operation_lines(requests: Mapping[str, int], logical: Mapping[str, int]) -> list[str]:
    """One line per operation: requests the sandbox received, and retries among them."""
    width = max((len(op) for op in requests), default=0)
    lines = []
    for operation, count in sorted(requests.items()):
        line = f"    {operation:<{width}} {count:5d}"
        made = logical.get(operation, count)
        if made != count:
            line += f"  ({made} calls + {count - made} retries after throttling)"
        lines.append(line)
    return lines


def _collection_summary(collection: Collection) -> str:
    snapshot = collection.snapshot
    flows = sum(len(i.flows or []) for i in snapshot.instances)
    modules = sum(len(i.modules or []) for i in snapshot.instances)
    targets = sum(len(r.targets or []) for r in snapshot.rules)
    return (
        f"read {flows} flows, {modules} modules, {len(snapshot.functions)} functions, "
        f"{len(snapshot.rules)} rules / {targets} targets, {len(snapshot.errors)} errors"
    )


def _sequential_summary(result: SequentialResult) -> str:
    return (
        f"read {result.flows} flows, {result.modules} modules, {result.functions} functions, "
        f"{result.rules} rules / {result.targets} targets, "
        f"{len(result.errors)} calls failed after retries"
    )


def run() -> list[str]:
    sandbox = Sandbox.start(latency_ms=LATENCY_MS, faults=FAULTS)
    try:
        with sandbox_environment(sandbox.env()):
            sandbox.set_faults(None)
            started = time.perf_counter()
            seeded = seed(sandbox.env())
            seeding = time.perf_counter() - started
            policy = Policy.model_validate(
                {
                    "version": 1,
                    "scope": {"regions": [REGION], "instances": [seeded.instance_id]},
                    "warm": {"payload": {"warmer": True}},
                }
            )
            _progress("seeded; timing the collector")
            # Untimed: loads the collector's modules and botocore's service models.
            _measure_collect(sandbox, policy, None)
            cpu, _, _ = _measure_collect(sandbox, policy, None)
            fast, collection, timeline = _measure_collect(sandbox, policy, FAULTS)
            _progress("timing the sequential baseline (minutes: Connect allows 2 calls/s)")
            slow, sequential = _measure_sequential(sandbox, seeded.instance_id)
    finally:
        sandbox.stop()

    speedup = slow.seconds / fast.seconds
    floor, floor_api = connect_floor(collection.calls)
    over_floor = fast.seconds / floor
    return [
        (
            f"collect: live collection against the sandbox, {LATENCY_MS} ms a call, Connect "
            f"{CONNECT_RATE:g} req/s burst {CONNECT_BURST} per API"
        ),
        (
            f"  account: {FLOWS} flows, {MODULES} modules, {FUNCTIONS} functions "
            f"({seeded.aliased} called through an alias), {RULES} scheduled rules / "
            f"{seeded.targets} targets; seeded in {seeding:.1f} s"
        ),
        (
            f"  collector (collect, max_workers=8): {fast.seconds:7.2f} s, "
            f"{sum(fast.requests.values())} requests; {_collection_summary(collection)}"
        ),
        *_operation_lines(fast.requests, collection.calls),
        "    when each step reported (s after start):",
        *timeline.lines(),
        (
            f"    same collection with no latency and no rate limit: {cpu.seconds:.2f} s "
            "(client + in-process sandbox CPU)"
        ),
        (
            f"  sequential baseline:                {slow.seconds:7.2f} s, "
            f"{sum(slow.requests.values())} requests; {_sequential_summary(sequential)}"
        ),
        *_operation_lines(slow.requests, sequential.calls),
        (
            f"  speed-up baseline/collector = {speedup:.1f}x (target >= {SPEEDUP_TARGET:g}x): "
            f"{_verdict(speedup >= SPEEDUP_TARGET)}"
        ),
        (
            f"  Connect rate-limit floor for the collector's calls = {floor:.2f} s "
            f"({floor_api}: {collection.calls.get(floor_api, 0)} calls, + {LATENCY_MS} ms)"
        ),
        (
            f"  collector/floor = {over_floor:.2f} (target <= {FLOOR_TARGET:g}): "
            f"{_verdict(over_floor <= FLOOR_TARGET)}"
        ),
    ]


def _progress(message: str) -> None:
    print(f"collect_bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    print("\n".join(run()))
