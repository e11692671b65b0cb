"""`warmcheck iac`: judge templates before deploy, every finding pointing at a template line."""

from __future__ import annotations

import argparse

from checker.cli.live import utc_now
from checker.cli.options import (
    Subcommands,
    add_report_flags,
    load_policy_flag,
    noise_flags,
    with_evidence,
)
from checker.cli.reports import evaluate_and_report, load_baseline, report_options
from checker.load.snapshot import load_snapshot


def add_parser(commands: Subcommands) -> None:
    iac = commands.add_parser(
        "iac",
        parents=[noise_flags()],
        help="check CloudFormation, SAM, CDK, Terraform plans and flow files before deploy",
        description="Read templates (CloudFormation JSON/YAML, SAM, a CDK cdk.out directory, "
        "`terraform show -json` plans, flow files) without calling AWS, evaluate --policy as "
        "`check` does and write reports whose findings point at template lines. What the "
        "templates leave to deploy time stays unknown (WARM901/WARM011), never guessed.",
        epilog="Exit codes as for check: 0 compliant, 1 drift, 2 bad input (a template names "
        "file:line), 3 something only deploy time or the live account can tell (see docs/iac.md).",
    )
    iac.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="template, plan JSON or flow file, or a cdk.out directory; several are read as one",
    )
    iac.add_argument(
        "--parameters",
        metavar="FILE",
        help="JSON parameter values ({name: value} or CloudFormation's ParameterKey list); "
        "AWS::Region and AWS::AccountId set the stack's region and account",
    )
    iac.add_argument(
        "--placeholders",
        metavar="FILE",
        help="JSON map of template text in flow files to its value, e.g. "
        '{"{{BILLING_ARN}}": "arn:aws:lambda:..."}',
    )
    iac.add_argument(
        "--with-snapshot",
        metavar="FILE",
        help="the deployed state (from `warmcheck collect`): judge the planned flows against "
        "warmers, permissions and associations that already exist",
    )
    add_report_flags(iac)


def run(args: argparse.Namespace) -> int:
    from checker.iac import load_iac, load_string_map, scoped_to, with_template_names

    options = report_options(args)
    # Templates have no runtime yet: no evidence is asked of them, whatever the policy says.
    loaded = with_evidence(load_policy_flag(args.policy), ["none"])
    deployed = load_snapshot(args.with_snapshot) if args.with_snapshot else None
    state = load_iac(
        args.paths,
        parameters=load_string_map(args.parameters, "parameters") if args.parameters else {},
        placeholders=load_string_map(args.placeholders, "placeholders")
        if args.placeholders
        else {},
        deployed=deployed,
        # Templates have no read time: the day they are judged on keeps reports byte-identical.
        now=utc_now().replace(hour=0, minute=0, second=0, microsecond=0),
    )
    baseline = load_baseline(args.baseline) if args.baseline else None
    return evaluate_and_report(
        scoped_to(loaded, state.snapshot),
        state.snapshot,
        options,
        baseline=baseline,
        finish=lambda report: with_template_names(report, state.labels),
    )
