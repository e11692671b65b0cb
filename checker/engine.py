"""evaluate(policy, snapshot, now) -> Evaluation. Pure: no I/O, no clock but the `now` given."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from checker.analysis.core import Analysis
from checker.analysis.records import WarmSource
from checker.domain.names import mentioned_arns, report_names
from checker.domain.schedule import FiringSource
from checker.format.function_display import strip_week
from checker.model.findings import SEVERITY_RANK, Finding, Severity, SourceLocation
from checker.model.policy import Policy
from checker.model.snapshot import AccountOutcome, Snapshot
from checker.record import quick_init
from checker.rules.base import WaiverRule
from checker.rules.catalogue import RuleMeta
from checker.rules.registry import ALL_RULES
from checker.rules.waivers import WaiverUsage, apply_waivers

FailOn = Severity | str  # "high" | "medium" | "low" | "never"
FAIL_ON_CHOICES = ("high", "medium", "low", "never")
EVIDENCE_RULE = "WARM901"


@dataclass(frozen=True, slots=True)
class PolicyRef:
    path: str
    sha256: str
    # Line of a dotted policy field ("warm.max_interval", "waivers[0]"), for SARIF locations.
    locate: Callable[[str], int | None] | None = field(default=None, compare=False)

    def line_of(self, policy_field: str | None) -> int | None:
        if policy_field is None or self.locate is None:
            return None
        return self.locate(policy_field)


@quick_init
@dataclass(frozen=True, slots=True)
class CoverageEntry:
    function: str
    status: str
    warmers: tuple[str, ...]
    worst_gap_seconds: int | None
    worst_gap_start: datetime | None
    flows: tuple[str, ...]
    # Rule IDs of the unwaived findings about this function, and the highest of their severities:
    # a function that is warm but has a finding at or above medium is never shown as plainly warm.
    findings: tuple[str, ...] = ()
    worst_severity: Severity | None = None
    # What the HTML week strip draws: the sources that count and the window over one week.
    firing_sources: tuple[FiringSource, ...] = ()
    strip_start: datetime | None = None
    strip_window: tuple[tuple[datetime, datetime], ...] | None = None
    # Runtime evidence (None: not asked for or not read): see checker/analysis/evidence.py.
    expected_firings: int | None = None
    observed_firings: int | None = None
    cold_starts: int | None = None
    warmer_firings: tuple[WarmerFirings, ...] | None = None


@dataclass(frozen=True, slots=True)
class WarmerFirings:
    """Runtime evidence for one warmer of a function: expected and observed firings."""

    warmer: str
    expected: int | None
    observed: int | None
    verdict: str


@dataclass(frozen=True, slots=True)
class UnresolvedReach:
    """A flow or module whose Lambda or module reference warmcheck cannot resolve (WARM011):
    the functions behind it are missing from coverage, so coverage is incomplete."""

    resource: str
    flows: tuple[str, ...]
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    meta: RuleMeta
    checked: tuple[str, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    policy: PolicyRef
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    collected_at: datetime
    fail_on: str
    outcomes: tuple[RuleOutcome, ...]
    coverage: tuple[CoverageEntry, ...]
    baseline_used: bool = False  # a --baseline was given (it may have matched nothing)
    unresolved: tuple[UnresolvedReach, ...] = ()
    # Display name by ARN for every flow, module, instance, function and warmer mentioned.
    names: Mapping[str, str] = field(default_factory=dict, compare=False)
    # `warmcheck iac`: where each planned resource is written, by ARN (empty for `check`).
    sources: Mapping[str, SourceLocation] = field(default_factory=dict, compare=False)
    # The organization's accounts and each one's outcome; None: one account, the caller's own.
    account_outcomes: tuple[AccountOutcome, ...] | None = None
    # Every finding in report order, derived once from `outcomes` (counts and verdict read it).
    findings: tuple[Finding, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        every = [finding for outcome in self.outcomes for finding in outcome.findings]
        object.__setattr__(self, "findings", tuple(sorted(every, key=lambda f: f.sort_key)))

    def source_of(self, finding: Finding) -> SourceLocation | None:
        """The template line a finding is about: its resource, else its function, warmer or
        first flow (a qualified function ARN falls back to the function's own line)."""
        for arn in (finding.resource, finding.function, finding.warmer, *finding.flows):
            if not arn:
                continue
            found = self.sources.get(arn) or self.sources.get(arn.rsplit(":", 1)[0])
            if found is not None:
                return found
        return None

    @property
    def required(self) -> int:
        return len(self.coverage)

    @property
    def warm(self) -> int:
        return sum(1 for entry in self.coverage if entry.status == "warm")

    def counts(self) -> dict[str, int]:
        """Findings that count: neither waived nor baselined."""
        counts = {"high": 0, "medium": 0, "low": 0}
        for finding in self.findings:
            if not finding.waived and not finding.baselined:
                counts[finding.severity] += 1
        return counts

    @property
    def waived(self) -> int:
        return sum(1 for finding in self.findings if finding.waived)

    @property
    def baselined(self) -> int:
        return sum(1 for finding in self.findings if finding.baselined and not finding.waived)

    @property
    def incomplete(self) -> bool:
        return any(f.rule == EVIDENCE_RULE for f in self.findings)

    @property
    def failing(self) -> tuple[Finding, ...]:
        """Findings at or above the fail-on severity that are neither waived nor baselined."""
        if self.fail_on == "never":
            return ()
        floor = SEVERITY_RANK[self.fail_on]  # type: ignore[index]
        return tuple(
            f
            for f in self.findings
            if not f.waived and not f.baselined and SEVERITY_RANK[f.severity] >= floor
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
    today: date | None = None,
    baseline: frozenset[str] | None = None,
) -> Evaluation:
    """Judge `snapshot` against `policy` as of `now`; waivers expire against `today`.

    `baseline` holds fingerprints of an earlier report: those findings are reported but do not
    fail the run (unread evidence, WARM901, is never baselined).
    """
    if fail_on not in FAIL_ON_CHOICES:
        raise ValueError(f"fail_on must be one of {FAIL_ON_CHOICES}, got {fail_on!r}")
    policy_file = policy_file_key(policy_ref.path)
    analysis = Analysis(policy, snapshot, now)
    results: dict[str, tuple[set[str], list[Finding]]] = {}
    usage: list[WaiverUsage] = []

    def run(phase: str) -> None:
        for rule_class in ALL_RULES:
            if rule_class.meta.phase == phase:
                rule = rule_class()
                if isinstance(rule, WaiverRule):
                    result = rule.evaluate_waivers(usage, policy_file)
                else:
                    result = rule.evaluate(analysis)
                results[rule_class.meta.id] = (set(result.checked), list(result.findings))

    run("state")
    state_findings = [f for checked, found in results.values() for f in found]
    waived, applied = apply_waivers(state_findings, policy.waivers, today or now.date())
    usage.extend(applied)  # what the waiver rules (policy phase) judge
    by_rule: dict[str, list[Finding]] = {}
    for finding in waived:
        if baseline is not None and finding.fingerprint in baseline:
            finding = replace(finding, baselined=True)
        by_rule.setdefault(finding.rule, []).append(finding)
    for rule_id, (checked, _) in list(results.items()):
        results[rule_id] = (checked, by_rule.get(rule_id, []))
    # Unread evidence is never waived nor baselined: WARM901 runs after both. (Every problem it
    # reports was recorded while the analysis was built, so no rule has to run before it.)
    run("evidence")
    run("policy")

    outcomes = []
    for rule_class in ALL_RULES:
        checked, found = results[rule_class.meta.id]
        unique: dict[str, Finding] = {}
        for finding in found:
            unique.setdefault(finding.fingerprint, finding)
        findings = tuple(sorted(unique.values(), key=lambda f: f.sort_key))
        checked |= {f.resource for f in findings}
        outcomes.append(RuleOutcome(rule_class.meta, tuple(sorted(checked)), findings))
    coverage = _coverage(analysis, outcomes)
    every = [finding for outcome in outcomes for finding in outcome.findings]
    rows = ((entry.function, *entry.warmers, *entry.flows) for entry in coverage)
    names = report_names(snapshot, mentioned_arns(every, rows))
    return Evaluation(
        policy=policy_ref,
        accounts=tuple(sorted(snapshot.accounts)),
        regions=tuple(sorted(snapshot.regions)),
        collected_at=snapshot.collected_at,
        fail_on=fail_on,
        outcomes=tuple(outcomes),
        coverage=coverage,
        baseline_used=baseline is not None,
        unresolved=_unresolved(analysis),
        names=names,
        account_outcomes=(
            tuple(sorted(snapshot.organization.outcomes, key=lambda o: o.account))
            if snapshot.organization is not None
            else None
        ),
    )


def policy_file_key(path: str) -> str:
    """How findings about the policy file name it: its file name alone, so `p.yaml`,
    `./p.yaml`, an absolute path or another working directory give the same fingerprints."""
    return PurePath(path).name or path


def _unresolved(analysis: Analysis) -> tuple[UnresolvedReach, ...]:
    found = []
    for arn, holder in analysis.holders.items():  # few hold dynamic references: sorted after
        if not holder.content.readable:
            continue  # unread content is WARM901: incomplete evidence, exit 3
        actions = {r.action for r in holder.content.lambda_references if r.kind != "static"}
        actions |= {r.action for r in holder.content.module_references if r.kind != "static"}
        if actions:
            found.append(UnresolvedReach(arn, tuple(sorted(holder.flows)), tuple(sorted(actions))))
    found.sort(key=lambda reach: reach.resource)
    return tuple(found)


def _worst(findings: list[Finding]) -> Severity | None:
    if not findings:
        return None
    return max((f.severity for f in findings), key=SEVERITY_RANK.__getitem__)


def _coverage(analysis: Analysis, outcomes: list[RuleOutcome]) -> tuple[CoverageEntry, ...]:
    # A cold function whose every finding is waived is "waived", not "cold".
    open_functions: set[str] = set()
    waived_functions: set[str] = set()
    # Baselined findings stay listed: the baseline decides the gate, not whether it is broken.
    about: dict[str, list[Finding]] = {}
    for outcome in outcomes:
        for f in outcome.findings:
            if f.function is not None:
                (waived_functions if f.waived else open_functions).add(f.function)
            if not f.waived:
                for arn in {f.function, f.resource} - {None}:
                    about.setdefault(str(arn), []).append(f)
    entries = []
    for key, assessment in sorted(analysis.assessments.items(), key=lambda kv: kv[0].arn):
        status: str = assessment.status
        if status == "cold" and key.arn in waived_functions - open_functions:
            status = "waived"
        runtime = _runtime_fields(analysis, key.arn, assessment.exact)
        warm_by_capacity = (
            "provisioned_concurrency" in assessment.required.settings.accept
            and analysis.provisioned(key) is True
        )
        if (
            status == "warm"
            and not warm_by_capacity
            and _every_warmer_fails(runtime.get("warmer_firings"))
        ):
            # Configured warm, but the metrics say no warm invocation arrives (WARM015).
            status = "cold"
        gap = assessment.gap
        strip_start, strip_window = strip_week(analysis, assessment)
        found = about.get(key.arn, [])
        entries.append(
            CoverageEntry(
                function=key.arn,
                status=status,
                warmers=tuple(sorted({s.arn for s in assessment.exact})),
                worst_gap_seconds=gap.seconds if gap is not None else None,
                worst_gap_start=gap.start if gap is not None else None,
                flows=tuple(sorted(assessment.required.flows)),
                findings=tuple(sorted({f.rule for f in found})),
                worst_severity=_worst(found),
                firing_sources=tuple(
                    s.firing for s in assessment.exact if s.enabled and s.firing is not None
                ),
                strip_start=strip_start,
                strip_window=strip_window,
                **runtime,
            )
        )
    return tuple(entries)


def _every_warmer_fails(firings: tuple[WarmerFirings, ...] | None) -> bool:
    return bool(firings) and all(f.verdict in ("failing", "not-firing") for f in firings or ())


def _runtime_fields(
    analysis: Analysis, function: str, warmers: Sequence[WarmSource]
) -> dict[str, Any]:
    """A coverage entry's evidence: per enabled warmer and summed (None where not read)."""
    runtime = analysis.runtime
    found = runtime.functions.get(function)
    cold_starts = found.cold_starts if found is not None else None
    if not runtime.metrics_read:
        return {"cold_starts": cold_starts}
    firings = []
    for source in sorted({s.arn: s for s in warmers if s.enabled}.values(), key=lambda s: s.arn):
        entry = runtime.for_warmer(source.arn, function)
        firings.append(
            WarmerFirings(
                warmer=source.arn,
                expected=entry.expected if entry else None,
                observed=entry.observed if entry else None,
                verdict=entry.verdict if entry else "unknown",
            )
        )
    expected = [f.expected for f in firings]
    observed = [f.observed for f in firings]
    return {
        "cold_starts": cold_starts,
        "warmer_firings": tuple(firings),
        "expected_firings": sum(e for e in expected if e is not None)
        if firings and None not in expected
        else None,
        "observed_firings": sum(o for o in observed if o is not None)
        if firings and None not in observed
        else None,
    }
