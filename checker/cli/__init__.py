"""The command line: the only place that prints, reads the environment, or exits."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import json
import os
import signal
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from checker import __version__
from checker.cli.terminal import Terminal
from checker.collect.shard import ShardFile
from checker.collect.shard import merge as merge_shards
from checker.domain.schedule_check import (
    check_expression,
    parse_window_option,
    render_schedule_check,
)
from checker.engine import FAIL_ON_CHOICES, Evaluation, PolicyRef, evaluate
from checker.errors import BaselineError, CheckerError, PolicyError, UsageError
from checker.fix import FIX_FORMATS, fix_json_schema
from checker.fix.model import FixPlanV1
from checker.fix.run import fix_summary, make_plan, render_plan
from checker.format.escape import shown
from checker.format.registry import DEFAULT_FORMATS, FORMATS, Format, find_format
from checker.load.documents import load_json, validation_error
from checker.load.policy import LoadedPolicy, load_policy
from checker.load.snapshot import load_snapshot
from checker.model.policy import (
    DEFAULT_POLICY_PATH,
    Policy,
    Scope,
    parse_duration,
    policy_json_schema,
)
from checker.model.report import ReportV1, report_json_schema
from checker.model.snapshot import (
    ACCOUNT_OUTCOMES,
    NO_CREDENTIALS_CODE,
    Shard,
    Snapshot,
    snapshot_json_schema,
)
from checker.output import (
    Append,
    Replace,
    Terminated,
    check_append,
    check_directory,
    check_file,
    publish,
)
from checker.rules.base import DOCS_DIR
from checker.rules.catalogue import all_metadata, find_rule
from checker.starter_policy import starter_policy

EXIT_PASS, EXIT_DRIFT, EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_BUG = 0, 1, 2, 3, 4
# Works wherever warmcheck is installed, not only inside its repository.
NO_CREDENTIALS_HINT = (
    "configure AWS credentials (`aws configure`, AWS_PROFILE=name or --profile name, or "
    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and run again; to see warmcheck work without an "
    "account, run `warmcheck demo` (needs the sandbox extra: pip install 'warmcheck[sandbox]')"
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad flag as one line through our error path (exit 2)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", hint=f"see `{self.prog} --help`")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="warmcheck",
        description="Prove that every Lambda an Amazon Connect contact flow can call is kept "
        "warm, and report drift when it is not.",
        epilog="Exit codes: 0 compliant, 1 drift, 2 bad input, 3 incomplete evidence, "
        "4 internal error (see docs/exit-codes.md).",
    )
    parser.add_argument("--version", action="version", version=f"warmcheck {__version__}")
    _add_noise_flags(parser, default=False)
    # Subcommands accept -v/-q too; SUPPRESS keeps them from resetting what came before.
    noise = _Parser(add_help=False)
    _add_noise_flags(noise, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    check = commands.add_parser(
        "check",
        parents=[noise],
        help="read AWS (or a snapshot), evaluate the policy, write reports",
        description="Read the accounts in the policy's scope (read-only), or load --snapshot, "
        "evaluate --policy and write reports.",
    )
    check.add_argument(
        "--snapshot",
        metavar="FILE",
        help="evaluate this snapshot file (from `warmcheck collect`) instead of reading AWS",
    )
    _add_aws_flags(check)
    _add_evidence_flag(check)
    _add_report_flags(check)

    iac = commands.add_parser(
        "iac",
        parents=[noise],
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
    _add_report_flags(iac)

    collect = commands.add_parser(
        "collect",
        parents=[noise],
        help="read the live account(s) in the policy's scope and write a snapshot",
        description="Read AWS (read-only) for the policy's scope and write a snapshot file.",
    )
    collect.add_argument("--out", required=True, metavar="FILE", help="snapshot file to write")
    collect.add_argument(
        "--policy", default=DEFAULT_POLICY_PATH, help=f"policy file (default {DEFAULT_POLICY_PATH})"
    )
    _add_aws_flags(collect)
    collect.add_argument(
        "--shard",
        metavar="I/N",
        help="with scope.organization: read only shard I of N of the accounts (a stable split "
        "by account ID); join the N snapshots with `warmcheck merge`",
    )

    merge = commands.add_parser(
        "merge",
        parents=[noise],
        help="join the snapshots of `collect --shard I/N` into one",
        description="Join shard snapshots into the organization's one snapshot, for `check "
        "--snapshot`. Every shard 1..N exactly once, or nothing is written (exit 2).",
    )
    merge.add_argument("shards", nargs="+", metavar="SNAPSHOT", help="shard snapshot files")
    merge.add_argument("--out", required=True, metavar="FILE", help="snapshot file to write")

    _add_evidence_flag(collect)

    fix = commands.add_parser(
        "fix",
        parents=[noise],
        help="write the change that closes each finding (AWS CLI, CloudFormation, Terraform)",
        description="Read the same findings as `check` (live, read-only, or --snapshot) and "
        "write a fix plan: warmcheck-fix.json and its renderings. warmcheck never applies it. "
        "Exit codes: 0 plan written, 2 bad input, 3 evidence incomplete (the plan covers only "
        "what was read).",
    )
    fix.add_argument(
        "--policy", default=DEFAULT_POLICY_PATH, help=f"policy file (default {DEFAULT_POLICY_PATH})"
    )
    fix.add_argument(
        "--snapshot",
        metavar="FILE",
        help="plan from this snapshot file (from `warmcheck collect`) instead of reading AWS",
    )
    _add_aws_flags(fix)
    fix.add_argument("--out-dir", default="reports", help="where the plan goes (default reports/)")
    fix.add_argument(
        "--format",
        action="append",
        choices=[fmt.name for fmt in FIX_FORMATS],
        help="plan (warmcheck-fix.json), cli (warmcheck-fix.sh), cloudformation "
        "(warmcheck-fix.cfn.yaml), terraform (warmcheck-fix.tf.json); repeatable (default: all)",
    )

    demo = commands.add_parser(
        "demo",
        parents=[noise],
        help="start the local sandbox, seed a demo contact center with drift, check it",
        description="Start the local AWS sandbox on 127.0.0.1, seed a demo contact center "
        "with one of each common drift, run `check` against it and stop the sandbox. "
        "Exits 0 when the demo found exactly the drift it seeded.",
    )
    demo.add_argument("--out-dir", default="reports", help="where reports go (default reports/)")
    _add_format_flags(demo)
    demo.add_argument(
        "--fix",
        action="store_true",
        help="also write the fix plan for the seeded drift (warmcheck-fix.*) to --out-dir",
    )
    demo.add_argument(
        "--organization",
        action="store_true",
        help="seed an AWS Organization of member accounts instead (a cross-account Lambda, "
        "drift in a member, a member that refuses the role, excluded and inactive accounts)",
    )

    init = commands.add_parser(
        "init",
        parents=[noise],
        help="write a starter policy from a snapshot or the live account",
        description="Write a commented starter policy from what a snapshot (or the live "
        "account) holds: instances, the Lambdas flows call, existing warmers and their payload.",
    )
    init.add_argument("--snapshot", metavar="FILE", help="read this snapshot instead of AWS")
    init.add_argument(
        "--out", default="-", metavar="FILE", help="where to write the policy (default: stdout)"
    )
    init.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    _add_aws_flags(init)

    sched = commands.add_parser(
        "schedule",
        parents=[noise],
        help="validate a rate/cron expression, print next firings and the worst gap",
        description="Validate a schedule expression as EventBridge and Scheduler do, print its "
        "next firings and the worst gap between them inside a window over the next year.",
    )
    sched.add_argument("expression", metavar="EXPR", help="rate(), cron() or at() expression")
    sched.add_argument(
        "--timezone",
        default="UTC",
        metavar="TZ",
        help="the schedule's IANA time zone (Scheduler); EventBridge rules always run in UTC",
    )
    sched.add_argument(
        "--window",
        default="always",
        help="when warmth counts: always, or local days and times such as "
        "'MON-FRI 08:00-18:00,SAT 09:00-13:00' (end before start = overnight)",
    )
    sched.add_argument(
        "--window-timezone", metavar="TZ", help="time zone of --window (default: --timezone)"
    )
    sched.add_argument(
        "--next", type=int, default=10, metavar="N", help="how many next firings to list"
    )
    sched.add_argument(
        "--flexible-window",
        type=int,
        default=0,
        metavar="MINUTES",
        help="the schedule's flexible time window, 0-1440",
    )
    sched.add_argument(
        "--max-interval",
        metavar="DURATION",
        help="longest allowed gap, e.g. 5m: prints a verdict and exits 1 when it is exceeded",
    )

    schema = commands.add_parser(
        "schema", parents=[noise], help="print a JSON Schema generated from the models"
    )
    schema.add_argument("document", choices=("policy", "snapshot", "report", "fix"))

    explain = commands.add_parser("explain", parents=[noise], help="print a rule's documentation")
    explain.add_argument("rule", nargs="?", help="rule ID or slug; omit to list every rule")
    return parser


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Evaluate without the cyclic collector: the snapshot lives until exit, and on a big
    account repeated full collections over it and the growing analysis made evaluation grow
    faster than the account. Reference counting still frees everything acyclic."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def _add_noise_flags(parser: argparse.ArgumentParser, *, default: object) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="show tracebacks"
    )
    group.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="print only the verdict line"
    )


FORMAT_NAMES = tuple(fmt.name for fmt in FORMATS)


def _format_list(value: str) -> list[str]:
    """`json,sarif` or `json`: a comma list of known format names."""
    names = [name.strip() for name in value.split(",")]
    for name in names:
        if name not in FORMAT_NAMES:
            raise argparse.ArgumentTypeError(
                f"unknown format {name!r} (choose from {', '.join(FORMAT_NAMES)})"
            )
    return names


def _add_format_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        action="append",
        type=_format_list,
        metavar="FORMAT[,FORMAT]",
        help=f"report format: {', '.join(FORMAT_NAMES)}; a comma list and/or repeated "
        f"(default: {','.join(DEFAULT_FORMATS)})",
    )
    parser.add_argument(
        "--compact",
        action="store_true",
        help="one line per finding on the terminal, without its fix (reports are unchanged)",
    )


def _formats(chosen: list[list[str]] | None) -> list[str]:
    """--format values flattened in order, each once; the default when none was given."""
    if not chosen:
        return list(DEFAULT_FORMATS)
    return list(dict.fromkeys(name for names in chosen for name in names))


def _add_report_flags(parser: argparse.ArgumentParser) -> None:
    """What `check` and `iac` share: the policy, the reports and how the run fails."""
    parser.add_argument(
        "--policy", default=DEFAULT_POLICY_PATH, help=f"policy file (default {DEFAULT_POLICY_PATH})"
    )
    parser.add_argument("--out-dir", default="reports", help="where reports go (default reports/)")
    _add_format_flags(parser)
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="write the one --format report to FILE instead of --out-dir; `-` writes it to "
        "stdout (the summary then goes to stderr), e.g. --format json --output - | jq",
    )
    parser.add_argument(
        "--summary-to",
        metavar="FILE",
        help='append the Markdown summary to FILE (e.g. "$GITHUB_STEP_SUMMARY")',
    )
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        help="an earlier warmcheck.json: only findings not in it fail the run",
    )
    parser.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="also write this run's JSON report to FILE, to use as a later --baseline",
    )
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default="low",
        help="lowest severity that fails the run (default low; never = report only)",
    )


EVIDENCE_CHOICES = ("metrics", "logs", "none")


def _add_evidence_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--evidence",
        action="append",
        choices=EVIDENCE_CHOICES,
        help="runtime evidence to read, repeatable, overriding the policy's evidence: "
        "metrics (CloudWatch), logs (Logs Insights, billed per GB scanned) or none",
    )


def with_evidence(loaded: LoadedPolicy, kinds: list[str] | None) -> LoadedPolicy:
    """--evidence replaces the policy's evidence.metrics and evidence.logs for one run."""
    if not kinds:
        return loaded
    chosen = set(kinds)
    if "none" in chosen and len(chosen) > 1:
        raise UsageError(
            "--evidence none cannot be combined with metrics or logs",
            hint="pass --evidence none alone, or --evidence metrics --evidence logs",
        )
    evidence = loaded.policy.evidence.model_copy(
        update={"metrics": "metrics" in chosen, "logs": "logs" in chosen}
    )
    policy = loaded.policy.model_copy(update={"evidence": evidence})
    return dataclasses.replace(loaded, policy=policy)


def _add_aws_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="AWS profile (default: the standard AWS configuration)")
    parser.add_argument(
        "--region",
        action="append",
        metavar="REGION",
        help="region whose Connect instances are in scope, repeatable (default: the policy's "
        "scope.regions, else the session's region)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args_list or "--verbose" in args_list
    try:
        with _sigterm_raises():
            args = build_parser().parse_args(args_list)
            return _dispatch(args)
    except Terminated:
        _print_error("terminated", None)
        return 143
    except CheckerError as error:
        if verbose:
            traceback.print_exc()
        _print_error(error.message, error.hint)
        return error.exit_code
    except KeyboardInterrupt:
        _print_error("interrupted", None)
        return 130
    except BrokenPipeError:
        # The reader went away (`warmcheck ... | head`): stop quietly, as the shell would.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as error:  # anything unexpected is a bug: say so, never a bare traceback
        if verbose:
            traceback.print_exc()
        _print_error(
            f"internal error (a bug in warmcheck): {type(error).__name__}: {error}",
            "run again with -v for the traceback, and report it",
        )
        return EXIT_BUG


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """SIGTERM (a CI job cancelled) unwinds like Ctrl-C, so no temporary file outlives the run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_error(message: str, hint: str | None) -> None:
    line = f"warmcheck: error: {message}"
    if hint:
        line += f" (hint: {hint})"
    print(shown(line), file=sys.stderr)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "schema":
        return _schema(args.document)
    if args.command == "explain":
        return _explain(args.rule)
    if args.command == "collect":
        return _collect(args)
    if args.command == "merge":
        return _merge(args)
    if args.command == "demo":
        return _demo(args)
    if args.command == "init":
        return _init(args)
    if args.command == "schedule":
        return _schedule(args)
    if args.command == "fix":
        return _fix(args)
    if args.command == "iac":
        return _iac(args)
    return _check(args)


def _schema(document: str) -> int:
    schemas = {
        "policy": policy_json_schema,
        "snapshot": snapshot_json_schema,
        "report": report_json_schema,
        "fix": fix_json_schema,
    }
    print(json.dumps(schemas[document](), indent=2, sort_keys=True))
    return EXIT_PASS


def _explain(name: str | None) -> int:
    if name is None:
        for listed in all_metadata():
            print(f"{listed.id}  {listed.slug:32} {listed.severity:6}  {listed.title}")
        return EXIT_PASS
    meta = find_rule(name)
    if meta is None:
        raise UsageError(f"no rule {name!r}", hint="`warmcheck explain` lists every rule")
    doc = DOCS_DIR / f"{meta.id}.md"
    if doc.is_file():
        text = doc.read_text(encoding="utf-8")
    else:
        text = f"{meta.id} {meta.slug} ({meta.severity}): {meta.title}\nFix: {meta.fix}\n"
    Terminal().markdown(text)
    return EXIT_PASS


def _load_policy(path: str) -> LoadedPolicy:
    """The policy; a missing one says how to get one instead of only "file not found"."""
    if not Path(path).exists():
        default = " (the default --policy)" if path == DEFAULT_POLICY_PATH else ""
        raise PolicyError(
            path,
            f"file not found{default}",
            hint=f"write a starter policy from your account with `warmcheck init --out {path}` "
            "(or from a saved snapshot: add --snapshot FILE), or point --policy at yours; "
            "`warmcheck demo` shows warmcheck on a local sandbox",
        )
    return load_policy(path)


def _report_destinations(args: argparse.Namespace) -> list[str]:
    """The formats `check` and `iac` write, with every destination checked before anything is
    read: a path mistake costs no collection."""
    formats = _formats(args.format)
    if args.output is not None and len(formats) != 1:
        raise UsageError(
            f"--output writes one report, but {len(formats)} formats were asked for "
            f"({', '.join(formats)})",
            hint="pick one, e.g. --format json --output -",
        )
    check_outputs(Path(args.out_dir), formats, args.write_baseline, args.summary_to, args.output)
    return formats


def _check(args: argparse.Namespace) -> int:
    formats = _report_destinations(args)
    loaded = with_evidence(_with_regions(_load_policy(args.policy), args.region), args.evidence)
    if args.snapshot is not None:
        snapshot = load_snapshot(args.snapshot)
    else:
        snapshot = _collect_live(
            loaded.policy, args.profile, args.region, Terminal(quiet=args.quiet)
        )
    baseline = load_baseline(args.baseline) if args.baseline else None
    return _evaluate_and_report(
        loaded,
        snapshot,
        args.out_dir,
        formats,
        args.fail_on,
        args.quiet,
        baseline=baseline,
        write_baseline=args.write_baseline,
        summary_to=args.summary_to,
        output=args.output,
        compact=args.compact,
    )


def _iac(args: argparse.Namespace) -> int:
    from checker.iac import load_iac, load_string_map, scoped_to, with_template_names

    formats = _report_destinations(args)
    # Templates have no runtime yet: no evidence is asked of them, whatever the policy says.
    loaded = with_evidence(_load_policy(args.policy), ["none"])
    deployed = load_snapshot(args.with_snapshot) if args.with_snapshot else None
    state = load_iac(
        args.paths,
        parameters=load_string_map(args.parameters, "parameters") if args.parameters else {},
        placeholders=load_string_map(args.placeholders, "placeholders")
        if args.placeholders
        else {},
        deployed=deployed,
        # Templates have no read time: the day they are judged on keeps reports byte-identical.
        now=_utc_now().replace(hour=0, minute=0, second=0, microsecond=0),
    )
    baseline = load_baseline(args.baseline) if args.baseline else None
    return _evaluate_and_report(
        scoped_to(loaded, state.snapshot),
        state.snapshot,
        args.out_dir,
        formats,
        args.fail_on,
        args.quiet,
        baseline=baseline,
        write_baseline=args.write_baseline,
        summary_to=args.summary_to,
        output=args.output,
        compact=args.compact,
        finish=lambda report: with_template_names(report, state.labels),
    )


def _evaluate_and_report(
    loaded: LoadedPolicy,
    snapshot: Snapshot,
    out_dir: str,
    formats: list[str],
    fail_on: str,
    quiet: bool,
    *,
    baseline: frozenset[str] | None = None,
    write_baseline: str | None = None,
    summary_to: str | None = None,
    output: str | None = None,
    compact: bool = False,
    finish: Callable[[Evaluation], Evaluation] | None = None,
) -> int:
    report = _judge(
        loaded,
        snapshot,
        out_dir,
        formats,
        fail_on,
        quiet,
        baseline=baseline,
        write_baseline=write_baseline,
        summary_to=summary_to,
        output=output,
        compact=compact,
        finish=finish,
    )
    if _no_credentials(snapshot):
        _print_error("no AWS credentials were found, so nothing could be read", NO_CREDENTIALS_HINT)
    if report.incomplete:
        return EXIT_INCOMPLETE
    return EXIT_DRIFT if report.failing else EXIT_PASS


def _judge(
    loaded: LoadedPolicy,
    snapshot: Snapshot,
    out_dir: str,
    formats: list[str],
    fail_on: str,
    quiet: bool,
    *,
    baseline: frozenset[str] | None = None,
    write_baseline: str | None = None,
    summary_to: str | None = None,
    output: str | None = None,
    compact: bool = False,
    finish: Callable[[Evaluation], Evaluation] | None = None,
) -> Evaluation:
    """Evaluate, write every report, and show the summary: what `check` and `demo` share.

    `finish` adjusts the report before it is written (`iac` names template resources)."""
    with cyclic_gc_paused():
        report = evaluate(
            loaded.policy,
            snapshot,
            snapshot.collected_at,
            policy_ref=PolicyRef(loaded.path, loaded.sha256, loaded.line_of),
            fail_on=fail_on,
            baseline=baseline,  # waivers expire as of the snapshot: the same file, the same report
        )
    if finish is not None:
        report = finish(report)
    if output is None:
        replacements = report_files(report, Path(out_dir), formats)
    elif output == "-":
        replacements = []  # stdout carries the report alone (for jq)
    else:
        replacements = [Replace(Path(output), _render(formats[0], report), "--output")]
    if write_baseline:
        text = _render("json", report)
        replacements.append(Replace(Path(write_baseline), text, "--write-baseline"))
    appends = []
    if summary_to:  # appended, not replaced: a CI step summary collects every step's output
        appends.append(Append(Path(summary_to), _render("markdown", report), "--summary-to"))
    written = publish(replacements, appends)
    # With the report on stdout, what a person reads goes to stderr.
    stream = sys.stderr if output == "-" else None
    Terminal(quiet=quiet, compact=compact, stream=stream).summary(report, written)
    if output == "-":
        sys.stdout.write(_render(formats[0], report))
        sys.stdout.flush()
    return report


def _with_regions(loaded: LoadedPolicy, regions: list[str] | None) -> LoadedPolicy:
    """--region replaces the policy's scope.regions, for collection and evaluation alike."""
    if not regions:
        return loaded
    try:
        scope = Scope.model_validate({**loaded.policy.scope.model_dump(), "regions": regions})
    except ValidationError as error:
        raise UsageError(
            f"--region: {error.errors()[0]['msg'].removeprefix('Value error, ')}",
            hint="e.g. --region us-east-1",
        ) from None
    policy = loaded.policy.model_copy(update={"scope": scope})
    return dataclasses.replace(loaded, policy=policy)


def _collect_live(
    policy: Policy,
    profile: str | None,
    regions: list[str] | None,
    terminal: Terminal,
    shard: Shard | None = None,
) -> Snapshot:
    from checker.collect import collect  # boto3 loads only when AWS is really read

    with terminal.collection() as progress:
        collection = collect(
            policy,
            profile=profile,
            regions=regions,
            now=_utc_now(),
            progress=progress,
            shard=shard,
        )
    return collection.snapshot


def load_baseline(path: str) -> frozenset[str]:
    """Fingerprints of an earlier JSON report; a bad file is a BaselineError (exit 2)."""
    document = load_json(Path(path), error_cls=BaselineError)
    try:
        report = ReportV1.model_validate(document.data)
    except ValidationError as error:
        raise validation_error(
            error,
            document,
            path,
            error_cls=BaselineError,
            model=ReportV1,
            hint="a baseline is a warmcheck.json written by `warmcheck check`",
        ) from None
    return frozenset(finding.fingerprint for finding in report.findings)


def _no_credentials(snapshot: Snapshot) -> bool:
    return any(error.code == NO_CREDENTIALS_CODE for error in snapshot.errors)


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _collect(args: argparse.Namespace) -> int:
    shard = _shard_flag(args.shard)
    loaded = with_evidence(_with_regions(_load_policy(args.policy), args.region), args.evidence)
    if shard is not None and loaded.policy.scope.organization is None:
        raise UsageError(
            "--shard splits an organization's accounts, but the policy has no scope.organization",
            hint="add scope.organization (see docs/organizations.md), or drop --shard",
        )
    check_file(Path(args.out), "--out")
    snapshot = _collect_live(
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
        if _no_credentials(snapshot):
            _print_error("no AWS credentials were found", NO_CREDENTIALS_HINT)
        return EXIT_INCOMPLETE
    return EXIT_PASS


def _fix(args: argparse.Namespace) -> int:
    # Every destination is checked before AWS is read, as for `check`.
    check_directory(Path(args.out_dir), "--out-dir")
    loaded = _with_regions(_load_policy(args.policy), args.region)
    if args.snapshot is not None:
        snapshot = load_snapshot(args.snapshot)
    else:
        snapshot = _collect_live(
            loaded.policy, args.profile, args.region, Terminal(quiet=args.quiet)
        )
    plan, written = write_fix_plan(loaded, snapshot, Path(args.out_dir), args.format)
    for line in fix_summary(plan, written, quiet=args.quiet):
        print(line)
    if not plan.complete:
        _print_error(
            "evidence is incomplete: the plan covers only what could be read",
            "see the WARM901 findings (`warmcheck check`), fix access and run again",
        )
        return EXIT_INCOMPLETE
    return EXIT_PASS


def write_fix_plan(
    loaded: LoadedPolicy, snapshot: Snapshot, out_dir: Path, formats: list[str] | None
) -> tuple[FixPlanV1, list[Path]]:
    """Plan, render every chosen file, then publish them all or none."""
    with cyclic_gc_paused():
        plan = make_plan(loaded, snapshot)
    files = render_plan(plan, formats)
    written = publish([Replace(out_dir / name, text, "--out-dir", True) for name, text in files])
    return plan, written


def _shard_flag(text: str | None) -> Shard | None:
    if text is None:
        return None
    from checker.collect.organizations import parse_shard

    try:
        return parse_shard(text)
    except ValueError as error:
        raise UsageError(f"--shard: {error}", hint="e.g. --shard 1/4") from None


def _merge(args: argparse.Namespace) -> int:
    check_file(Path(args.out), "--out")
    files = [ShardFile(path, load_snapshot(path)) for path in args.shards]
    merged = merge_shards(files)  # refuses a missing, repeated or foreign shard: exit 2
    publish([Replace(Path(args.out), merged.to_json(), "--out")])
    print(
        f"warmcheck: {len(files)} shard(s) merged: {len(merged.accounts)} account(s) scanned, "
        f"{len(merged.instances)} Connect instance(s), {len(merged.functions)} function(s) "
        f"written to {args.out}"
    )
    return EXIT_INCOMPLETE if merged.errors else EXIT_PASS


def _schedule(args: argparse.Namespace) -> int:
    limit = None
    if args.max_interval is not None:
        try:
            limit = parse_duration(args.max_interval)
        except ValueError as error:
            raise UsageError(f"--max-interval: {error}", hint="e.g. --max-interval 5m") from None
    check = check_expression(
        args.expression,
        timezone=args.timezone,
        window=parse_window_option(args.window, args.window_timezone or args.timezone),
        next_count=args.next,
        now=_utc_now(),
        flexible_window_minutes=args.flexible_window,
        max_interval_seconds=limit,
    )
    lines = render_schedule_check(check)
    if args.quiet:  # the answer alone: the worst gap and, when asked for, the verdict
        lines = [line for line in lines if line.startswith(("worst gap", "verdict:"))]
    print("\n".join(lines))
    return EXIT_DRIFT if check.verdict == "too-long" else EXIT_PASS


def _init(args: argparse.Namespace) -> int:
    out = None if args.out == "-" else Path(args.out)
    if out is not None and out.exists() and not args.force:
        raise UsageError(f"{out} exists", hint="pass --force to overwrite it, or pick --out")
    if out is not None:
        check_file(out, "--out", create_parent=True)
    if args.snapshot is not None:
        snapshot = load_snapshot(args.snapshot)
    else:
        scope = Scope(regions=args.region) if args.region else Scope()
        snapshot = _collect_live(
            Policy(version=1, scope=scope), args.profile, args.region, Terminal(quiet=True)
        )
    if _no_credentials(snapshot):
        # A policy from an account nobody could read would say that nothing exists.
        _print_error(
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
        _print_error(
            f"{len(snapshot.errors)} read(s) failed, so the policy may miss what was not seen",
            "see the errors in the snapshot, or run `warmcheck collect --out FILE`",
        )
        return EXIT_INCOMPLETE
    return EXIT_PASS


# Shipped inside the package, so `warmcheck demo` works from any folder once installed.
DEMO_POLICY = Path(__file__).resolve().parent.parent / "sandbox" / "demo-policy.yaml"


def _shown_path(path: Path) -> str:
    """A path relative to the working folder when it is inside it, else absolute."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _demo(args: argparse.Namespace) -> int:
    if args.organization:
        return _demo_organization(args)
    formats = _formats(args.format)
    try:  # moto and the seed load only for the demo
        import moto  # noqa: F401
    except ImportError:
        raise UsageError(
            "the demo needs the local AWS sandbox, which is not installed",
            hint="pip install 'warmcheck[sandbox]' (or pipx install 'warmcheck[sandbox]')",
        ) from None
    from checker.sandbox import Sandbox, sandbox_environment
    from checker.sandbox.demo import seed_demo

    loaded = load_policy(_shown_path(DEMO_POLICY))
    print("warmcheck demo: starting the local AWS sandbox on 127.0.0.1 ...")
    with Sandbox.start() as sandbox, sandbox_environment(sandbox.env()):
        print(f"warmcheck demo: sandbox at {sandbox.endpoint_url}; seeding a contact center")
        manifest = seed_demo(sandbox.env())
        for line in manifest.drifts:
            print(f"  seeded drift: {line}")
        for line in manifest.notes:
            print(f"  also expected: {line}")
        snapshot = _collect_live(loaded.policy, None, None, Terminal(quiet=True))
        report = _judge(
            loaded, snapshot, args.out_dir, formats, "low", args.quiet, compact=args.compact
        )
        if args.fix:
            plan, written = write_fix_plan(loaded, snapshot, Path(args.out_dir), None)
            for line in fix_summary(plan, written, quiet=True):
                print(f"warmcheck demo: {line.removeprefix('warmcheck ')}")
            print(f"warmcheck demo: plan written: {', '.join(str(p) for p in written)}")
    found = {(f.rule, f.resource) for f in report.findings}
    expected = set(manifest.expected)
    if found == expected:
        print(
            f"warmcheck demo: OK: found exactly the {len(expected)} seeded drift findings; "
            f"reports in {args.out_dir}/ (the sandbox has stopped)"
        )
        return EXIT_PASS
    for rule, resource in sorted(expected - found):
        print(f"warmcheck demo: MISSED {rule} {resource}")
    for rule, resource in sorted(found - expected):
        print(f"warmcheck demo: UNEXPECTED {rule} {resource}")
    return EXIT_DRIFT


def _demo_organization(args: argparse.Namespace) -> int:
    from checker.sandbox import Sandbox, sandbox_environment
    from checker.sandbox.organization import ORGANIZATION_POLICY, seed_organization

    loaded = load_policy(ORGANIZATION_POLICY)
    print("warmcheck demo: starting the local AWS sandbox on 127.0.0.1 ...")
    with Sandbox.start() as sandbox, sandbox_environment(sandbox.env()):
        print(f"warmcheck demo: sandbox at {sandbox.endpoint_url}; seeding an organization")
        manifest = seed_organization(sandbox.env())
        for line in manifest.drifts:
            print(f"  seeded: {line}")
        snapshot = _collect_live(loaded.policy, None, None, Terminal(quiet=True))
        report = _judge(
            loaded,
            snapshot,
            args.out_dir,
            _formats(args.format),
            "low",
            args.quiet,
            compact=args.compact,
        )
    scan = snapshot.organization
    outcomes = {o.account: o.outcome for o in scan.outcomes} if scan is not None else {}
    for account, outcome in sorted(outcomes.items()):
        print(f"  account {account}: {outcome}")
    found = {(f.rule, f.resource) for f in report.findings}
    if found == set(manifest.expected) and outcomes == dict(manifest.outcomes):
        print(
            f"warmcheck demo: OK: every account has the outcome seeded and the "
            f"{len(found)} seeded findings were found; reports in {args.out_dir}/"
        )
        return EXIT_PASS
    for rule, resource in sorted(set(manifest.expected) - found):
        print(f"warmcheck demo: MISSED {rule} {resource}")
    for rule, resource in sorted(found - set(manifest.expected)):
        print(f"warmcheck demo: UNEXPECTED {rule} {resource}")
    for account, wanted in sorted(manifest.outcomes.items()):
        if outcomes.get(account) != wanted:
            print(f"warmcheck demo: account {account}: {outcomes.get(account)}, not {wanted}")
    return EXIT_DRIFT


def _format(name: str) -> Format:
    fmt = find_format(name)
    if fmt is None:
        raise UsageError(f"unknown format {name!r}")
    return fmt


def _render(name: str, report: Evaluation) -> str:
    return _format(name).render(report)


def check_outputs(
    out_dir: Path,
    formats: Sequence[str] | None,
    baseline: str | None,
    summary: str | None,
    output: str | None = None,
) -> None:
    """Check every destination a `check` run writes, before anything is read or written."""
    if output is not None:
        if output != "-":  # --output replaces --out-dir: one report, one named file
            check_file(Path(output), "--output")
    else:
        check_directory(out_dir, "--out-dir")
        for name in dict.fromkeys(formats or DEFAULT_FORMATS):
            path = out_dir / _format(name).filename
            if path.exists() or path.is_symlink():
                check_file(path, "--out-dir")
    if baseline:
        check_file(Path(baseline), "--write-baseline")
    if summary:
        check_append(Path(summary), "--summary-to")


def report_files(report: Evaluation, out_dir: Path, formats: Sequence[str]) -> list[Replace]:
    """Every requested report rendered in full (nothing is written here)."""
    return [
        Replace(out_dir / _format(name).filename, _format(name).render(report), "--out-dir", True)
        for name in dict.fromkeys(formats)
    ]
