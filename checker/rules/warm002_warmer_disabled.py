"""WARM002 warmer-disabled: a function's only warm sources are disabled or outside their dates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class WarmerDisabled(Rule):
    meta = rule_meta("WARM002")

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
