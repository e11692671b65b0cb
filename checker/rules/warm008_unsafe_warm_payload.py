"""WARM008 unsafe-warm-payload: a warmer's input is not the policy payload."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class UnsafeWarmPayload(Rule):
    meta = rule_meta("WARM008")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for source in analysis.warmers:
            result.checked.add(source.arn)
            if source.payload.matches:
                continue
            result.findings.append(
                self.finding(
                    resource=source.arn,
                    function=source.target.arn,
                    warmer=source.arn,
                    message=(
                        f"{source.label} {source.name} sends {source.target.arn} "
                        f"{source.payload.description}"
                    ),
                )
            )
        return result
