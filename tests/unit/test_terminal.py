"""The terminal: plain timestamp-free lines off a TTY, colour and a table on one, -q alone."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from rich.console import Console

from checker.cli.terminal import CollectionProgress, Terminal
from checker.engine import Evaluation, PolicyRef, evaluate
from tests.scenario import NOW, default_policy, healthy


def drifted_report() -> Evaluation:
    scenario = healthy()
    scenario.rules = []
    return evaluate(default_policy(), scenario.snapshot(), NOW, policy_ref=PolicyRef("p", "0" * 64))


def test_off_a_tty_lines_are_plain_and_repeatable() -> None:
    outputs = []
    for _ in range(2):
        stream = io.StringIO()
        Terminal(stream=stream).summary(drifted_report(), [Path("reports/warmcheck.json")])
        outputs.append(stream.getvalue())
    assert outputs[0] == outputs[1]
    text = outputs[0]
    assert "\x1b[" not in text  # no escape codes in CI logs
    assert text.splitlines()[0].startswith("warmcheck: FAIL: 0/2 required functions warm")
    assert "  WARM001 high   " in text
    assert text.rstrip().endswith("report: reports/warmcheck.json")


def test_quiet_prints_only_the_verdict_line() -> None:
    stream = io.StringIO()
    terminal = Terminal(quiet=True, stream=stream)
    with terminal.collection() as progress:
        progress("connect", "flows", 3)
    terminal.summary(drifted_report(), [Path("x")])
    assert stream.getvalue().count("\n") == 1


def test_on_a_tty_the_summary_is_a_coloured_table() -> None:
    stream = io.StringIO()
    terminal = Terminal(stream=stream)
    terminal.console = Console(file=stream, force_terminal=True, width=200, color_system="standard")
    terminal.live = True
    terminal.summary(drifted_report(), [Path("reports/warmcheck.json")])
    text = stream.getvalue()
    assert "\x1b[" in text  # coloured
    assert "rule" in text and "severity" in text  # noqa: PT018 - the table header
    assert "WARM001" in text


def test_collection_progress_adds_up_from_many_threads() -> None:
    progress = CollectionProgress()

    def work() -> None:
        for _ in range(1000):
            progress("lambda", "functions", 1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    progress("connect", "lambda_functions", 25)
    assert progress.lines() == ["read connect: 25 lambda functions", "read lambda: 4000 functions"]


def test_collection_lines_are_printed_after_collection_off_a_tty() -> None:
    stream = io.StringIO()
    with Terminal(stream=stream).collection() as progress:
        progress("events", "rules", 2)
        progress("events", "targets", 5)
    assert stream.getvalue() == "read events: 2 rules, 5 targets\n"
