"""`warmcheck collect`: read the live account(s) in the policy's scope into a snapshot file."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from checker.cli.exits import EXIT_INCOMPLETE, EXIT_PASS, print_error
from checker.cli.live import NO_CREDENTIALS_HINT, collect_live, no_credentials
from checker.cli.options import (
    Subcommands,
    add_aws_flags,
    add_evidence_flag,
    add_policy_flag,
    load_policy_flag,
    noise_flags,
    with_evidence,
    with_regions,
)
from checker.cli.terminal import Terminal
from checker.errors import UsageError
from checker.model.snapshot import ACCOUNT_OUTCOMES, Shard
from checker.output import Replace, check_file, publish


def add_parser(commands: Subcommands) -> None:
    collect = commands.add_parser(
        "collect",
        parents=[noise_flags()],
        help="read the live account(s) in the policy's scope and write a snapshot",
        description="Read AWS (read-only) for the policy's scope and write a snapshot file.",
    )
    collect.add_argument("--out", required=True, metavar="FILE", help="snapshot file to write")
    add_policy_flag(collect)
    add_aws_flags(collect)
    collect.add_argument(
        "--shard",
        metavar="I/N",
        help="with scope.organization: read only shard I of N of the accounts (a stable split "
        "by account ID); join the N snapshots with `warmcheck merge`",
    )
    add_evidence_flag(collect)


def run(args: argparse.Namespace) -> int:
    shard = _shard_flag(args.shard)
    loaded = with_evidence(with_regions(load_policy_flag(args.policy), args.region), args.evidence)
    if shard is not None and loaded.policy.scope.organization is None:
        raise UsageError(
            "--shard splits an organization's accounts, but the policy has no scope.organization",
            hint="add scope.organization (see docs/organizations.md), or drop --shard",
        )
    check_file(Path(args.out), "--out")
    snapshot = collect_live(
        loaded.policy, args.profile, args.region, Terminal(quiet=args.quiet), shard
    )
    publish([Replace(Path(args.out), snapshot.to_json(), "--out")])
    if snapshot.organization is not None:
        counts = Counter(outcome.outcome for outcome in snapshot.organization.outcomes)
        part = f" (shard {shard.index}/{shard.count})" if shard is not None else ""
        print(
            f"warmcheck: accounts{part}: "
            + ", ".join(f"{counts[kind]} {kind}" for kind in ACCOUNT_OUTCOMES if counts[kind])
        )
    print(
        f"warmcheck: snapshot of {len(snapshot.instances)} Connect instance(s), "
        f"{len(snapshot.functions)} function(s), {len(snapshot.rules)} rule(s), "
        f"{len(snapshot.schedules)} schedule(s) written to {args.out}"
    )
    if snapshot.errors:
        print(f"warmcheck: {len(snapshot.errors)} read(s) failed; see errors in the snapshot")
        if no_credentials(snapshot):
            print_error("no AWS credentials were found", NO_CREDENTIALS_HINT)
        return EXIT_INCOMPLETE
    return EXIT_PASS


def _shard_flag(text: str | None) -> Shard | None:
    if text is None:
        return None
    from checker.collect.organizations import parse_shard

    try:
        return parse_shard(text)
    except ValueError as error:
        raise UsageError(f"--shard: {error}", hint="e.g. --shard 1/4") from None
