"""Reading an organization: discover, partition, assume, read every member, join.

    collection = collect_members(policy, caller, shard=Shard(index=1, count=4))

1. Discovery (`organizations.discover`) from the caller's account, once.
2. This shard's accounts: filters first (excluded, inactive; tags only for the survivors).
3. Every remaining account's role is assumed before anything is read (a refusal is known at
   once), then the accounts are read side by side, `account_workers` at a time: AWS's quotas
   are per account, so accounts do not slow each other down. Each account's orchestration (what
   waits for answers) has a thread of its own; every call of every account runs on ONE shared
   `CallExecutor`, which hands a read to a worker only when its (account, region, API) bucket
   has a token, so an account waiting for its quota holds no worker another account could use.
4. Cross-account references: a function in account B that a flow in account A calls is read by
   B, once every account's flows are known (only for what B's own flows did not already ask).
5. One snapshot: every account's state, every failure (a denied or failed account is a
   `CollectionFailure` too, so it is WARM901 and exit 3), and `organization`: the listed
   accounts and each one's outcome.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import checker.collect.organizations as org
from checker.collect.account import Collection, aware, collect_with, read_required_elsewhere
from checker.collect.base import ClientFactory, Recorder
from checker.collect.executor import CallExecutor, call_workers
from checker.collect.plan import no_region, scope_regions
from checker.collect.shard import join
from checker.domain.arns import FunctionKey
from checker.domain.required import required_functions
from checker.model.policy import Organization, Policy
from checker.model.snapshot import (
    AccountOutcome,
    OrganizationScan,
    Shard,
    Snapshot,
)

# Accounts read at once: each has its own quotas, so this bounds threads and memory, not pace.
# An account's threads mostly wait (latency, its own buckets), so an organization of a few dozen
# accounts is read in one wave: at 16, the 17th to 20th of 20 waited for a whole account's read.
DEFAULT_ACCOUNT_WORKERS = 32


@dataclass(frozen=True)
class MemberCollection(Collection):
    """A `Collection` with the API calls of each account ("caller" for discovery)."""

    calls_by_account: dict[str, dict[str, int]] = field(default_factory=dict)


def collect_members(
    policy: Policy,
    caller: ClientFactory,
    *,
    regions: Sequence[str] | None = None,
    now: datetime | None = None,
    shard: Shard | None = None,
    max_workers: int = 8,
    account_workers: int = DEFAULT_ACCOUNT_WORKERS,
    environ: Mapping[str, str] | None = None,
) -> MemberCollection:
    organization = policy.scope.organization
    if organization is None:
        raise ValueError("collect_members needs scope.organization")
    moment = aware(now)
    recorder = Recorder()
    scope = scope_regions(policy, regions, caller.default_region)
    if not scope:
        recorder.add(no_region("organizations", "ListAccounts"))
        return _empty(moment, recorder, caller)
    home = scope[0]
    discovery = org.discover(caller, recorder, home, policy.scope)
    if discovery.accounts is None:
        return _empty(moment, recorder, caller)
    listed = discovery.accounts
    shard_accounts = org.partition(listed, shard)
    outcomes: dict[str, AccountOutcome] = {}
    candidates: list[org.ListedAccount] = []
    explicit = discovery.source == "accounts"
    for account in shard_accounts:
        outcome = None if explicit else org.filter_outcome(organization, account)
        if outcome is None and organization.tags and not explicit:
            outcome = org.tags_outcome(caller, recorder, home, organization.tags, account)
        if outcome is None:
            candidates.append(account)
        else:
            outcomes[account.id] = outcome
    caller.prepare("sts", [home])

    def reach(account: org.ListedAccount) -> org.Assumed:
        return org.assume(
            caller,
            home,
            organization,
            account,
            environ=environ,
        )

    def read(attempt: org.Assumed) -> Collection:
        assert attempt.clients is not None
        return collect_with(
            policy,
            attempt.clients,
            regions=regions,
            now=moment,
            max_workers=max_workers,
            account=attempt.account.id,
            executor=shared,
        )

    workers = max(1, min(account_workers, len(candidates) or 1))
    with (
        CallExecutor(caller.limiter, call_workers(max_workers, len(candidates))) as shared,
        ThreadPoolExecutor(workers, thread_name_prefix="warmcheck-account") as pool,
    ):
        # Every role first: a refusal is known before anything is read.
        assumed = list(pool.map(reach, candidates))
        reached = [attempt for attempt in assumed if attempt.clients is not None]
        collections = list(pool.map(read, reached))
        calls_by_account = {
            attempt.account.id: collection.calls
            for attempt, collection in zip(reached, collections, strict=True)
        }
        snapshots = [collection.snapshot for collection in collections]
        elsewhere = _cross_account(
            policy,
            organization,
            listed,
            {attempt.account.id: attempt.clients for attempt in reached if attempt.clients},
            snapshots,
            pool,
            reach=reach,
            max_workers=max_workers,
            executor=shared,
            calls_by_account=calls_by_account,
        )
    for attempt in assumed:
        outcomes[attempt.account.id] = attempt.outcome or org.scanned(attempt.account)
        if attempt.failure is not None:
            recorder.add(attempt.failure)
    calls_by_account["caller"] = caller.counter.counts()
    organization_scan = OrganizationScan(
        source="accounts" if explicit else "organizations",
        listed=[account.id for account in listed],
        outcomes=[outcomes[account.id] for account in shard_accounts],
        shards=[shard] if shard is not None else [],
    )
    own = Snapshot(collected_at=moment, errors=recorder.failures())
    joined = join([own, *snapshots, *elsewhere], organization_scan)
    total: Counter[str] = Counter()
    for calls in calls_by_account.values():
        total.update(calls)
    return MemberCollection(joined, dict(sorted(total.items())), calls_by_account)


def _cross_account(
    policy: Policy,
    organization: Organization,
    listed: list[org.ListedAccount],
    factories: dict[str, ClientFactory],
    snapshots: list[Snapshot],
    pool: ThreadPoolExecutor,
    *,
    reach: Callable[[org.ListedAccount], org.Assumed],
    max_workers: int,
    executor: CallExecutor,
    calls_by_account: dict[str, dict[str, int]],
) -> list[Snapshot]:
    """Functions that flows of this run's accounts call in another account, read through that
    account's role (once each), so they are judged against that account's warmers.

    In a shard the other account may belong to another shard: it is reached for this read only
    (its own shard records its outcome); a merge joins both reads of the function the way one
    live run does (`shard.combine_functions`).
    """
    wanted: defaultdict[str, set[FunctionKey]] = defaultdict(set)
    for snapshot in snapshots:
        for key in required_functions(policy, snapshot.instances):
            if key.account not in snapshot.accounts:
                wanted[key.account].add(key)
    by_id = {account.id: account for account in listed}
    targets: list[tuple[str, ClientFactory]] = []
    for account in sorted(wanted):
        factory = factories.get(account)
        if factory is None:
            member = by_id.get(account)
            # An account outside the organization's scope is never read: its Lambdas stay
            # unknown (WARM901), never assumed warm or missing.
            if member is None or org.filter_outcome(organization, member) is not None:
                continue
            factory = reach(member).clients
            if factory is None:
                continue  # its own shard records the refusal
        targets.append((account, factory))
    collected_at = snapshots[0].collected_at if snapshots else None

    def read(target: tuple[str, ClientFactory]) -> Snapshot:
        account, factory = target
        functions, failures = read_required_elsewhere(
            policy,
            factory,
            account,
            wanted[account],
            set(),
            max_workers=max_workers,
            executor=executor,
        )
        calls_by_account[account] = factory.counter.counts()
        assert collected_at is not None
        return Snapshot(collected_at=collected_at, functions=functions, errors=failures)

    return list(pool.map(read, targets))


def _empty(moment: datetime, recorder: Recorder, caller: ClientFactory) -> MemberCollection:
    snapshot = Snapshot(collected_at=moment, errors=recorder.failures())
    calls = caller.counter.counts()
    return MemberCollection(snapshot, calls, {"caller": calls})


__all__ = ["DEFAULT_ACCOUNT_WORKERS", "MemberCollection", "collect_members"]
