"""What the analysis finds, as frozen values: read by rules, formats, evidence, fix and init.

Data only, no analysis logic, so `analysis/evidence.py` (and anything else) can name these types
without importing the `Analysis` that builds them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from checker.domain.arns import FunctionKey
from checker.domain.permissions import Verdict
from checker.domain.schedule import FiringSource, Gap
from checker.errors import ScheduleExpressionError
from checker.format.escape import shown
from checker.model.policy import FunctionSettings
from checker.model.snapshot import ConnectInstance, FlowContent
from checker.record import quick_init

Status = Literal["warm", "cold", "unknown"]
Cause = Literal[
    "missing-function",
    "cannot-run",
    "missing-warmer",
    "wrong-qualifier",
    "disabled",
    "cannot-invoke",
    "gap",
]
# UTC intervals when a function must be warm; None: always.
WindowIntervals = Sequence[tuple[datetime, datetime]] | None

# What interpreting AWS state can raise (a zone that is not IANA, a date at the edge of the
# calendar, hours ending at 24:59, a number too long to convert). Caught where that state is
# interpreted and turned into a Problem on its resource (WARM901, exit 3): AWS state is never
# bad input (exit 2) and never a crash (exit 4).
AWS_DATA_ERRORS: tuple[type[Exception], ...] = (
    ScheduleExpressionError,
    ValueError,
    ArithmeticError,
)


def data_error(error: Exception) -> str:
    """One line describing why AWS state could not be interpreted."""
    text = error.message if isinstance(error, ScheduleExpressionError) else str(error)
    return shown(" ".join(text.split()) or type(error).__name__, limit=300)


@dataclass(frozen=True, slots=True)
class Problem:
    """Evidence warmcheck holds but cannot interpret; reported like a failed read."""

    resource: str
    message: str


@quick_init
@dataclass(frozen=True, slots=True)
class ReferencingFlow:
    """A flow or module in scope whose content holds Lambda references."""

    arn: str
    name: str
    instance: ConnectInstance
    content: FlowContent
    flows: frozenset[str]  # the in-scope top-level flows reaching it


@quick_init
@dataclass(frozen=True, slots=True)
class RequiredFunction:
    key: FunctionKey
    settings: FunctionSettings
    flows: frozenset[str]
    instances: Mapping[str, ConnectInstance]  # by ARN: the instances whose flows call it
    extra: bool = False  # listed in the policy's extra_functions


@dataclass(frozen=True, slots=True)
class PayloadCheck:
    matches: bool
    description: str  # what the target sends, never the input itself


@quick_init
@dataclass(frozen=True, slots=True)
class WarmSource:
    """A scheduled rule target or a schedule that invokes a Lambda function."""

    kind: Literal["eventbridge_rule", "scheduler_schedule"]
    arn: str
    name: str
    region: str
    account: str
    target: FunctionKey
    enabled: bool
    state_note: str
    expression: str | None
    firing: FiringSource | None
    expression_error: str | None
    payload: PayloadCheck
    role_arn: str | None = None
    is_warmer: bool = False

    @property
    def label(self) -> str:
        return "rule" if self.kind == "eventbridge_rule" else "schedule"


@quick_init
@dataclass(frozen=True, slots=True)
class Assessment:
    """The one decision about a required function (DESIGN.md "One cause per cold function").

    Besides status and cause it holds what the per-warmer rules report, decided here and
    nowhere else: `others` (WARM005: warmers on another qualifier no flow calls) and `denied`
    (WARM004: enabled warmers on this qualifier that may not invoke it).
    """

    required: RequiredFunction
    status: Status
    cause: Cause | None = None
    exact: tuple[WarmSource, ...] = ()
    others: tuple[WarmSource, ...] = ()
    denied: tuple[tuple[WarmSource, Verdict], ...] = ()
    gap: Gap | None = None
    note: str = ""
