"""The command line: the only place that prints, reads the environment, or exits.

One module per command (check.py, iac.py, collect.py, merge.py, fix.py, demo.py, init.py,
schedule.py, schema.py, explain.py), each with `add_parser(commands)` and `run(args) -> int`;
`COMMANDS` lists them in the order `warmcheck --help` shows. What several commands share:
options.py (flags and what they become), reports.py (evaluate, write reports, exit code),
live.py (reading AWS), exits.py (exit codes, the error line), terminal.py (what a person sees).
This module parses, runs the one command, and maps every error to its exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from checker import __version__
from checker.cli import check, collect, demo, explain, fix, iac, init, merge, schedule, schema
from checker.cli.exits import EXIT_BUG, print_error
from checker.cli.options import Subcommands, UsageParser, add_noise_flags
from checker.errors import CheckerError
from checker.output import Terminated


class Command(Protocol):
    """What each command module is: its flags and how it runs."""

    def add_parser(self, commands: Subcommands) -> None:
        """Add the command's subparser (name, help, flags) to `commands`."""

    def run(self, args: argparse.Namespace) -> int:
        """Run the command; the exit code, or a CheckerError that `main` maps to one."""


COMMANDS: Mapping[str, Command] = {
    "check": check,
    "iac": iac,
    "collect": collect,
    "merge": merge,
    "fix": fix,
    "demo": demo,
    "init": init,
    "schedule": schedule,
    "schema": schema,
    "explain": explain,
}


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(
        prog="warmcheck",
        description="Prove that every Lambda an Amazon Connect contact flow can call is kept "
        "warm, and report drift when it is not.",
        epilog="Exit codes: 0 compliant, 1 drift, 2 bad input, 3 incomplete evidence, "
        "4 internal error (see docs/exit-codes.md).",
    )
    parser.add_argument("--version", action="version", version=f"warmcheck {__version__}")
    add_noise_flags(parser, default=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=UsageParser)
    commands.required = True
    for command in COMMANDS.values():
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run the one command, map errors to exit codes."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args_list or "--verbose" in args_list
    try:
        with _sigterm_raises():
            args = build_parser().parse_args(args_list)
            return COMMANDS[args.command].run(args)
    except Terminated:
        print_error("terminated", None)
        return 143
    except CheckerError as error:
        if verbose:
            traceback.print_exc()
        print_error(error.message, error.hint)
        return error.exit_code
    except KeyboardInterrupt:
        print_error("interrupted", None)
        return 130
    except BrokenPipeError:
        # The reader went away (`warmcheck ... | head`): stop quietly, as the shell would.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as error:  # anything unexpected is a bug: say so, never a bare traceback
        if verbose:
            traceback.print_exc()
        print_error(
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
