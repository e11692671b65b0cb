"""The error tree. The CLI turns each into one line (message, then hint) and an exit code."""

from __future__ import annotations


class CheckerError(Exception):
    """Root of every error warmcheck expects; anything else is a bug (exit 4)."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(CheckerError):
    """A bad flag or argument on the command line."""


class InputFileError(CheckerError):
    """A user-supplied file (policy, snapshot, baseline) is unreadable or invalid.

    `location` is ``file:line:column`` when known, `field` the dotted path of the bad field.
    """

    kind = "input"

    def __init__(
        self,
        path: str,
        problem: str,
        *,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.field = field
        self.problem = problem
        location = path
        if line is not None:
            location += f":{line}"
            if column is not None:
                location += f":{column}"
        where = f"{location}: {field}: " if field else f"{location}: "
        super().__init__(f"{where}{problem}", hint)


class PolicyError(InputFileError):
    kind = "policy"


class SnapshotError(InputFileError):
    kind = "snapshot"


class BaselineError(InputFileError):
    kind = "baseline"


class TemplateError(InputFileError):
    """An infrastructure template, plan, flow file or parameter file `warmcheck iac` reads."""

    kind = "template"


class ScheduleExpressionError(CheckerError):
    """A rate()/cron()/at() expression AWS would reject."""


class CollectionError(CheckerError):
    """Reading AWS failed in a way that stops the whole run (no credentials, no endpoint)."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        service: str | None = None,
        operation: str | None = None,
        region: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.service = service
        self.operation = operation
        self.region = region
