"""WARM003 warm-gap-too-long: the worst gap inside the window exceeds `max_interval`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult, minutes, setting
from checker.schedule_check import describe_gap

if TYPE_CHECKING:
    from checker.analysis import Analysis, WarmSource


def _worst_case_note(sources: list[WarmSource]) -> str:
    """Say why a gap is a bound rather than exact: rate() phase or flexible windows."""
    reasons = []
    if any((s.expression or "").startswith("rate(") for s in sources):
        reasons.append("rate() phase unknown")
    if any(s.firing is not None and s.firing.flexible_window_minutes for s in sources):
        reasons.append("flexible window may delay a firing")
    return f" (worst case: {', '.join(reasons)})" if reasons else ""


class WarmGapTooLong(Rule):
    meta = RuleMeta(
        id="WARM003",
        slug="warm-gap-too-long",
        severity="medium",
        title="The worst gap between warm invocations exceeds max_interval",
        fix="Fire the warmer more often, or add a second one that covers the gap.",
        remedies=(
            (
                "Fire {warmer_kind} {warmer} at least every max_interval inside the "
                "window, or add a second warmer for {function_arn} that covers the gap."
            ),
            ("Fire the warmers of {function} more often, or add one that covers the gap."),
        ),
        policy_field="warm.max_interval",
    )

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for key, assessment in analysis.assessments.items():
            result.checked.add(key.arn)
            gap = assessment.gap
            if assessment.cause != "gap" or gap is None:
                continue
            limit = assessment.required.settings.max_interval
            zone = analysis.display_zone(assessment)
            permitted = sorted(
                {s.arn for s in assessment.exact if s.enabled}
                - {s.arn for s, _ in assessment.denied}
            )
            result.findings.append(
                self.finding(
                    resource=key.arn,
                    function=key.arn,
                    warmer=permitted[0] if permitted else None,
                    flows=assessment.required.flows,
                    message=(
                        f"{key.arn}: {describe_gap(gap, zone)}, over the {minutes(limit)} "
                        "allowed" + _worst_case_note(assessment.exact)
                    ),
                    detail="warmers: " + ", ".join(permitted),
                    policy_field=setting(
                        assessment.required.settings.override_index, "max_interval"
                    ),
                )
            )
        return result
