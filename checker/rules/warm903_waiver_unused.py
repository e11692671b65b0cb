"""WARM903 waiver-unused: a waiver in force matched no finding."""

from __future__ import annotations

from collections.abc import Sequence

from checker.rules.base import RuleResult, WaiverRule
from checker.rules.catalogue import rule_meta
from checker.rules.waivers import WaiverUsage


class WaiverUnused(WaiverRule):
    meta = rule_meta("WARM903")

    def evaluate_waivers(self, usage: Sequence[WaiverUsage], policy_file: str) -> RuleResult:
        result = RuleResult()
        for entry in usage:
            resource = f"{policy_file}#waivers[{entry.index}]"
            result.checked.add(resource)
            if entry.expired or entry.matched:
                continue
            waiver = entry.waiver
            result.findings.append(
                self.finding(
                    resource=resource,
                    message=(
                        f"waiver {entry.index} ({waiver.rule} on {waiver.resource}, owner "
                        f"{waiver.owner}) matched no finding"
                    ),
                    policy_field=f"waivers[{entry.index}]",
                )
            )
        return result
