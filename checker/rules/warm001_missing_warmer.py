"""WARM001 missing-warmer: a required function has no warm source at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult, callers
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class MissingWarmer(Rule):
    meta = rule_meta("WARM001")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for key, assessment in analysis.assessments.items():
            result.checked.add(key.arn)
            if assessment.cause != "missing-warmer":
                continue
            required = assessment.required
            result.findings.append(
                self.finding(
                    resource=key.arn,
                    function=key.arn,
                    flows=required.flows,
                    message=(
                        f"{key.arn} is {callers(required.flows, required.extra)}, but no "
                        f"accepted warm source ({', '.join(required.settings.accept)}) "
                        "targets it"
                    ),
                )
            )
        return result
