"""The engine's evaluation as the versioned report document (`ReportV1`), for every format."""

from __future__ import annotations

from datetime import UTC, datetime

from checker import __version__
from checker.engine import Evaluation
from checker.format.display import display, fix_of
from checker.model.findings import Finding
from checker.model.report import (
    AccountOutcomeV1,
    CoverageV1,
    FindingV1,
    PolicyV1,
    ReachV1,
    ReportV1,
    SeverityCountsV1,
    SnapshotV1,
    SummaryV1,
    ToolV1,
    UnresolvedV1,
    WaiverV1,
    WarmerFiringsV1,
)


def _finding_v1(finding: Finding, fix: str) -> FindingV1:
    waiver = finding.waiver
    return FindingV1(
        rule=finding.rule,
        slug=finding.slug,
        severity=finding.severity,
        resource=finding.resource,
        function=finding.function,
        warmer=finding.warmer,
        flows=list(finding.flows),
        message=finding.message,
        fingerprint=finding.fingerprint,
        waived=finding.waived,
        baselined=finding.baselined,
        fix=fix,
        waiver=None
        if waiver is None
        else WaiverV1(
            reason=waiver.reason,
            owner=waiver.owner,
            expires=waiver.expires.isoformat(),
            ticket=waiver.ticket,
        ),
    )


def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_report_v1(report: Evaluation) -> ReportV1:
    counts = report.counts()
    return ReportV1(
        tool=ToolV1(version=__version__),
        verdict=report.verdict,  # type: ignore[arg-type]
        policy=PolicyV1(path=report.policy.path, sha256=report.policy.sha256),
        snapshot=SnapshotV1(
            accounts=list(report.accounts),
            regions=list(report.regions),
            collected_at=_utc(report.collected_at) or "",
            outcomes=(
                [
                    AccountOutcomeV1(
                        account=o.account,
                        name=o.name,
                        outcome=o.outcome,
                        denial=o.denial,
                        reason=o.reason,
                    )
                    for o in report.account_outcomes
                ]
                if report.account_outcomes is not None
                else None
            ),
        ),
        summary=SummaryV1(
            required=report.required,
            warm=report.warm,
            findings=SeverityCountsV1(**counts),
            waived=report.waived,
            baselined=report.baselined,
        ),
        findings=[_finding_v1(finding, fix_of(report, finding)) for finding in report.findings],
        coverage=[
            CoverageV1(
                function=entry.function,
                status=entry.status,  # type: ignore[arg-type]
                warmers=list(entry.warmers),
                worst_gap_seconds=entry.worst_gap_seconds,
                worst_gap_start=_utc(entry.worst_gap_start),
                flows=list(entry.flows),
                findings=list(entry.findings),
                worst_severity=entry.worst_severity,
                expected_firings=entry.expected_firings,
                observed_firings=entry.observed_firings,
                cold_starts=entry.cold_starts,
                warmer_firings=None
                if entry.warmer_firings is None
                else [
                    WarmerFiringsV1(
                        warmer=f.warmer,
                        expected_firings=f.expected,
                        observed_firings=f.observed,
                        verdict=f.verdict,  # type: ignore[arg-type]
                    )
                    for f in entry.warmer_firings
                ],
            )
            for entry in report.coverage
        ],
        reach=ReachV1(
            complete=not report.unresolved,
            unresolved=[
                UnresolvedV1(
                    resource=entry.resource, flows=list(entry.flows), actions=list(entry.actions)
                )
                for entry in report.unresolved
            ],
        ),
        names={arn: display(name) for arn, name in sorted(report.names.items())},
    )
