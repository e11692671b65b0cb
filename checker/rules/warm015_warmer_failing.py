"""WARM015 warmer-failing: runtime evidence says a warmer's pings fail or never arrive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class WarmerFailing(Rule):
    meta = rule_meta("WARM015")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        flows_of = {key.arn: required.flows for key, required in analysis.required.items()}
        for (warmer, function), entry in sorted(analysis.runtime.warmers.items()):
            result.checked.add(warmer)
            if entry.verdict not in ("failing", "not-firing"):
                continue
            source = next(s for s in analysis.warmers if s.arn == warmer)
            what = "is failing" if entry.verdict == "failing" else "is not firing"
            result.findings.append(
                self.finding(
                    resource=warmer,
                    function=function,
                    warmer=warmer,
                    flows=flows_of.get(function, set()),
                    message=f"{source.label} {source.name} {what} on {function}: {entry.reason}",
                )
            )
        return result
