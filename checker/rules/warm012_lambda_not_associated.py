"""WARM012 lambda-not-associated: a flow calls a Lambda not associated with its instance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class LambdaNotAssociated(Rule):
    meta = rule_meta("WARM012")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        associated = {
            instance.arn: frozenset(instance.lambda_functions)
            for instance in analysis.instances
            if instance.lambda_functions is not None
        }
        for key, required in analysis.required.items():
            if not required.instances or analysis.exists(key) is False:
                continue
            result.checked.add(key.arn)
            missing = sorted(
                arn
                for arn in required.instances
                if arn in associated
                and key.arn not in associated[arn]
                and key.function_arn not in associated[arn]
            )
            if not missing:
                continue
            result.findings.append(
                self.finding(
                    resource=key.arn,
                    function=key.arn,
                    flows=required.flows,
                    message=f"{key.arn} is not associated with {', '.join(missing)}",
                )
            )
        return result
