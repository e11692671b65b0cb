"""WARM007 dangling-warmer: a warmer targets a function, version or alias that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class DanglingWarmer(Rule):
    meta = RuleMeta(
        id="WARM007",
        slug="dangling-warmer",
        severity="medium",
        title="A warmer targets a function, version or alias that does not exist",
        fix="Point the warmer at an existing function and qualifier, or delete it.",
        remedies=(
            (
                "Point {warmer_kind} {warmer} at a function and qualifier that exist, "
                "or delete it: {function_arn} does not exist."
            ),
        ),
        policy_field="warmers.name_patterns",
    )

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
