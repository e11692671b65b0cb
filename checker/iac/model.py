"""What a template plans, before anything exists: the neutral form every reader produces.

Every value a reader resolves has one of three outcomes:

- exact: a literal, or computed only from literals and known parameters;
- symbolic: the identity of something the templates create ("BillingFunction's ARN"). It is
  written as a deterministic placeholder ARN in the reserved account ``000000000000`` (region
  ``zz-iac-0`` when the stack's region is not given), so two references to the same resource
  compare equal and the engine judges them exactly; `Plan.labels` maps placeholders back to
  logical IDs for people;
- unknown: a marker ``#{?N}`` in the text, whose reason is `Plan.unknowns[N]`. Nothing is guessed
  from it: a flow reference holding one is WARM011, a warmer's target holding one targets nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from checker.domain.permissions import INVOKE_ACTION
from checker.model.findings import SourceLocation

SYMBOLIC_ACCOUNT: Final = "000000000000"
SYMBOLIC_REGION: Final = "zz-iac-0"
_MARKER = re.compile(r"#\{\?(\d+)\}")


Located = SourceLocation  # where a planned resource is written: file, line, logical ID


@dataclass(slots=True)
class Unknowns:
    """Reasons for values that cannot be known before deploy, by marker number."""

    reasons: list[str] = field(default_factory=list)

    def marker(self, reason: str) -> str:
        if reason in self.reasons:
            return f"#{{?{self.reasons.index(reason)}}}"
        self.reasons.append(reason)
        return f"#{{?{len(self.reasons) - 1}}}"

    def reasons_in(self, text: str) -> list[str]:
        return [self.reasons[int(number)] for number in dict.fromkeys(_MARKER.findall(text))]


def is_unknown(value: object) -> bool:
    return isinstance(value, str) and _MARKER.search(value) is not None


@dataclass(slots=True)
class PlannedFlow:
    arn: str
    name: str
    instance_arn: str
    module: bool
    where: Located
    content: str | None  # None: not known before deploy (see content_reason)
    content_reason: str = ""
    state: str = "ACTIVE"


@dataclass(slots=True)
class PlannedInstance:
    arn: str
    region: str
    account: str
    where: Located
    alias: str | None = None


@dataclass(slots=True)
class PlannedFunction:
    arn: str
    name: str
    region: str
    account: str
    where: Located
    timeout: int | None = 3


@dataclass(slots=True)
class PlannedAlias:
    function: str  # the function's ARN
    name: str
    version: str
    where: Located
    provisioned: int = 0


@dataclass(slots=True)
class PlannedPermission:
    function: str  # the function ARN it covers, qualified as written (alias ARN, version)
    principal: str
    where: Located
    action: str = INVOKE_ACTION
    source_arn: str | None = None
    source_account: str | None = None


@dataclass(slots=True)
class PlannedTarget:
    id: str
    arn: str
    input: str | None = None
    input_path: str | None = None
    role_arn: str | None = None


@dataclass(slots=True)
class PlannedRule:
    arn: str
    name: str
    region: str
    account: str
    where: Located
    state: str = "ENABLED"
    schedule: str | None = None
    bus: str = "default"
    targets: list[PlannedTarget] = field(default_factory=list)


@dataclass(slots=True)
class PlannedSchedule:
    arn: str
    name: str
    region: str
    account: str
    where: Located
    expression: str | None
    target_arn: str
    role_arn: str | None
    input: str | None = None
    group: str = "default"
    state: str = "ENABLED"
    timezone: str = "UTC"
    flexible_minutes: int = 0
    start: str | None = None
    end: str | None = None


@dataclass(slots=True)
class PlannedRole:
    arn: str
    where: Located
    documents: list[tuple[str, str]] = field(default_factory=list)  # (name, JSON)
    unknown: str | None = None  # why its permissions cannot be known


@dataclass(frozen=True, slots=True)
class PlannedAssociation:
    instance_arn: str
    function_arn: str


@dataclass(frozen=True, slots=True)
class Gap:
    """Something the templates leave unknown, pinned to where it is written."""

    resource: str
    reason: str
    where: Located


@dataclass(slots=True)
class Plan:
    """Everything the given templates plan, merged across files."""

    unknowns: Unknowns = field(default_factory=Unknowns)
    flows: list[PlannedFlow] = field(default_factory=list)
    instances: list[PlannedInstance] = field(default_factory=list)
    functions: list[PlannedFunction] = field(default_factory=list)
    aliases: list[PlannedAlias] = field(default_factory=list)
    permissions: list[PlannedPermission] = field(default_factory=list)
    rules: list[PlannedRule] = field(default_factory=list)
    schedules: list[PlannedSchedule] = field(default_factory=list)
    roles: list[PlannedRole] = field(default_factory=list)
    associations: list[PlannedAssociation] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    regions: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)
    # Placeholder or real ARN -> where it is defined, for messages and SARIF locations.
    labels: dict[str, Located] = field(default_factory=dict)

    def locate(self, arn: str, where: Located) -> None:
        self.labels.setdefault(arn, where)
