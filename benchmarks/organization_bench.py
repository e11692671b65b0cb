"""Organization benchmark: 20 member accounts of 150 functions each, read in parallel.

The sandbox runs as its own process with 50 ms latency and Connect's quota (2 requests/s, bursts
of 5) per account and Region, as AWS keeps it. An organization of `ACCOUNTS` members is seeded,
each with the collect benchmark's contact center (150 functions, a third through an alias, 60
warmer rules; `FLOWS` flows) and warmcheck's read-only role. Then, each with full buckets:

- one member alone (``scope.accounts: [first]``);
- the whole organization (``scope.organization``, discovery through Organizations).

Printed: both wall times and their ratio (target: the organization within 2x one account, not
20x), the calls per account next to the minimal plan that answers the same questions
(`minimal_plan`), each account's Lambda request rate next to Lambda's control-plane quota, the
CPU of the sandbox and of the collector (per call too), and the floor this machine sets: the
sandbox is one process, so its CPU time for 20 accounts' requests is a wall time no collector
can beat here.

Both runs hand the sandbox's endpoint and keys to `collect(access=...)`: nothing in this
process's environment changes.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

import boto3

from benchmarks.collect_bench import (
    ALIAS_EVERY,
    FUNCTIONS,
    LAMBDA_QUOTA,
    LATENCY_MS,
    MODULES,
    RULES,
    SERVE_FAULTS,
    SandboxProcess,
    seed,
)
from checker.collect import AwsAccess, collect
from checker.collect.members import DEFAULT_ACCOUNT_WORKERS, MemberCollection
from checker.model.policy import Policy
from checker.sandbox.sandbox import endpoint_access, endpoint_env
from checker.sandbox.seeding import SandboxClients

ACCOUNTS = 20
FLOWS = 150
REGION = "us-east-1"
ROLE = "warmcheck-readonly"
PARALLEL_TARGET = 2.0
# The sandbox's CPU over wall time above which it, not the collector, bounds a run.
SATURATED = 0.85
SEED_ACCOUNTS_AT_ONCE = 2
# Page sizes of the reads a minimal plan would use (botocore's models).
LIST_FUNCTIONS_PAGE = 50
SEARCH_PAGE = 100
ASSOCIATIONS_PAGE = 25
RULES_PAGE = 100


def minimal_plan(functions: int, aliased: int, flows: int, modules: int, rules: int) -> int:
    """The fewest calls that answer what warmcheck asks of one such account.

    Connect: ListInstances, the flow and module searches, the associations. EventBridge: the
    rules and each rule's targets. Scheduler: one listing. Lambda: ListFunctions with every
    version (configuration, timeout, and the versions aliases run: one page per 50), ListAliases
    only for functions called through an alias, one GetPolicy per called qualifier (there is no
    batch read), provisioned concurrency only where an alias accepts it as warm, and one
    GetFunctionConcurrency per required function (WARM019's reserved concurrency of 0: neither
    ListFunctions nor GetFunctionConfiguration returns it, and there is no batch read).
    """
    connect = (
        1
        + math.ceil(flows / SEARCH_PAGE)
        + math.ceil(modules / SEARCH_PAGE)
        + math.ceil(functions / ASSOCIATIONS_PAGE)
    )
    warmers = math.ceil(rules / RULES_PAGE) + rules + 1
    versions = aliased  # one published version behind each alias
    lambda_ = (
        math.ceil((functions + versions) / LIST_FUNCTIONS_PAGE)
        + aliased  # ListAliases
        + functions  # GetPolicy, one per called qualifier
        + aliased  # ListProvisionedConcurrencyConfigs
        + functions  # GetFunctionConcurrency, one per required function
    )
    return connect + warmers + lambda_


def _policy(scope: dict[str, Any]) -> Policy:
    return Policy.model_validate(
        {
            "version": 1,
            "scope": {"regions": [REGION], **scope},
            "warm": {"payload": {"warmer": True}},
        }
    )


def _seed_organization(env: Mapping[str, str]) -> list[str]:
    org: Any = boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    ).client("organizations", endpoint_url=env["AWS_ENDPOINT_URL"])
    org.create_organization(FeatureSet="ALL")
    accounts = [
        org.create_account(AccountName=f"member-{index:02d}", Email=f"m{index}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        for index in range(ACCOUNTS)
    ]
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})

    def member(account: str) -> None:
        SandboxClients.from_env(env, region=REGION, account=account).iam.create_role(
            RoleName=ROLE, AssumeRolePolicyDocument=trust
        )
        seed(env, account=account, flows=FLOWS)

    with ThreadPoolExecutor(SEED_ACCOUNTS_AT_ONCE) as pool:
        list(pool.map(member, accounts))
    return sorted(accounts)


@dataclass(frozen=True)
class Timed:
    """One collection: wall seconds, and the CPU seconds the sandbox process and the collector
    (this process) spent meanwhile."""

    seconds: float
    sandbox_cpu: float
    collector_cpu: float
    machine_idle: float  # the share of the machine's CPU time nobody used (/proc/stat)
    collection: MemberCollection

    @property
    def machine_busy(self) -> float:
        """Both processes' CPU time over what the machine's cores offered in the wall time."""
        cores = os.cpu_count() or 1
        return (
            (self.sandbox_cpu + self.collector_cpu) / (self.seconds * cores)
            if self.seconds
            else 0.0
        )

    @property
    def sandbox_busy(self) -> float:
        """The sandbox's CPU time over the wall time: 1.0 is one core saturated."""
        return self.sandbox_cpu / self.seconds if self.seconds else 0.0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` (Linux /proc; 0 where it is unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(policy: Policy, access: AwsAccess, sandbox_pid: int) -> Timed:
    cpu, own, machine = _cpu_seconds(sandbox_pid), time.process_time(), _machine_ticks()
    started = time.perf_counter()
    collection = collect(policy, access=access)
    seconds = time.perf_counter() - started
    assert isinstance(collection, MemberCollection)
    idle, total = (after - before for after, before in zip(_machine_ticks(), machine, strict=True))
    return Timed(
        seconds,
        _cpu_seconds(sandbox_pid) - cpu,
        time.process_time() - own,
        idle / total if total else 0.0,
        collection,
    )


def _machine_ticks() -> tuple[int, int]:
    """(idle, total) CPU ticks of the whole machine since boot (Linux /proc/stat)."""
    try:
        ticks = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0, 0
    return ticks[3] + ticks[4], sum(ticks[:8])  # idle + iowait; user .. steal


def run() -> list[str]:
    _progress(f"starting the sandbox process; seeding {ACCOUNTS} accounts (minutes)")
    sandbox = SandboxProcess.start(LATENCY_MS, SERVE_FAULTS)
    try:
        env = endpoint_env(sandbox.url)
        access = endpoint_access(sandbox.url)
        plan = sandbox.faults()
        sandbox.set_faults(None)
        started = time.perf_counter()
        accounts = _seed_organization(env)
        seeding = time.perf_counter() - started
        _progress(f"seeded in {seeding:.0f} s; timing one account, then all {ACCOUNTS}")
        role = f"arn:aws:iam::{{account}}:role/{ROLE}"
        pid = sandbox.process.pid
        sandbox.set_faults(plan)
        one = _timed(
            _policy({"organization": {"role": role}, "accounts": [accounts[0]]}), access, pid
        )
        sandbox.set_faults(plan)
        every = _timed(
            _policy({"organization": {"role": role, "exclude": ["123456789012"]}}), access, pid
        )
    finally:
        sandbox.stop()
    return _report(accounts, seeding, one, every)


def _report(
    accounts: Sequence[str],
    seeding: float,
    one_run: Timed,
    every_run: Timed,
) -> list[str]:
    one_seconds, one = one_run.seconds, one_run.collection
    all_seconds, every = every_run.seconds, every_run.collection
    aliased = len(range(0, FUNCTIONS, ALIAS_EVERY))
    minimal = minimal_plan(FUNCTIONS, aliased, FLOWS, MODULES, RULES)
    per_account = {a: sum(every.calls_by_account.get(a, {}).values()) for a in accounts}
    lambda_rates = {
        a: sum(n for op, n in every.calls_by_account.get(a, {}).items() if op.startswith("lambda:"))
        / all_seconds
        for a in accounts
    }
    ratio = all_seconds / one_seconds if one_seconds else float("inf")
    scanned = (
        [o for o in every.snapshot.organization.outcomes if o.outcome == "scanned"]
        if (every.snapshot.organization)
        else []
    )
    one_calls = sum(one.calls_by_account.get(accounts[0], {}).values())
    worst = max(per_account.values())
    lines = [
        (
            f"organization: {ACCOUNTS} member accounts x {FUNCTIONS} functions, {FLOWS} flows, "
            f"{RULES} warmer rules each; {LATENCY_MS} ms latency, Connect 2/s per account, "
            f"{DEFAULT_ACCOUNT_WORKERS} accounts read at once "
            f"(seeded in {seeding:.0f} s)"
        ),
        f"  one account:    {one_seconds:6.1f} s, {one_calls} calls",
        (
            f"  {ACCOUNTS} accounts:   {all_seconds:6.1f} s ({len(scanned)} scanned, "
            f"{len(every.snapshot.errors)} failed reads), {ratio:.2f}x one account "
            f"[{'OK' if ratio <= PARALLEL_TARGET else 'MISSED'}: target <= {PARALLEL_TARGET:g}x, "
            f"not {ACCOUNTS}x]"
        ),
        (
            f"  calls per account: mean {mean(per_account.values()):.0f}, max {worst}; the minimal "
            f"plan: {minimal} [{'OK' if worst <= minimal else 'ABOVE'}: "
            f"{worst - minimal:+d} calls over it]"
        ),
        (
            f"  discovery and role assumption (caller): "
            f"{sum(every.calls_by_account.get('caller', {}).values())} calls"
        ),
        (
            f"  Lambda requests per account: at most {max(lambda_rates.values()):.1f}/s "
            f"[{'OK' if max(lambda_rates.values()) <= LAMBDA_QUOTA else 'OVER'}: quota "
            f"{LAMBDA_QUOTA:g}/s per account and Region]"
        ),
    ]
    requests = sum(per_account.values()) + sum(every.calls_by_account.get("caller", {}).values())
    all_calls = requests
    one_all = one_calls + sum(one.calls_by_account.get("caller", {}).values())
    floor = every_run.sandbox_cpu / one_seconds if one_seconds else float("inf")
    lines += [
        (
            f"  the floor on this machine: the sandbox (one process, one core at most) spent "
            f"{every_run.sandbox_cpu:.1f} s CPU answering the {ACCOUNTS} accounts, i.e. "
            f"{floor:.2f}x the one-account wall time before anything else runs; measured "
            f"{ratio:.2f}x ({ratio - floor:+.2f}x above the floor: the collector's CPU and "
            "other load on the machine's cores)"
        ),
        (
            f"  the collector's CPU per call: {one_run.collector_cpu / max(one_all, 1) * 1000:.2f} "
            f"ms alone, {every_run.collector_cpu / max(all_calls, 1) * 1000:.2f} ms in the "
            f"{ACCOUNTS}-account run (every account's calls on one shared executor)"
        ),
        (
            f"  the sandbox process: {one_run.sandbox_cpu:.1f} s CPU in the one-account run "
            f"({one_run.sandbox_busy:.0%} of a core), {every_run.sandbox_cpu:.1f} s CPU in the "
            f"{ACCOUNTS}-account run ({every_run.sandbox_busy:.0%} of a core; "
            f"{requests / all_seconds:.0f} requests/s, "
            f"{every_run.sandbox_cpu / max(requests, 1) * 1000:.1f} ms CPU a request)"
        ),
        (
            f"  the collector process: {one_run.collector_cpu:.1f} s CPU in the one-account run, "
            f"{every_run.collector_cpu:.1f} s in the {ACCOUNTS}-account run; with the sandbox "
            f"that is {every_run.machine_busy:.0%} of the machine's {os.cpu_count()} cores "
            "(shared with whatever else runs: the machine was "
            f"{every_run.machine_idle:.0%} idle during the {ACCOUNTS}-account run, "
            f"{one_run.machine_idle:.0%} during the one-account run)"
        ),
        _bottleneck(one_run, every_run),
    ]
    lines.append("  calls of the most-called account by operation:")
    heaviest = max(per_account, key=lambda a: per_account[a])
    for operation, count in sorted(every.calls_by_account.get(heaviest, {}).items()):
        lines.append(f"    {operation:<45} {count:5d}")
    return lines


def _bottleneck(one: Timed, every: Timed) -> str:
    """What the parallel figure measures: the collector, or the one local sandbox process."""
    # The sandbox is one Python process: one core at most, whatever its threads.
    floor = every.sandbox_cpu
    cores = os.cpu_count() or 1
    needed = (every.sandbox_cpu + every.collector_cpu) / cores
    if every.machine_idle <= 1 - SATURATED or every.machine_busy >= SATURATED:
        return (
            f"  => CPU-bound: the machine was {every.machine_idle:.0%} idle, and the sandbox and "
            f"the collector needed {needed:.0f} s of all {cores} cores even alone "
            f"({needed / one.seconds:.1f}x the one-account run, which waits on latency and "
            f"quotas with the sandbox {one.sandbox_busy:.0%} busy). The {ACCOUNTS}/1 ratio here "
            "measures this machine's CPU, not the collector's parallelism or AWS, whose quotas "
            "and latency are per account"
        )
    if every.sandbox_busy >= SATURATED:
        return (
            f"  => the sandbox is CPU-bound ({every.sandbox_busy:.0%} of its one core): answering "
            f"{ACCOUNTS} accounts' requests costs it {floor:.0f} s of CPU, so no client can finish "
            f"in less; the {ACCOUNTS}/1 ratio here measures the sandbox, not the collector or "
            f"AWS (whose quotas and latency are per account). The collector's own bound is the "
            f"one-account run ({one.seconds:.1f} s, the sandbox {one.sandbox_busy:.0%} busy)"
        )
    return (
        f"  => neither the sandbox ({every.sandbox_busy:.0%} of a core) nor the machine "
        f"({every.machine_busy:.0%}) was saturated: the ratio measures the collector's parallelism"
    )


def _progress(message: str) -> None:
    print(f"organization_bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    print("\n".join(run()))
