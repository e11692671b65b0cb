"""Joining shard snapshots (`warmcheck merge`) into the organization's one snapshot.

`warmcheck collect --shard I/N` reads a stable 1/N of the organization's accounts (by SHA-256 of
the account ID, so the same N always splits the same way); each shard records I/N and the whole
list of accounts. A merge is a clean union or nothing: every shard 1..N exactly once, the same
account list in each, every listed account's outcome in exactly one shard.

A function one shard read for its flows and another read for its own warmers (a flow in one
account calling a Lambda in another) is one function: `combine_functions` joins the two reads,
and a live run joins them the same way, so merged shards equal one live run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from checker.errors import SnapshotError
from checker.model.snapshot import LambdaFunction, OrganizationScan, Shard, Snapshot


@dataclass(frozen=True)
class ShardFile:
    path: str
    snapshot: Snapshot


def combine_functions(functions: Iterable[LambdaFunction]) -> list[LambdaFunction]:
    """One entry per ARN: the union of every read of it (sorted, so order never matters)."""
    by_arn: dict[str, LambdaFunction] = {}
    for function in functions:
        seen = by_arn.get(function.arn)
        by_arn[function.arn] = function if seen is None else _combine(seen, function)
    return [by_arn[arn] for arn in sorted(by_arn)]


def _union(first: list[Any] | None, second: list[Any] | None, key: str) -> list[Any] | None:
    if first is None and second is None:
        return None
    items = {getattr(item, key): item for item in [*(first or []), *(second or [])]}
    return [items[name] for name in sorted(items)]


def _combine(first: LambdaFunction, second: LambdaFunction) -> LambdaFunction:
    # A value one read has and the other lacks (None: not read there) is kept; the lists below
    # are unions. Generic, so a field added to LambdaFunction cannot be dropped by a merge.
    either = {
        name: getattr(first, name) if getattr(first, name) is not None else getattr(second, name)
        for name in LambdaFunction.model_fields
    }
    return first.model_copy(
        update={
            **either,
            "exists": first.exists and second.exists,
            "versions": _union(first.versions, second.versions, "version"),
            "aliases": _union(first.aliases, second.aliases, "name"),
            "policies": _union(first.policies, second.policies, "qualifier") or [],
            "provisioned_concurrency": _union(
                first.provisioned_concurrency, second.provisioned_concurrency, "qualifier"
            ),
        }
    )


def merge(files: Sequence[ShardFile]) -> Snapshot:
    """The organization's snapshot from all its shards; SnapshotError (exit 2) unless the shards
    are exactly 1..N of one collection."""
    if not files:
        raise SnapshotError("merge", "no shard snapshots given")
    scans: list[tuple[str, OrganizationScan, Shard]] = []
    for item in files:
        scan = item.snapshot.organization
        if scan is None or len(scan.shards) != 1:
            raise SnapshotError(
                item.path,
                "not a shard snapshot: it records no `organization.shards` entry",
                field="organization.shards",
                hint="collect shards with `warmcheck collect --shard I/N --out FILE`",
            )
        scans.append((item.path, scan, scan.shards[0]))
    first_path, first, first_shard = scans[0]
    count = first_shard.count
    seen: dict[int, str] = {}
    for path, scan, shard in scans:
        if shard.count != count:
            raise SnapshotError(
                path,
                f"shard {shard.index}/{shard.count} is from a split into {shard.count}, "
                f"{first_path} from a split into {count}",
                field="organization.shards",
            )
        if shard.index in seen:
            raise SnapshotError(
                path,
                f"shard {shard.index}/{count} is given twice (also {seen[shard.index]})",
                field="organization.shards",
                hint="pass each shard once",
            )
        seen[shard.index] = path
        if scan.listed != first.listed or scan.source != first.source:
            raise SnapshotError(
                path,
                f"its account list differs from {first_path}'s: the shards are not from one "
                "collection",
                field="organization.listed",
                hint="collect every shard from the same organization state, then merge",
            )
    missing = sorted(set(range(1, count + 1)) - set(seen))
    if missing:
        names = ", ".join(f"{index}/{count}" for index in missing)
        raise SnapshotError(
            "merge",
            f"shard(s) {names} missing: a merge needs all {count}",
            hint="pass every shard's snapshot",
        )
    outcomes = [outcome for _, scan, _ in scans for outcome in scan.outcomes]
    ids = [outcome.account for outcome in outcomes]
    if sorted(ids) != sorted(set(ids)) or set(ids) != set(first.listed):
        raise SnapshotError(
            "merge",
            "the shards' account outcomes are not one per listed account",
            field="organization.outcomes",
        )
    snapshots = [item.snapshot for item in files]
    organization = OrganizationScan(
        source=first.source,
        listed=first.listed,
        outcomes=sorted(outcomes, key=lambda outcome: outcome.account),
        shards=[],
    )
    return join(snapshots, organization)


def join(snapshots: Sequence[Snapshot], organization: OrganizationScan | None) -> Snapshot:
    """The union of `snapshots` (each account's state once), as one collection."""
    roles = {role.arn: role for snapshot in snapshots for role in snapshot.roles}
    return Snapshot(
        collected_at=min(snapshot.collected_at for snapshot in snapshots),
        accounts=sorted({a for snapshot in snapshots for a in snapshot.accounts}),
        regions=sorted({r for snapshot in snapshots for r in snapshot.regions}),
        instances=sorted(
            (i for snapshot in snapshots for i in snapshot.instances), key=lambda i: i.arn
        ),
        functions=combine_functions(f for snapshot in snapshots for f in snapshot.functions),
        rules=sorted((r for snapshot in snapshots for r in snapshot.rules), key=lambda r: r.arn),
        schedules=sorted(
            (s for snapshot in snapshots for s in snapshot.schedules), key=lambda s: s.arn
        ),
        roles=[roles[arn] for arn in sorted(roles)],
        errors=[error for snapshot in snapshots for error in snapshot.errors],
        organization=organization,
    )
