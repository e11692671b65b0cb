"""`warmcheck fix`: write the change that closes each finding; warmcheck never applies it."""

from __future__ import annotations

import argparse
from pathlib import Path

from checker.cli.exits import EXIT_INCOMPLETE, EXIT_PASS, print_error
from checker.cli.live import collect_live
from checker.cli.options import (
    Subcommands,
    add_aws_flags,
    add_policy_flag,
    load_policy_flag,
    noise_flags,
    with_regions,
)
from checker.cli.terminal import Terminal
from checker.fix import FIX_FORMATS
from checker.fix.model import FixPlanV1
from checker.fix.run import fix_summary, make_plan, render_plan
from checker.load.policy import LoadedPolicy
from checker.load.snapshot import load_snapshot
from checker.model.snapshot import Snapshot
from checker.output import Replace, check_directory, publish


def add_parser(commands: Subcommands) -> None:
    fix = commands.add_parser(
        "fix",
        parents=[noise_flags()],
        help="write the change that closes each finding (AWS CLI, CloudFormation, Terraform)",
        description="Read the same findings as `check` (live, read-only, or --snapshot) and "
        "write a fix plan: warmcheck-fix.json and its renderings. warmcheck never applies it. "
        "Exit codes: 0 plan written, 2 bad input, 3 evidence incomplete (the plan covers only "
        "what was read).",
    )
    add_policy_flag(fix)
    fix.add_argument(
        "--snapshot",
        metavar="FILE",
        help="plan from this snapshot file (from `warmcheck collect`) instead of reading AWS",
    )
    add_aws_flags(fix)
    fix.add_argument("--out-dir", default="reports", help="where the plan goes (default reports/)")
    fix.add_argument(
        "--format",
        action="append",
        choices=[fmt.name for fmt in FIX_FORMATS],
        help="plan (warmcheck-fix.json), cli (warmcheck-fix.sh), cloudformation "
        "(warmcheck-fix.cfn.yaml), terraform (warmcheck-fix.tf.json); repeatable (default: all)",
    )


def run(args: argparse.Namespace) -> int:
    # Every destination is checked before AWS is read, as for `check`.
    check_directory(Path(args.out_dir), "--out-dir")
    loaded = with_regions(load_policy_flag(args.policy), args.region)
    if args.snapshot is not None:
        snapshot = load_snapshot(args.snapshot)
    else:
        snapshot = collect_live(
            loaded.policy, args.profile, args.region, Terminal(quiet=args.quiet)
        )
    plan, written = write_fix_plan(loaded, snapshot, Path(args.out_dir), args.format)
    for line in fix_summary(plan, written, quiet=args.quiet):
        print(line)
    if not plan.complete:
        print_error(
            "evidence is incomplete: the plan covers only what could be read",
            "see the WARM901 findings (`warmcheck check`), fix access and run again",
        )
        return EXIT_INCOMPLETE
    return EXIT_PASS


def write_fix_plan(
    loaded: LoadedPolicy, snapshot: Snapshot, out_dir: Path, formats: list[str] | None
) -> tuple[FixPlanV1, list[Path]]:
    """Plan, render every chosen file, then publish them all or none."""
    plan = make_plan(loaded, snapshot)
    files = render_plan(plan, formats)
    written = publish([Replace(out_dir / name, text, "--out-dir", True) for name, text in files])
    return plan, written
