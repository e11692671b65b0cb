"""WARM003 warm-gap-too-long: the worst gap inside the window exceeds `max_interval`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from checker.domain.gap_wording import describe_gap
from checker.domain.schedule import readable_duration
from checker.format.function_display import display_zone
from checker.rules.base import Rule, RuleResult, setting
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis
    from checker.analysis.records import WarmSource
    from checker.domain.schedule import Gap


def _worst_case_note(sources: Sequence[WarmSource]) -> str:
    """Say why a gap is a bound rather than exact: rate() phase or flexible windows."""
    reasons = []
    if any((s.expression or "").startswith("rate(") for s in sources):
        reasons.append("rate() phase unknown")
    if any(s.firing is not None and s.firing.flexible_window_minutes for s in sources):
        reasons.append("flexible window may delay a firing")
    return f" (worst case: {', '.join(reasons)})" if reasons else ""


class WarmGapTooLong(Rule):
    meta = rule_meta("WARM003")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        # Functions warmed by the same schedules share one Gap: describe each (gap, zone) once.
        described: dict[tuple[Gap, str], str] = {}
        for key, assessment in analysis.assessments.items():
            result.checked.add(key.arn)
            gap = assessment.gap
            if assessment.cause != "gap" or gap is None:
                continue
            limit = assessment.required.settings.max_interval
            zone = display_zone(analysis, assessment)
            when = described.get((gap, zone))
            if when is None:
                when = described[(gap, zone)] = describe_gap(gap, zone)
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
                        f"{key.arn}: {when}, over the {readable_duration(limit)} "
                        "allowed" + _worst_case_note(assessment.exact)
                    ),
                    detail="warmers: " + ", ".join(permitted),
                    policy_field=setting(
                        assessment.required.settings.override_index, "max_interval"
                    ),
                )
            )
        return result
