"""The flags several commands share, and the values they become.

A command module adds its own flags and calls these for the shared ones: -v/-q (every command),
--policy, --profile/--region (AWS), --evidence, --format/--compact, and the report flags `check`
and `iac` share. Turning a flag into a value (formats, regions, evidence, the policy) lives next
to the flag, so a flag and its meaning are read in one place.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import NoReturn, TypeAlias

from pydantic import ValidationError

from checker.engine import FAIL_ON_CHOICES
from checker.errors import PolicyError, UsageError
from checker.format.registry import DEFAULT_FORMATS, FORMATS
from checker.load.policy import LoadedPolicy, load_policy
from checker.model.policy import DEFAULT_POLICY_PATH, Scope


class UsageParser(argparse.ArgumentParser):
    """argparse that reports a bad flag as one line through our error path (exit 2)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", hint=f"see `{self.prog} --help`")


# What each command module's `add_parser` adds its subparser to.
Subcommands: TypeAlias = "argparse._SubParsersAction[UsageParser]"


def add_noise_flags(parser: argparse.ArgumentParser, *, default: object) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="show tracebacks"
    )
    group.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="print only the verdict line"
    )


def noise_flags() -> UsageParser:
    """The parent every command takes, so `warmcheck check -q` works as `warmcheck -q check`.

    SUPPRESS keeps a command's -v/-q from resetting what was given before the command."""
    noise = UsageParser(add_help=False)
    add_noise_flags(noise, default=argparse.SUPPRESS)
    return noise


def add_policy_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy", default=DEFAULT_POLICY_PATH, help=f"policy file (default {DEFAULT_POLICY_PATH})"
    )


def load_policy_flag(path: str) -> LoadedPolicy:
    """The --policy file; a missing one says how to get one instead of only "file not found"."""
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


def add_aws_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="AWS profile (default: the standard AWS configuration)")
    parser.add_argument(
        "--region",
        action="append",
        metavar="REGION",
        help="region whose Connect instances are in scope, repeatable (default: the policy's "
        "scope.regions, else the session's region)",
    )


def with_regions(loaded: LoadedPolicy, regions: list[str] | None) -> LoadedPolicy:
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


EVIDENCE_CHOICES = ("metrics", "logs", "none")


def add_evidence_flag(parser: argparse.ArgumentParser) -> None:
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


def add_format_flags(parser: argparse.ArgumentParser) -> None:
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


def chosen_formats(chosen: list[list[str]] | None) -> list[str]:
    """--format values flattened in order, each once; the default when none was given."""
    if not chosen:
        return list(DEFAULT_FORMATS)
    return list(dict.fromkeys(name for names in chosen for name in names))


def add_report_flags(parser: argparse.ArgumentParser) -> None:
    """What `check` and `iac` share: the policy, the reports and how the run fails."""
    add_policy_flag(parser)
    parser.add_argument("--out-dir", default="reports", help="where reports go (default reports/)")
    add_format_flags(parser)
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
