"""WARM017 timeout-budget-exceeded: observed duration outruns a calling block's time limit."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class TimeoutBudgetExceeded(Rule):
    meta = rule_meta("WARM017")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        # Per called function: each block time limit and the flows whose blocks set it.
        limits: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        for holder in analysis.holders.values():
            for reference in holder.content.lambda_references:
                if reference.timeout_seconds is None:
                    continue  # most blocks keep Connect's default wait: nothing to resolve
                key = analysis.static_key(reference)
                if key is not None:
                    limits[key.arn][reference.timeout_seconds] |= holder.flows
        for key in analysis.required:
            found = analysis.runtime.functions.get(key.arn)
            if found is None or found.p99_duration_ms is None or key.arn not in limits:
                continue
            result.checked.add(key.arn)
            budget_ms = found.p99_duration_ms + (found.max_init_ms or 0.0)
            tightest = min(limits[key.arn])
            if budget_ms <= tightest * 1000:
                continue
            flows = {
                f for limit, fl in limits[key.arn].items() if limit * 1000 < budget_ms for f in fl
            }
            result.findings.append(
                self.finding(
                    resource=key.arn,
                    function=key.arn,
                    flows=flows,
                    message=f"{key.arn}: p99 duration {found.p99_duration_ms:.0f} ms plus the "
                    f"worst init {found.max_init_ms or 0:.0f} ms is {budget_ms:.0f} ms, over "
                    f"the {tightest} s a calling block waits",
                )
            )
        return result
