"""What the CLI shows a person: live collection progress and a summary, coloured on a terminal.

Part of the command line (the only layer that prints). On a TTY it uses rich for a progress
display and a compact coloured table; anywhere else (CI logs, pipes) it prints plain,
timestamp-free lines, so two runs over the same state print the same text.
"""

from __future__ import annotations

import sys
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text

from checker.engine import Evaluation
from checker.format.display import fix_of, headline_text, named_message, set_aside_text
from checker.format.escape import shown

_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}
_VERDICT_STYLE = {"pass": "bold green", "fail": "bold red", "incomplete": "bold magenta"}
MAX_LISTED = 50  # findings listed on a terminal; the reports hold all of them


class Terminal:
    def __init__(
        self, *, quiet: bool = False, stream: TextIO | None = None, compact: bool = False
    ) -> None:
        self.quiet = quiet
        self.compact = compact  # one line per finding, no fix
        self.stream = stream or sys.stdout
        self.console = Console(file=self.stream, highlight=False, soft_wrap=True)
        self.live = self.console.is_terminal and not quiet

    def line(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def markdown(self, text: str) -> None:
        """A Markdown document: rendered on a terminal, as it is when piped or redirected."""
        if self.console.is_terminal:
            self.console.print(Markdown(text))
        else:
            print(text, end="" if text.endswith("\n") else "\n", file=self.stream)

    @contextmanager
    def collection(self) -> Iterator[CollectionProgress]:
        progress = CollectionProgress()
        if not self.live:
            yield progress
            if not self.quiet:
                for text in progress.lines():
                    print(text, file=self.stream)
            return
        with Live(progress.table(), console=self.console, transient=True) as live:
            progress.on_change = lambda: live.update(progress.table())
            yield progress
        for text in progress.lines():
            self.console.print(text, markup=False)

    def summary(self, report: Evaluation, written: list[Path]) -> None:
        verdict = report.verdict
        headline = f"warmcheck: {verdict.upper()}: {headline_text(report)}"
        aside = set_aside_text(report)
        listed = [f for f in report.findings if not f.waived and not f.baselined]
        if self.quiet or not self.live:
            print(headline, file=self.stream)
            if not self.quiet:
                if aside:
                    print(f"  {aside}", file=self.stream)
                for finding in listed:
                    message = named_message(report, finding)
                    print(f"  {finding.rule} {finding.severity:6} {message}", file=self.stream)
                    if not self.compact:
                        print(f"{'':17}fix: {fix_of(report, finding)}", file=self.stream)
                for path in written:
                    print(f"report: {shown(str(path))}", file=self.stream)
            return
        self.console.print(headline, style=_VERDICT_STYLE[verdict], markup=False)
        if aside:
            self.console.print(aside, style="dim", markup=False)
        table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
        for column in ("rule", "severity", "finding"):
            table.add_column(column)
        for finding in listed[:MAX_LISTED]:
            text = Text(named_message(report, finding))
            if not self.compact:
                text.append("\nfix: " + fix_of(report, finding), style="dim")
            table.add_row(
                finding.rule,
                Text(finding.severity, style=_SEVERITY_STYLE[finding.severity]),
                text,
            )
        if listed:
            self.console.print(table)
        if len(listed) > MAX_LISTED:
            self.console.print(f"… and {len(listed) - MAX_LISTED} more in the reports")
        for path in written:
            self.console.print(f"report: {shown(str(path))}", markup=False)


class CollectionProgress:
    """The collector's progress callback: counts per service and step, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: dict[str, dict[str, int]] = defaultdict(dict)
        self.on_change: object = None

    def __call__(self, service: str, step: str, count: int) -> None:
        with self._lock:
            steps = self.counts[service]
            steps[step] = steps.get(step, 0) + count
        callback = self.on_change
        if callable(callback):
            callback()

    def lines(self) -> list[str]:
        with self._lock:
            return [
                f"read {service}: "
                + ", ".join(
                    f"{count} {step.replace('_', ' ')}" for step, count in sorted(steps.items())
                )
                for service, steps in sorted(self.counts.items())
            ]

    def table(self) -> Table:
        table = Table(title="reading AWS (read-only)", box=None, show_header=False)
        table.add_column("service", style="bold")
        table.add_column("progress")
        with self._lock:
            for service, steps in sorted(self.counts.items()):
                table.add_row(
                    service,
                    ", ".join(
                        f"{count} {step.replace('_', ' ')}" for step, count in sorted(steps.items())
                    ),
                )
        return table
