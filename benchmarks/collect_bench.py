"""Live collection benchmark: `collect` against the local sandbox, next to a sequential baseline.

The sandbox runs as its own process (``python -m checker.sandbox serve --latency-ms 50 --fault
throttle=connect:*@2/5``), so the collector's CPU is its own: it answers every call after 50 ms
and limits each Connect API to 2 requests a second with bursts of 5 (Connect's default quota).
It is seeded fault-free (the plan is switched off and back on over ``/_sandbox/faults``) with
one contact center: 400 published flows calling one or two of 150 functions (a third of them
through an alias, some only through a flow module), and 60 scheduled rules warming every
function (two or three targets each).

Two reads of that account, each with full rate-limit buckets, counting every HTTP request the
client sends (retries included):

- `checker.collect` with a policy scoped to the instance, exactly as `collect` builds it;
- `benchmarks.sequential_collector`, the list-then-describe-everything first attempt (about four
  minutes: Connect's 2 requests/s on 400 DescribeContactFlow calls; ``--skip-baseline`` leaves
  it out and says so).

It also prints when each of `collect`'s progress steps reported, the collector's own CPU time,
and the same collection with no latency and no limits on either side (what CPU alone costs).

Targets: the collector at least 5x faster than the baseline, and within 1.5x of the binding
floor: the largest of three floors its own calls force, however they are scheduled. Connect's
rate limit on the collector's Connect calls (each API has its own bucket, so the floor is the
slowest API's: max(0, (calls - burst) / rate), plus one latency); every call x latency over the
workers of the run's one executor (at least the Connect floor); and Lambda's control-plane
quota, which the collector deliberately stays well under (`checker.collect.base.SERVICE_LIMITS`).
Since Lambda is paced under its quota (issue 16), Lambda's floor is the binding one for an
account of 150 functions, so the ratio to the Connect floor alone is printed but not judged.
"""

from __future__ import annotations

import argparse
import json
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.sequential_collector import SequentialCollector, SequentialResult
from checker.collect import Collection, collect_with
from checker.collect.base import (
    SERVICE_LIMITS,
    AwsAccess,
    ClientFactory,
    RateLimiter,
)
from checker.collect.executor import call_workers
from checker.model.policy import Policy
from checker.sandbox import sandbox_environment
from checker.sandbox.sandbox import endpoint_access, endpoint_env
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

ROOT = Path(__file__).resolve().parents[1]
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
SERVE_FAULTS = (f"throttle=connect:*@{CONNECT_RATE:g}/{CONNECT_BURST}",)
MAX_WORKERS = 8  # `collect`'s default
# Lambda's documented control-plane quotas (requests/s per account and Region), for the floor
# AWS itself would impose: GetPolicy on its own, every other read the collector makes together.
LAMBDA_QUOTA = 15.0
SPEEDUP_TARGET = 5.0
FLOOR_TARGET = 1.5
# Retry settings from the caller's environment would change both readers' behaviour.
EXTRA_ENV_TO_REMOVE = ("AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE")
SEED_WORKERS = 8
START_TIMEOUT = 60.0


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
    cpu_seconds: float  # this process's CPU time: the reader's, never the sandbox's
    requests: dict[str, int]  # HTTP requests sent, retries included


# -- the sandbox, in a process of its own -------------------------------------------------


class SandboxProcess:
    """``python -m checker.sandbox serve`` as a child process, steered over HTTP."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url

    @classmethod
    def start(cls, latency_ms: int, faults: Sequence[str]) -> SandboxProcess:
        command = [
            sys.executable,
            "-m",
            "checker.sandbox",
            "serve",
            "--latency-ms",
            str(latency_ms),
        ]
        command += [f"--fault={spec}" for spec in faults]
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
        line = process.stdout.readline().strip() if ready else ""
        name, _, url = line.partition("=")
        if name != "AWS_ENDPOINT_URL":
            process.kill()
            process.wait()
            raise RuntimeError(f"the sandbox did not start: {line or 'no output'}")
        return cls(process, url)

    def faults(self) -> dict[str, Any]:
        return self._faults_request("GET")

    def set_faults(self, plan: Mapping[str, Any] | None) -> None:
        """Replace the fault plan (None: no faults, no latency); rate buckets start full."""
        self._faults_request("PUT", dict(plan or {}))

    def _faults_request(self, method: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}/_sandbox/faults", data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class RequestCounter:
    """HTTP requests per "service:Operation" as clients send them (``before-send``: retries
    included), i.e. what the sandbox receives."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def install(self, client: Any) -> None:
        service = client.meta.service_model.service_name

        def count(event_name: str, **kwargs: Any) -> None:
            with self._lock:
                self._counts[f"{service}:{event_name.rsplit('.', 1)[-1]}"] += 1

        client.meta.events.register("before-send", count)

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))


# -- seeding ----------------------------------------------------------------------------------


def _name(index: int) -> str:
    return f"bench-fn-{index:03d}"


def _called(account: str, index: int) -> str:
    """The ARN flows call and warmers target: the alias for every ALIAS_EVERY-th function."""
    arn = f"arn:aws:lambda:{REGION}:{account}:function:{_name(index)}"
    return f"{arn}:{ALIAS}" if index % ALIAS_EVERY == 0 else arn


def _qualifier(index: int) -> str | None:
    return ALIAS if index % ALIAS_EVERY == 0 else None


def seed(env: Mapping[str, str], *, account: str | None = None, flows: int = FLOWS) -> Seeded:
    """Build the contact center through the ordinary API, independent writes in parallel
    (in member `account` of the sandbox's organization, when given)."""
    aws = SandboxClients.from_env(env, region=REGION, account=account)
    account = aws.sts.get_caller_identity()["Account"]
    role = create_lambda_role(aws.iam, "bench-lambda")
    instance = create_instance(aws.connect, "bench-center")
    # Functions from `module_only` on are reached only through modules; flows call the others.
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

        list(pool.map(flow, range(flows)))
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
    policy: Policy, access: AwsAccess, *, limiter: RateLimiter | None = None
) -> tuple[Timed, Collection, Timeline]:
    """`collect` as the CLI runs it (with `limiter`: other client-side limits), timed; the
    sandbox's endpoint and keys handed over explicitly."""
    requests = RequestCounter()
    factory = ClientFactory.from_access(
        access, limiter=limiter, max_workers=MAX_WORKERS, customize=requests.install
    )
    timeline = Timeline()
    cpu = time.process_time()
    collection = collect_with(policy, factory, progress=timeline, max_workers=MAX_WORKERS)
    seconds = time.perf_counter() - timeline.started
    timed = Timed(seconds, time.process_time() - cpu, requests.counts())
    return timed, collection, timeline


def _measure_sequential(instance_id: str) -> tuple[Timed, SequentialResult]:
    requests = RequestCounter()
    reader = SequentialCollector(REGION, frozenset({instance_id}))
    for client in (reader.connect, reader.events, reader.scheduler, reader.lambda_):
        requests.install(client)
    started, cpu = time.perf_counter(), time.process_time()
    result = reader.run()
    seconds = time.perf_counter() - started
    return Timed(seconds, time.process_time() - cpu, requests.counts()), result


# -- floors -----------------------------------------------------------------------------------


def connect_floor(calls: Mapping[str, int]) -> tuple[float, str]:
    """Seconds Connect's per-API buckets force on these calls, and the API that sets it."""
    worst, api = 0.0, "none"
    for operation, count in calls.items():
        if operation.startswith("connect:"):
            wait = max(0.0, (count - CONNECT_BURST) / CONNECT_RATE)
            if wait > worst or api == "none":
                worst, api = wait, operation
    return worst + LATENCY_MS / 1000.0, api


def calls_floor(calls: Mapping[str, int]) -> tuple[float, list[str]]:
    """Every call x latency over the run's one executor's workers (`call_workers`; the one
    GetCallerIdentity goes first, alone), and the terms."""
    workers = call_workers(MAX_WORKERS)
    first = calls.get("sts:GetCallerIdentity", 0)
    rest = sum(calls.values()) - first
    total = (first + rest / workers) * LATENCY_MS / 1000.0
    return total, [f"sts {first}/1", f"the rest {rest}/{workers}"]


def lambda_floors(calls: Mapping[str, int]) -> tuple[float, float, str]:
    """Seconds Lambda's quota buckets force: at warmcheck's own cap, at AWS's documented quota;
    and the bucket that sets them (calls grouped as the quotas group them)."""
    limits = SERVICE_LIMITS["lambda"]
    buckets: Counter[str] = Counter()
    members: dict[str, list[str]] = {}
    for operation, count in calls.items():
        service, _, api = operation.partition(":")
        if service == "lambda":
            name, _ = limits.bucket(api)
            buckets[name] += count
            members.setdefault(name, []).append(api)
    if not buckets:
        return 0.0, 0.0, "none"
    name = max(buckets, key=lambda bucket: (buckets[bucket], bucket))
    _, quota = limits.bucket(members[name][0])
    latency = LATENCY_MS / 1000.0
    capped = max(0.0, (buckets[name] - quota.burst) / quota.rate) + latency
    documented = buckets[name] / LAMBDA_QUOTA + latency
    what = f"{' + '.join(sorted(members[name]))}: {buckets[name]} calls"
    return capped, documented, what


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
            line += f"  ({made} calls + {count - made} retried after throttling)"
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
        f"{len(result.errors)} failed after retries"
    )


def run(*, baseline: bool = True) -> list[str]:
    _progress("starting the sandbox process")
    sandbox = SandboxProcess.start(LATENCY_MS, SERVE_FAULTS)
    try:
        env = endpoint_env(sandbox.url)
        access = endpoint_access(sandbox.url)
        plan = sandbox.faults()  # what `serve` started with
        sandbox.set_faults(None)
        started = time.perf_counter()
        seeded = seed(env)
        seeding = time.perf_counter() - started
        policy = Policy.model_validate(
            {
                "version": 1,
                "scope": {"regions": [REGION], "instances": [seeded.instance_id]},
                "warm": {"payload": {"warmer": True}},
            }
        )
        _progress(f"seeded in {seeding:.1f} s; timing the collector")
        # No latency, no throttling, no client-side pacing: CPU only. The first run is
        # untimed: it loads the collector's modules.
        _measure_collect(policy, access, limiter=RateLimiter.unlimited())
        cpu, _, _ = _measure_collect(policy, access, limiter=RateLimiter.unlimited())
        sandbox.set_faults(plan)  # full buckets for each reader
        fast, collection, timeline = _measure_collect(policy, access)
        # For comparison only: Connect paced, Lambda not (over its quota on a real account).
        sandbox.set_faults(plan)
        uncapped, _, _ = _measure_collect(
            policy, access, limiter=RateLimiter({"connect": SERVICE_LIMITS["connect"]})
        )
        sequential: tuple[Timed, SequentialResult] | None = None
        if baseline:
            _progress("timing the sequential baseline (minutes: Connect allows 2 calls/s)")
            sandbox.set_faults(plan)
            # The naive baseline builds plain boto3 clients, which read the environment.
            with sandbox_environment(env, also_remove=EXTRA_ENV_TO_REMOVE):
                sequential = _measure_sequential(seeded.instance_id)
    finally:
        sandbox.stop()
    return _report(plan, seeded, seeding, fast, collection, timeline, cpu, uncapped, sequential)


def _report(
    plan: Mapping[str, Any],
    seeded: Seeded,
    seeding: float,
    fast: Timed,
    collection: Collection,
    timeline: Timeline,
    cpu: Timed,
    uncapped: Timed,
    sequential: tuple[Timed, SequentialResult] | None,
) -> list[str]:
    calls = collection.calls
    connect, connect_api = connect_floor(calls)
    summed, terms = calls_floor(calls)
    all_calls = max(connect, summed)
    capped, documented, lambda_what = lambda_floors(calls)
    binding = max(all_calls, capped)
    lines = [
        (
            f"collect: live collection against the sandbox (its own process: "
            f"serve --latency-ms {plan['latency_ms']} {' '.join(plan['faults'])}), "
            f"{LATENCY_MS} ms a call, Connect {CONNECT_RATE:g} req/s burst {CONNECT_BURST} per API"
        ),
        (
            f"  account: {FLOWS} flows, {MODULES} modules, {FUNCTIONS} functions "
            f"({seeded.aliased} called through an alias), {RULES} scheduled rules / "
            f"{seeded.targets} targets; seeded in {seeding:.1f} s"
        ),
        (
            f"  collector (collect, max_workers={MAX_WORKERS}: "
            f"{call_workers(MAX_WORKERS)} workers shared): {fast.seconds:7.2f} s "
            f"({fast.cpu_seconds:.2f} s CPU), {sum(fast.requests.values())} requests; "
            f"{_collection_summary(collection)}"
        ),
        *_operation_lines(fast.requests, calls),
        "    collect's progress events (seconds after start, first .. last):",
        *timeline.lines(),
        (
            f"    same collection with no latency and no rate limits (server or client): "
            f"{cpu.seconds:.2f} s ({cpu.cpu_seconds:.2f} s CPU in the collector's process)"
        ),
        (
            f"    same collection without warmcheck's Lambda cap (over Lambda's quota on a real "
            f"account; the sandbox does not enforce it): {uncapped.seconds:.2f} s"
        ),
    ]
    if sequential is None:
        lines += ["  sequential baseline: not measured (--skip-baseline): no speed-up to report"]
    else:
        slow, result = sequential
        speedup = slow.seconds / fast.seconds
        lines += [
            (
                f"  sequential baseline:                {slow.seconds:7.2f} s "
                f"({slow.cpu_seconds:.2f} s CPU), {sum(slow.requests.values())} requests; "
                f"{_sequential_summary(result)}"
            ),
            *_operation_lines(slow.requests, result.calls),
            (
                f"  speed-up baseline/collector = {speedup:.1f}x (target >= "
                f"{SPEEDUP_TARGET:g}x): {_verdict(speedup >= SPEEDUP_TARGET)}"
            ),
        ]
    lines += [
        "  floors: what the collector's own calls force, however they are scheduled",
        (
            f"    Connect rate limit:        {connect:6.2f} s  ({connect_api}: "
            f"{calls.get(connect_api, 0)} calls at {CONNECT_RATE:g}/s after a burst of "
            f"{CONNECT_BURST}, + {LATENCY_MS} ms)"
        ),
        (
            f"    all calls at their workers: {all_calls:5.2f} s  (max of the Connect floor and "
            f"{summed:.2f} s = {LATENCY_MS} ms x calls/workers summed over "
            f"{', '.join(terms)})"
        ),
        (
            f"    Lambda control-plane quota: {capped:5.2f} s  ({lambda_what} at warmcheck's "
            f"cap of {SERVICE_LIMITS['lambda'].default.rate:g}/s, burst "
            f"{SERVICE_LIMITS['lambda'].default.burst}, + {LATENCY_MS} ms; "
            f"{documented:.2f} s at AWS's documented {LAMBDA_QUOTA:g}/s)"
        ),
        f"  collector/Connect floor = {fast.seconds / connect:.2f}",
        f"  collector/all-calls floor = {fast.seconds / all_calls:.2f}",
        (
            f"  collector/binding floor (the largest above, {binding:.2f} s) = "
            f"{fast.seconds / binding:.2f} (target <= {FLOOR_TARGET:g}): "
            f"{_verdict(fast.seconds / binding <= FLOOR_TARGET)}"
        ),
    ]
    return lines


def _progress(message: str) -> None:
    print(f"collect_bench: {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.collect_bench")
    parser.add_argument(
        "--skip-baseline",
        action="store_true",
        help="leave out the sequential baseline (about four minutes); no speed-up is reported",
    )
    args = parser.parse_args(argv)
    print("\n".join(run(baseline=not args.skip_baseline)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
