"""WARM004 warmer-cannot-invoke: a warmer's invocations would be rejected."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class WarmerCannotInvoke(Rule):
    meta = RuleMeta(
        id="WARM004",
        slug="warmer-cannot-invoke",
        severity="high",
        title="A warmer has no permission to invoke the function at that qualifier",
        fix="Add a resource-policy statement for the rule (or the invoke right to the "
        "schedule's execution role) on exactly that qualifier.",
        remedies=(("Let {warmer_kind} {warmer} invoke {function}: {allow_warmer}"),),
        policy_field="warm.accept",
    )

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for key, assessment in analysis.assessments.items():
            for source in assessment.exact:
                if source.enabled:
                    result.checked.add(source.arn)
            for source, verdict in assessment.denied:
                result.findings.append(
                    self.finding(
                        resource=source.arn,
                        function=key.arn,
                        warmer=source.arn,
                        flows=assessment.required.flows,
                        message=f"{source.label} {source.name} cannot invoke {key.arn}: "
                        f"{verdict.reason}",
                    )
                )
        return result
