"""`warmcheck check`: read AWS (or a snapshot), evaluate the policy, write reports."""

from __future__ import annotations

import argparse

from checker.cli.live import collect_live
from checker.cli.options import (
    Subcommands,
    add_aws_flags,
    add_evidence_flag,
    add_report_flags,
    load_policy_flag,
    noise_flags,
    with_evidence,
    with_regions,
)
from checker.cli.reports import evaluate_and_report, load_baseline, report_options
from checker.cli.terminal import Terminal
from checker.load.snapshot import load_snapshot


def add_parser(commands: Subcommands) -> None:
    check = commands.add_parser(
        "check",
        parents=[noise_flags()],
        help="read AWS (or a snapshot), evaluate the policy, write reports",
        description="Read the accounts in the policy's scope (read-only), or load --snapshot, "
        "evaluate --policy and write reports.",
    )
    check.add_argument(
        "--snapshot",
        metavar="FILE",
        help="evaluate this snapshot file (from `warmcheck collect`) instead of reading AWS",
    )
    add_aws_flags(check)
    add_evidence_flag(check)
    add_report_flags(check)


def run(args: argparse.Namespace) -> int:
    options = report_options(args)
    loaded = with_evidence(with_regions(load_policy_flag(args.policy), args.region), args.evidence)
    if args.snapshot is not None:
        snapshot = load_snapshot(args.snapshot)
    else:
        snapshot = collect_live(
            loaded.policy, args.profile, args.region, Terminal(quiet=args.quiet)
        )
    baseline = load_baseline(args.baseline) if args.baseline else None
    return evaluate_and_report(loaded, snapshot, options, baseline=baseline)
