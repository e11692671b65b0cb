"""WARM903 waiver-unused: a waiver in force matched no finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class WaiverUnused(Rule):
    meta = rule_meta("WARM903")

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
