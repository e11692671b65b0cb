"""WARM019 function-cannot-run: reserved concurrency 0, or state Failed or Inactive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class FunctionCannotRun(Rule):
    meta = rule_meta("WARM019")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for key, assessment in analysis.assessments.items():
            if analysis.exists(key) is not True:
                continue
            result.checked.add(key.arn)
            reason = analysis.cannot_run(key)
            if assessment.cause != "cannot-run" or reason is None:
                continue
            result.findings.append(
                self.finding(
                    resource=key.arn,
                    function=key.arn,
                    flows=assessment.required.flows,
                    message=f"{key.arn} cannot serve a call: {reason}",
                )
            )
        return result
