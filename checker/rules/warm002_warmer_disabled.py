"""WARM002 warmer-disabled: a function's only warm sources are disabled or outside their dates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class WarmerDisabled(Rule):
    meta = RuleMeta(
        id="WARM002",
        slug="warmer-disabled",
        severity="high",
        title="A function's only warm sources are disabled or outside their dates",
        fix="Enable the rule or schedule (or move its start/end dates) so it fires again.",
        remedies=(
            ("Enable {warmer_kind} {warmer} so it warms {function} again: {enable_warmer}"),
            ("Enable a warmer of {function} (or move its start/end dates) so it fires again."),
        ),
        policy_field="warm.accept",
    )

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for key, assessment in analysis.assessments.items():
            result.checked.add(key.arn)
            if assessment.cause != "disabled":
                continue
            warmers = sorted({s.arn: s for s in assessment.exact}.values(), key=lambda s: s.arn)
            states = "; ".join(f"{s.label} {s.name}: {s.state_note}" for s in warmers)
            result.findings.append(
                self.finding(
                    resource=key.arn,
                    function=key.arn,
                    warmer=warmers[0].arn,
                    flows=assessment.required.flows,
                    message=f"every warmer of {key.arn} is inactive ({states})",
                )
            )
        return result
