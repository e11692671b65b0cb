"""WARM006 orphan-warmer: a warmer targets a function no in-scope flow reaches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class OrphanWarmer(Rule):
    meta = RuleMeta(
        id="WARM006",
        slug="orphan-warmer",
        severity="low",
        title="A warmer targets a function that no in-scope flow reaches",
        fix="Delete the warmer, or list the function in extra_functions if it must stay warm.",
        remedies=(
            (
                "Delete {warmer_kind} {warmer} (it warms {function}, which no in-scope "
                "flow calls), or add {function_arn} to extra_functions if it must stay "
                "warm."
            ),
        ),
        policy_field="extra_functions",
    )

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
