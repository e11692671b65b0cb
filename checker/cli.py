"""The command line: the only place that prints, reads the environment, or exits."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from checker import __version__
from checker.engine import FAIL_ON_CHOICES, PolicyRef, Report, evaluate
from checker.errors import CheckerError, UsageError
from checker.format import DEFAULT_FORMATS, FORMATS, find_format
from checker.policy import DEFAULT_POLICY_PATH, load_policy, policy_json_schema
from checker.report import report_json_schema
from checker.rules import all_metadata, find_rule
from checker.rules.base import DOCS_DIR
from checker.snapshot import load_snapshot, snapshot_json_schema

EXIT_PASS, EXIT_DRIFT, EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_BUG = 0, 1, 2, 3, 4


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
        help="evaluate the policy against a snapshot and write reports",
        description="Evaluate --policy against the state in --snapshot and write reports.",
    )
    check.add_argument(
        "--policy", default=DEFAULT_POLICY_PATH, help=f"policy file (default {DEFAULT_POLICY_PATH})"
    )
    check.add_argument(
        "--snapshot",
        metavar="FILE",
        required=True,
        help="evaluate this snapshot file (from `warmcheck collect`) instead of reading AWS",
    )
    check.add_argument("--out-dir", default="reports", help="where reports go (default reports/)")
    check.add_argument(
        "--format",
        action="append",
        choices=[fmt.name for fmt in FORMATS],
        help=f"report format, repeatable (default: {' and '.join(DEFAULT_FORMATS)})",
    )
    check.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default="low",
        help="lowest severity that fails the run (default low; never = report only)",
    )

    schema = commands.add_parser(
        "schema", parents=[noise], help="print a JSON Schema generated from the models"
    )
    schema.add_argument("document", choices=("policy", "snapshot", "report"))

    explain = commands.add_parser("explain", parents=[noise], help="print a rule's documentation")
    explain.add_argument("rule", nargs="?", help="rule ID or slug; omit to list every rule")
    return parser


def _add_noise_flags(parser: argparse.ArgumentParser, *, default: object) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="show tracebacks"
    )
    group.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="print only the verdict line"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args_list or "--verbose" in args_list
    try:
        args = build_parser().parse_args(args_list)
        return _dispatch(args)
    except CheckerError as error:
        if verbose:
            traceback.print_exc()
        _print_error(error.message, error.hint)
        return error.exit_code
    except KeyboardInterrupt:
        _print_error("interrupted", None)
        return 130
    except Exception as error:  # anything unexpected is a bug: say so, never a bare traceback
        if verbose:
            traceback.print_exc()
        _print_error(
            f"internal error (a bug in warmcheck): {type(error).__name__}: {error}",
            "run again with -v for the traceback, and report it",
        )
        return EXIT_BUG


def _print_error(message: str, hint: str | None) -> None:
    line = f"warmcheck: error: {message}"
    if hint:
        line += f" (hint: {hint})"
    print(line, file=sys.stderr)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "schema":
        return _schema(args.document)
    if args.command == "explain":
        return _explain(args.rule)
    return _check(args)


def _schema(document: str) -> int:
    schemas = {
        "policy": policy_json_schema,
        "snapshot": snapshot_json_schema,
        "report": report_json_schema,
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
        print(doc.read_text(encoding="utf-8"), end="")
    else:
        print(f"{meta.id} {meta.slug} ({meta.severity}): {meta.title}\nFix: {meta.fix}")
    return EXIT_PASS


def _check(args: argparse.Namespace) -> int:
    loaded = load_policy(args.policy)
    snapshot = load_snapshot(args.snapshot)
    report = evaluate(
        loaded.policy,
        snapshot,
        snapshot.collected_at,
        policy_ref=PolicyRef(loaded.path, loaded.sha256),
        fail_on=args.fail_on,
    )
    written = write_reports(report, Path(args.out_dir), args.format or list(DEFAULT_FORMATS))
    _summarise(report, written, quiet=args.quiet)
    if report.incomplete:
        return EXIT_INCOMPLETE
    return EXIT_DRIFT if report.failing else EXIT_PASS


def write_reports(report: Report, out_dir: Path, formats: Sequence[str]) -> list[Path]:
    """Render every format first, then write each atomically: never a half-written report."""
    rendered = []
    for name in dict.fromkeys(formats):
        fmt = find_format(name)
        if fmt is None:
            raise UsageError(f"unknown format {name!r}")
        rendered.append((out_dir / fmt.filename, fmt.render(report)))
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, text in rendered:
        _write_atomically(path, text)
    return [path for path, _ in rendered]


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _summarise(report: Report, written: list[Path], *, quiet: bool) -> None:
    counts = report.counts()
    verdict = report.verdict.upper()
    line = (
        f"warmcheck: {verdict}: {report.warm}/{report.required} required functions warm; "
        f"findings: {counts['high']} high, {counts['medium']} medium, {counts['low']} low"
    )
    if report.waived:
        line += f", {report.waived} waived"
    print(line)
    if quiet:
        return
    for finding in report.findings:
        if not finding.waived:
            print(f"  {finding.rule} {finding.severity:6} {finding.message}")
    for path in written:
        print(f"report: {path}")
