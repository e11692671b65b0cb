"""WARM016 cold-starts-observed: Lambda's logs show cold starts inside the warm window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class ColdStartsObserved(Rule):
    meta = RuleMeta(
        id="WARM016",
        slug="cold-starts-observed",
        severity="medium",
        title="Callers met cold starts of the called qualifier inside the warm window",
        fix="Warm more often (max_interval), warm more environments, or add provisioned "
        "concurrency on the qualifier the flows call.",
        policy_field="evidence.max_cold_starts",
    )

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
