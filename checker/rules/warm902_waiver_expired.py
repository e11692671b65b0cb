"""WARM902 waiver-expired: a waiver's expiry date has passed; what it covered counts again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class WaiverExpired(Rule):
    meta = rule_meta("WARM902")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for usage in analysis.waiver_usage:
            resource = f"{analysis.policy_path}#waivers[{usage.index}]"
            result.checked.add(resource)
            if not usage.expired:
                continue
            waiver = usage.waiver
            result.findings.append(
                self.finding(
                    resource=resource,
                    message=(
                        f"waiver {usage.index} ({waiver.rule} on {waiver.resource}, owner "
                        f"{waiver.owner}) expired on {waiver.expires.isoformat()}; "
                        f"{len(usage.matched)} finding(s) it covered count again"
                    ),
                    policy_field=f"waivers[{usage.index}].expires",
                )
            )
        return result
