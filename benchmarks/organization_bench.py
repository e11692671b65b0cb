"""Organization benchmark: 20 member accounts of 150 functions each, read in parallel.

The sandbox runs as its own process with 50 ms latency and Connect's quota (2 requests/s, bursts
of 5) per account and Region, as AWS keeps it. An organization of `ACCOUNTS` members is seeded,
each with the collect benchmark's contact center (150 functions, a third through an alias, 60
warmer rules; `FLOWS` flows) and warmcheck's read-only role. Then, each with full buckets:

- one member alone (``scope.accounts: [first]``);
- the whole organization (``scope.organization``, discovery through Organizations).

Printed: both wall times and their ratio (target: the organization within 2x one account, not
20x), the calls per account next to the minimal plan that answers the same questions
(`minimal_plan`), and each account's Lambda request rate next to Lambda's control-plane quota.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from statistics import mean
from typing import Any

import boto3

from benchmarks.collect_bench import (
    ALIAS_EVERY,
    EXTRA_ENV_TO_REMOVE,
    FUNCTIONS,
    LAMBDA_QUOTA,
    LATENCY_MS,
    MODULES,
    RULES,
    SERVE_FAULTS,
    SandboxProcess,
    seed,
)
from checker.collect import collect
from checker.collect.members import MemberCollection
from checker.policy import Policy
from checker.sandbox import sandbox_environment
from checker.sandbox.sandbox import endpoint_env
from checker.sandbox.seeding import SandboxClients

ACCOUNTS = 20
FLOWS = 150
REGION = "us-east-1"
ROLE = "warmcheck-readonly"
PARALLEL_TARGET = 2.0
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
    batch read), and provisioned concurrency only where an alias accepts it as warm.
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


def _timed(policy: Policy) -> tuple[float, MemberCollection]:
    started = time.perf_counter()
    collection = collect(policy)
    assert isinstance(collection, MemberCollection)
    return time.perf_counter() - started, collection


def run() -> list[str]:
    _progress(f"starting the sandbox process; seeding {ACCOUNTS} accounts (minutes)")
    sandbox = SandboxProcess.start(LATENCY_MS, SERVE_FAULTS)
    try:
        env = endpoint_env(sandbox.url)
        with sandbox_environment(env, also_remove=EXTRA_ENV_TO_REMOVE):
            plan = sandbox.faults()
            sandbox.set_faults(None)
            started = time.perf_counter()
            accounts = _seed_organization(env)
            seeding = time.perf_counter() - started
            _progress(f"seeded in {seeding:.0f} s; timing one account, then all {ACCOUNTS}")
            role = f"arn:aws:iam::{{account}}:role/{ROLE}"
            sandbox.set_faults(plan)
            one_seconds, one = _timed(
                _policy({"organization": {"role": role}, "accounts": [accounts[0]]})
            )
            sandbox.set_faults(plan)
            all_seconds, every = _timed(
                _policy({"organization": {"role": role, "exclude": ["123456789012"]}})
            )
    finally:
        sandbox.stop()
    return _report(accounts, seeding, one_seconds, one, all_seconds, every)


def _report(
    accounts: Sequence[str],
    seeding: float,
    one_seconds: float,
    one: MemberCollection,
    all_seconds: float,
    every: MemberCollection,
) -> list[str]:
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
            f"{RULES} warmer rules each; {LATENCY_MS} ms latency, Connect 2/s per account "
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
    lines.append(
        f"  the sandbox answered {requests / all_seconds:.0f} requests/s over the whole run: one "
        "local process serves all accounts, so its throughput, not AWS's per-account quotas, "
        "bounds the parallel run here"
    )
    lines.append("  calls of the most-called account by operation:")
    heaviest = max(per_account, key=lambda a: per_account[a])
    for operation, count in sorted(every.calls_by_account.get(heaviest, {}).items()):
        lines.append(f"    {operation:<45} {count:5d}")
    return lines


def _progress(message: str) -> None:
    print(f"organization_bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    print("\n".join(run()))
