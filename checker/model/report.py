"""ReportV1: the frozen, versioned JSON report. Internal types never leak into it."""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

REPORT_SCHEMA_VERSION: Final = 1


class ReportModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToolV1(ReportModel):
    name: Literal["warmcheck"] = "warmcheck"
    version: str


class PolicyV1(ReportModel):
    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class AccountOutcomeV1(ReportModel):
    account: str
    name: str | None
    outcome: Literal["scanned", "denied", "failed", "excluded", "inactive"]
    denial: Literal["scp", "implicit", "trust", "explicit"] | None
    reason: str | None


class SnapshotV1(ReportModel):
    accounts: list[str]
    regions: list[str]
    collected_at: str
    outcomes: list[AccountOutcomeV1] | None = Field(
        default=None,
        description="With scope.organization: every listed account and its one outcome "
        "(absent for one account).",
    )


class SeverityCountsV1(ReportModel):
    high: int = Field(ge=0)
    medium: int = Field(ge=0)
    low: int = Field(ge=0)


class SummaryV1(ReportModel):
    required: int = Field(ge=0)
    warm: int = Field(ge=0)
    findings: SeverityCountsV1
    waived: int = Field(ge=0)
    baselined: int = Field(
        default=0, ge=0, description="Findings present in the --baseline report."
    )


class WaiverV1(ReportModel):
    reason: str
    owner: str
    expires: str
    ticket: str | None


class FindingV1(ReportModel):
    rule: str = Field(pattern=r"^WARM\d{3}$")
    slug: str
    severity: Literal["high", "medium", "low"]
    resource: str
    function: str | None
    warmer: str | None
    flows: list[str]
    message: str
    fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$")
    waived: bool
    waiver: WaiverV1 | None
    baselined: bool = False
    fix: str = Field(
        default="",
        description="The rule's remedy filled in with this finding's names and ARNs.",
    )


class WarmerFiringsV1(ReportModel):
    warmer: str
    expected_firings: int | None = Field(description="Due in the lookback (schedule engine).")
    observed_firings: int | None = Field(
        description="Seen in CloudWatch; null: no per-warmer series (a shared schedule group)."
    )
    verdict: Literal["firing", "failing", "not-firing", "unknown"]


class CoverageV1(ReportModel):
    function: str
    status: Literal["warm", "cold", "waived", "unknown"]
    warmers: list[str]
    worst_gap_seconds: int | None
    worst_gap_start: str | None = Field(default=None, description="UTC start of the worst gap.")
    flows: list[str]
    findings: list[str] = Field(
        default_factory=list,
        description="Rule IDs of the unwaived findings about this function (baselined ones "
        "included: a baseline decides the gate, not whether the function works).",
    )
    worst_severity: Literal["high", "medium", "low"] | None = Field(
        default=None,
        description="The highest severity among `findings`. `status` says whether the function "
        "is warm; a warm function whose worst_severity is high or medium is warm but broken.",
    )

    expected_firings: int | None = Field(
        default=None, description="Firings due from its warmers in the lookback; null: no metrics."
    )
    observed_firings: int | None = Field(
        default=None, description="Firings seen in CloudWatch; null: no metrics or not per warmer."
    )
    cold_starts: int | None = Field(
        default=None, description="Cold starts in the warm window (Lambda logs); null: no logs."
    )
    warmer_firings: list[WarmerFiringsV1] | None = Field(
        default=None, description="Per warmer: expected and observed firings; null: no metrics."
    )


class UnresolvedV1(ReportModel):
    resource: str = Field(description="The flow or module holding the actions.")
    flows: list[str] = Field(description="The in-scope flows that reach it.")
    actions: list[str] = Field(description="Identifiers of the unresolvable actions.")


class ReachV1(ReportModel):
    complete: bool = Field(
        default=True,
        description="False when some flow invokes a Lambda or module through a reference "
        "warmcheck cannot resolve (WARM011): the functions behind it are not in coverage.",
    )
    unresolved: list[UnresolvedV1] = Field(default_factory=list)


class ReportV1(ReportModel):
    schema_version: Literal[1] = REPORT_SCHEMA_VERSION
    tool: ToolV1
    verdict: Literal["pass", "fail", "incomplete"]
    policy: PolicyV1
    snapshot: SnapshotV1
    summary: SummaryV1
    findings: list[FindingV1]
    coverage: list[CoverageV1]
    reach: ReachV1 = Field(
        default_factory=ReachV1, description="Whether coverage lists every function flows reach."
    )
    names: dict[str, str] = Field(
        default_factory=dict,
        description="Display name by ARN (Connect console names) for every flow, module, "
        "instance, function and warmer the report mentions.",
    )


def report_json_schema() -> dict[str, Any]:
    return ReportV1.model_json_schema()
