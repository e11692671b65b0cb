"""WARM018 warm-capacity-short: callers outran the provisioned concurrency (spillover)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class WarmCapacityShort(Rule):
    meta = rule_meta("WARM018")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for key in analysis.required:
            found = analysis.runtime.functions.get(key.arn)
            if found is None or found.spillover is None:
                continue
            result.checked.add(key.arn)
            if found.spillover <= 0:
                continue
            result.findings.append(
                self.finding(
                    resource=key.arn,
                    function=key.arn,
                    message=f"{key.arn}: {found.spillover} invocations spilled over its "
                    "provisioned concurrency in the lookback; those callers met cold starts",
                )
            )
        return result
