"""WARM903 waiver-unused: a waiver in force matched no finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class WaiverUnused(Rule):
    meta = RuleMeta(
        id="WARM903",
        slug="waiver-unused",
        severity="low",
        title="A waiver matched no finding",
        fix="Delete the waiver (the drift it accepted is gone), or fix its rule or resource glob.",
        policy_field="waivers",
        phase="policy",
    )

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for usage in analysis.waiver_usage:
            resource = f"{analysis.policy_path}#waivers[{usage.index}]"
            result.checked.add(resource)
            if usage.expired or usage.matched:
                continue
            waiver = usage.waiver
            result.findings.append(
                self.finding(
                    resource=resource,
                    message=(
                        f"waiver {usage.index} ({waiver.rule} on {waiver.resource}, owner "
                        f"{waiver.owner}) matched no finding"
                    ),
                    policy_field=f"waivers[{usage.index}]",
                )
            )
        return result
