"""WARM902 waiver-expired: a waiver's expiry date has passed; what it covered counts again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class WaiverExpired(Rule):
    meta = RuleMeta(
        id="WARM902",
        slug="waiver-expired",
        severity="medium",
        title="A waiver has expired; the findings it covered count again",
        fix="Fix the finding, or renew the waiver with a new expiry date and a reason.",
        policy_field="waivers",
        phase="policy",
    )

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
