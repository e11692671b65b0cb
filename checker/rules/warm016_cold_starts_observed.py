"""WARM016 cold-starts-observed: Lambda's logs show cold starts inside the warm window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class ColdStartsObserved(Rule):
    meta = rule_meta("WARM016")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        limit = analysis.policy.evidence.max_cold_starts
        for key, required in analysis.required.items():
            found = analysis.runtime.functions.get(key.arn)
            if found is None or found.cold_starts is None:
                continue
            result.checked.add(key.arn)
            if found.cold_starts <= limit:
                continue
            init = f", the worst init {found.max_init_ms:.0f} ms" if found.max_init_ms else ""
            result.findings.append(
                self.finding(
                    resource=key.arn,
                    function=key.arn,
                    flows=required.flows,
                    message=f"{key.arn}: {found.cold_starts} cold starts in the warm window "
                    f"over the lookback (allowed {limit}){init}",
                )
            )
        return result
