"""WARM004 warmer-cannot-invoke: a warmer's invocations would be rejected."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class WarmerCannotInvoke(Rule):
    meta = rule_meta("WARM004")

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
