"""evaluate(policy, snapshot, now) -> Report. Pure: no I/O, no clock but the `now` it is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from checker.analysis import Analysis
from checker.findings import SEVERITY_RANK, Finding, Severity
from checker.policy import Policy
from checker.rules import ALL_RULES, RuleMeta
from checker.snapshot import Snapshot

FailOn = Severity | str  # "high" | "medium" | "low" | "never"
FAIL_ON_CHOICES = ("high", "medium", "low", "never")
EVIDENCE_RULE = "WARM901"


@dataclass(frozen=True, slots=True)
class PolicyRef:
    path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class CoverageEntry:
    function: str
    status: str
    warmers: tuple[str, ...]
    worst_gap_seconds: int | None
    flows: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    meta: RuleMeta
    checked: tuple[str, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Report:
    policy: PolicyRef
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    collected_at: datetime
    fail_on: str
    outcomes: tuple[RuleOutcome, ...]
    coverage: tuple[CoverageEntry, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        every = [finding for outcome in self.outcomes for finding in outcome.findings]
        return tuple(sorted(every, key=lambda f: f.sort_key))

    @property
    def required(self) -> int:
        return len(self.coverage)

    @property
    def warm(self) -> int:
        return sum(1 for entry in self.coverage if entry.status == "warm")

    def counts(self) -> dict[str, int]:
        counts = {"high": 0, "medium": 0, "low": 0}
        for finding in self.findings:
            if not finding.waived:
                counts[finding.severity] += 1
        return counts

    @property
    def waived(self) -> int:
        return sum(1 for finding in self.findings if finding.waived)

    @property
    def incomplete(self) -> bool:
        return any(f.rule == EVIDENCE_RULE and not f.waived for f in self.findings)

    @property
    def failing(self) -> tuple[Finding, ...]:
        """Unwaived findings at or above the fail-on severity."""
        if self.fail_on == "never":
            return ()
        floor = SEVERITY_RANK[self.fail_on]  # type: ignore[index]
        return tuple(
            f for f in self.findings if not f.waived and SEVERITY_RANK[f.severity] >= floor
        )

    @property
    def verdict(self) -> str:
        if self.incomplete:
            return "incomplete"
        return "fail" if self.failing else "pass"


def evaluate(
    policy: Policy,
    snapshot: Snapshot,
    now: datetime,
    *,
    policy_ref: PolicyRef,
    fail_on: str = "low",
) -> Report:
    if fail_on not in FAIL_ON_CHOICES:
        raise ValueError(f"fail_on must be one of {FAIL_ON_CHOICES}, got {fail_on!r}")
    analysis = Analysis(policy, snapshot, now)
    outcomes = []
    # The evidence rule runs last: other rules may add problems while they look.
    for rule_class in ALL_RULES:
        result = rule_class().evaluate(analysis)
        unique: dict[str, Finding] = {}
        for finding in result.findings:
            unique.setdefault(finding.fingerprint, finding)
        findings = tuple(sorted(unique.values(), key=lambda f: f.sort_key))
        checked = set(result.checked) | {f.resource for f in findings}
        outcomes.append(RuleOutcome(rule_class.meta, tuple(sorted(checked)), findings))
    coverage = tuple(
        CoverageEntry(
            function=key.arn,
            status=assessment.status,
            warmers=tuple(sorted({s.arn for s in assessment.exact})),
            worst_gap_seconds=assessment.gap.seconds if assessment.gap is not None else None,
            flows=tuple(sorted(assessment.required.flows)),
        )
        for key, assessment in sorted(analysis.assessments.items(), key=lambda kv: kv[0].arn)
    )
    return Report(
        policy=policy_ref,
        accounts=tuple(sorted(snapshot.accounts)),
        regions=tuple(sorted(snapshot.regions)),
        collected_at=snapshot.collected_at,
        fail_on=fail_on,
        outcomes=tuple(outcomes),
        coverage=coverage,
    )
