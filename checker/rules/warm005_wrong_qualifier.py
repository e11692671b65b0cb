"""WARM005 wrong-qualifier: a warmer warms another version or alias than the flows call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class WrongQualifier(Rule):
    meta = RuleMeta(
        id="WARM005",
        slug="wrong-qualifier",
        severity="high",
        title="A warmer targets another version or alias of a required function",
        fix="Point the warmer's target at the qualified ARN the flows call.",
        remedies=(
            (
                "Point the target of {warmer_kind} {warmer} at {function_arn}, the "
                "qualifier the flows call ({flows}), and let it invoke that qualifier."
            ),
        ),
        policy_field="warm.accept",
    )

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for key, assessment in analysis.assessments.items():
            if assessment.status == "cold" and assessment.cause == "missing-function":
                continue  # WARM014 says it all
            for source in assessment.others:
                result.checked.add(source.arn)
                result.findings.append(
                    self.finding(
                        resource=source.arn,
                        function=key.arn,
                        warmer=source.arn,
                        flows=assessment.required.flows,
                        message=(
                            f"{source.label} {source.name} warms {source.target.arn}, but the "
                            f"flows call {key.arn}"
                        ),
                    )
                )
            for source in assessment.exact:
                result.checked.add(source.arn)
        return result
