"""WARM006 orphan-warmer: a warmer targets a function no in-scope flow reaches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class OrphanWarmer(Rule):
    meta = rule_meta("WARM006")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        if not analysis.required_complete:
            return result  # a flow that was not read may call what looks orphaned
        for source in analysis.warmers:
            result.checked.add(source.arn)
            if source.target.function_arn in analysis.reached_functions:
                continue
            result.findings.append(
                self.finding(
                    resource=source.arn,
                    function=source.target.arn,
                    warmer=source.arn,
                    message=(
                        f"{source.label} {source.name} warms {source.target.arn}, which no "
                        "in-scope flow calls and the policy does not require"
                    ),
                )
            )
        return result
