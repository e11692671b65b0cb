"""Exit codes (docs/exit-codes.md) and the one line every error is reported as."""

from __future__ import annotations

import sys

from checker.format.escape import shown

EXIT_PASS, EXIT_DRIFT, EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_BUG = 0, 1, 2, 3, 4


def print_error(message: str, hint: str | None) -> None:
    """``warmcheck: error: MESSAGE (hint: HINT)`` on stderr, names from AWS escaped."""
    line = f"warmcheck: error: {message}"
    if hint:
        line += f" (hint: {hint})"
    print(shown(line), file=sys.stderr)
