"""WARM019 function-cannot-run: reserved concurrency 0, or state Failed or Inactive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class FunctionCannotRun(Rule):
    meta = RuleMeta(
        id="WARM019",
        slug="function-cannot-run",
        severity="high",
        title="A required function cannot serve a call: reserved concurrency 0, Failed or Inactive",
        fix="Delete the reserved concurrency of 0 (or set a real value), or fix and redeploy "
        "the function until its state is Active.",
    )

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
