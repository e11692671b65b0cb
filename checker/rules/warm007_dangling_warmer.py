"""WARM007 dangling-warmer: a warmer targets a function, version or alias that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class DanglingWarmer(Rule):
    meta = rule_meta("WARM007")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for source in analysis.warmers:
            result.checked.add(source.arn)
            if analysis.exists(source.target) is not False:
                continue
            function = analysis.functions.get(source.target.function_arn)
            what = (
                f"qualifier {source.target.qualifier} of {source.target.function_arn}"
                if function is not None and function.exists
                else f"function {source.target.function_arn}"
            )
            result.findings.append(
                self.finding(
                    resource=source.arn,
                    function=source.target.arn,
                    warmer=source.arn,
                    message=f"{source.label} {source.name} targets {what}, which does not exist",
                )
            )
        return result
