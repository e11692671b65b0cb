"""WARM005 wrong-qualifier: a warmer warms another version or alias than the flows call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class WrongQualifier(Rule):
    meta = rule_meta("WARM005")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for key, assessment in analysis.assessments.items():
            # The decision leaves `others` empty where another cause says it all (WARM014).
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
