"""`warmcheck explain`: list the rules, or print one rule's documentation."""

from __future__ import annotations

import argparse

from checker.cli.exits import EXIT_PASS
from checker.cli.options import Subcommands, noise_flags
from checker.cli.terminal import Terminal
from checker.errors import UsageError
from checker.rules.base import DOCS_DIR
from checker.rules.catalogue import all_metadata, find_rule


def add_parser(commands: Subcommands) -> None:
    explain = commands.add_parser(
        "explain", parents=[noise_flags()], help="print a rule's documentation"
    )
    explain.add_argument("rule", nargs="?", help="rule ID or slug; omit to list every rule")


def run(args: argparse.Namespace) -> int:
    name: str | None = args.rule
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
