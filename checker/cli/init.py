"""`warmcheck init`: write a commented starter policy from a snapshot or the live account."""

from __future__ import annotations

import argparse
from pathlib import Path

from checker.cli.exits import EXIT_INCOMPLETE, EXIT_PASS, print_error
from checker.cli.live import NO_CREDENTIALS_HINT, collect_live, no_credentials
from checker.cli.options import Subcommands, add_aws_flags, noise_flags
from checker.cli.terminal import Terminal
from checker.errors import UsageError
from checker.load.snapshot import load_snapshot
from checker.model.policy import Policy, Scope
from checker.output import Replace, check_file, publish
from checker.starter_policy import starter_policy


def add_parser(commands: Subcommands) -> None:
    init = commands.add_parser(
        "init",
        parents=[noise_flags()],
        help="write a starter policy from a snapshot or the live account",
        description="Write a commented starter policy from what a snapshot (or the live "
        "account) holds: instances, the Lambdas flows call, existing warmers and their payload.",
    )
    init.add_argument("--snapshot", metavar="FILE", help="read this snapshot instead of AWS")
    init.add_argument(
        "--out", default="-", metavar="FILE", help="where to write the policy (default: stdout)"
    )
    init.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    add_aws_flags(init)


def run(args: argparse.Namespace) -> int:
    out = None if args.out == "-" else Path(args.out)
    if out is not None and out.exists() and not args.force:
        raise UsageError(f"{out} exists", hint="pass --force to overwrite it, or pick --out")
    if out is not None:
        check_file(out, "--out", create_parent=True)
    if args.snapshot is not None:
        snapshot = load_snapshot(args.snapshot)
    else:
        scope = Scope(regions=args.region) if args.region else Scope()
        snapshot = collect_live(
            Policy(version=1, scope=scope), args.profile, args.region, Terminal(quiet=True)
        )
    if no_credentials(snapshot):
        # A policy from an account nobody could read would say that nothing exists.
        print_error(
            "no AWS credentials were found, so no policy was written",
            NO_CREDENTIALS_HINT.replace("and run again", "and run `warmcheck init` again")
            + "; or write one from a saved snapshot: `warmcheck init --snapshot FILE --out "
            f"{args.out if out is not None else 'warm-policy.yaml'}`",
        )
        return EXIT_INCOMPLETE
    text = starter_policy(snapshot, now=snapshot.collected_at)
    if out is None:
        print(text, end="")
    else:
        # `init --out policies/warm-policy.yaml` creates the folder.
        publish([Replace(out, text, "--out", create_folder=True)])
        print(
            f"warmcheck: starter policy written to {out}; review it, then run "
            f"`warmcheck check --policy {out}`"
        )
    if snapshot.errors:
        print_error(
            f"{len(snapshot.errors)} read(s) failed, so the policy may miss what was not seen",
            "see the errors in the snapshot, or run `warmcheck collect --out FILE`",
        )
        return EXIT_INCOMPLETE
    return EXIT_PASS
