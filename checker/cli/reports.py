"""Evaluate and report: what `check`, `iac` and `demo` share.

Every destination is checked before anything is read (`report_options`), then `judge`
evaluates, writes every report at once (all or none) and shows the summary, and
`evaluate_and_report` adds the exit code by the ladder: 3 incomplete evidence, 1 drift, 0
compliant.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from checker.cli.exits import EXIT_DRIFT, EXIT_INCOMPLETE, EXIT_PASS, print_error
from checker.cli.live import NO_CREDENTIALS_HINT, no_credentials
from checker.cli.options import chosen_formats
from checker.cli.terminal import Terminal
from checker.engine import Evaluation, PolicyRef, evaluate
from checker.errors import BaselineError, UsageError
from checker.format.registry import DEFAULT_FORMATS, Format, find_format
from checker.load.documents import load_json, validation_error
from checker.load.policy import LoadedPolicy
from checker.model.report import ReportV1
from checker.model.snapshot import Snapshot
from checker.output import Append, Replace, check_append, check_directory, check_file, publish


@dataclass(frozen=True)
class ReportOptions:
    """Where a run's reports go and how it fails, from the report flags (or the demo's)."""

    out_dir: str
    formats: list[str]
    fail_on: str
    quiet: bool
    write_baseline: str | None = None
    summary_to: str | None = None
    output: str | None = None  # one report to this file, or "-" for stdout
    compact: bool = False


def report_options(args: argparse.Namespace) -> ReportOptions:
    """The report flags of `check` and `iac`, with every destination checked before anything is
    read: a path mistake costs no collection."""
    formats = chosen_formats(args.format)
    if args.output is not None and len(formats) != 1:
        raise UsageError(
            f"--output writes one report, but {len(formats)} formats were asked for "
            f"({', '.join(formats)})",
            hint="pick one, e.g. --format json --output -",
        )
    check_outputs(Path(args.out_dir), formats, args.write_baseline, args.summary_to, args.output)
    return ReportOptions(
        out_dir=args.out_dir,
        formats=formats,
        fail_on=args.fail_on,
        quiet=args.quiet,
        write_baseline=args.write_baseline,
        summary_to=args.summary_to,
        output=args.output,
        compact=args.compact,
    )


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


def _format(name: str) -> Format:
    fmt = find_format(name)
    if fmt is None:
        raise UsageError(f"unknown format {name!r}")
    return fmt


def render(name: str, report: Evaluation) -> str:
    return _format(name).render(report)


def report_files(report: Evaluation, out_dir: Path, formats: Sequence[str]) -> list[Replace]:
    """Every requested report rendered in full (nothing is written here)."""
    return [
        Replace(out_dir / _format(name).filename, _format(name).render(report), "--out-dir", True)
        for name in dict.fromkeys(formats)
    ]


def judge(
    loaded: LoadedPolicy,
    snapshot: Snapshot,
    options: ReportOptions,
    *,
    baseline: frozenset[str] | None = None,
    finish: Callable[[Evaluation], Evaluation] | None = None,
) -> Evaluation:
    """Evaluate, write every report, and show the summary.

    `finish` adjusts the report before it is written (`iac` names template resources)."""
    with cyclic_gc_paused():
        report = evaluate(
            loaded.policy,
            snapshot,
            snapshot.collected_at,
            policy_ref=PolicyRef(loaded.path, loaded.sha256, loaded.line_of),
            fail_on=options.fail_on,
            baseline=baseline,  # waivers expire as of the snapshot: the same file, the same report
        )
    if finish is not None:
        report = finish(report)
    output = options.output
    if output is None:
        replacements = report_files(report, Path(options.out_dir), options.formats)
    elif output == "-":
        replacements = []  # stdout carries the report alone (for jq)
    else:
        replacements = [Replace(Path(output), render(options.formats[0], report), "--output")]
    if options.write_baseline:
        text = render("json", report)
        replacements.append(Replace(Path(options.write_baseline), text, "--write-baseline"))
    appends = []
    if options.summary_to:
        # Appended, not replaced: a CI step summary collects every step's output.
        summary = render("markdown", report)
        appends.append(Append(Path(options.summary_to), summary, "--summary-to"))
    written = publish(replacements, appends)
    # With the report on stdout, what a person reads goes to stderr.
    stream = sys.stderr if output == "-" else None
    Terminal(quiet=options.quiet, compact=options.compact, stream=stream).summary(report, written)
    if output == "-":
        sys.stdout.write(render(options.formats[0], report))
        sys.stdout.flush()
    return report


def evaluate_and_report(
    loaded: LoadedPolicy,
    snapshot: Snapshot,
    options: ReportOptions,
    *,
    baseline: frozenset[str] | None = None,
    finish: Callable[[Evaluation], Evaluation] | None = None,
) -> int:
    """`judge`, then the exit code by the ladder: incomplete evidence (3) before drift (1)."""
    report = judge(loaded, snapshot, options, baseline=baseline, finish=finish)
    if no_credentials(snapshot):
        print_error("no AWS credentials were found, so nothing could be read", NO_CREDENTIALS_HINT)
    if report.incomplete:
        return EXIT_INCOMPLETE
    return EXIT_DRIFT if report.failing else EXIT_PASS


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """The one process-wide setting warmcheck makes, for evaluation only: no cyclic garbage
    collection while the engine builds the analysis. Evaluation allocates millions of small,
    acyclic objects next to a snapshot that lives until the process exits; full collections
    over them made it grow faster than the account (`make bench`, engine). Reference counting
    still frees everything acyclic. Collection keeps the collector on (clients and retries form
    cycles over a long organization scan), and its earlier state comes back when evaluation
    returns or fails."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
