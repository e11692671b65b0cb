"""WARM902 waiver-expired: a waiver's expiry date has passed; what it covered counts again."""

from __future__ import annotations

from collections.abc import Sequence

from checker.rules.base import RuleResult, WaiverRule
from checker.rules.catalogue import rule_meta
from checker.rules.waivers import WaiverUsage


class WaiverExpired(WaiverRule):
    meta = rule_meta("WARM902")

    def evaluate_waivers(self, usage: Sequence[WaiverUsage], policy_file: str) -> RuleResult:
        result = RuleResult()
        for entry in usage:
            resource = f"{policy_file}#waivers[{entry.index}]"
            result.checked.add(resource)
            if not entry.expired:
                continue
            waiver = entry.waiver
            result.findings.append(
                self.finding(
                    resource=resource,
                    message=(
                        f"waiver {entry.index} ({waiver.rule} on {waiver.resource}, owner "
                        f"{waiver.owner}) expired on {waiver.expires.isoformat()}; "
                        f"{len(entry.matched)} finding(s) it covered count again"
                    ),
                    policy_field=f"waivers[{entry.index}].expires",
                )
            )
        return result
