"""WARM014 broken-flow-reference: a flow calls a Lambda or module that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis
    from checker.domain.arns import FunctionKey


class BrokenFlowReference(Rule):
    meta = rule_meta("WARM014")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        # Flows call the same functions over and over: ask whether each exists once.
        missing_function: dict[FunctionKey, bool] = {}
        for arn, holder in sorted(analysis.holders.items()):
            if not holder.content.readable:
                continue
            result.checked.add(arn)
            seen = set()
            for reference in holder.content.lambda_references:
                key = analysis.static_key(reference)
                if key is None or key in seen:
                    continue
                absent = missing_function.get(key)
                if absent is None:
                    absent = missing_function[key] = analysis.exists(key) is False
                if not absent:
                    continue
                seen.add(key)
                function = analysis.functions.get(key.function_arn)
                what = (
                    f"qualifier {key.qualifier} of {key.function_arn}"
                    if function is not None and function.exists
                    else f"function {key.function_arn}"
                )
                result.findings.append(
                    self.finding(
                        resource=arn,
                        function=key.arn,
                        flows=holder.flows,
                        message=f"{holder.name} invokes {what}, which does not exist",
                    )
                )
            missing = analysis.missing_modules.get(arn)
            if missing:
                result.findings.append(
                    self.finding(
                        resource=arn,
                        flows=holder.flows,
                        message=(
                            f"{holder.name} invokes flow module"
                            f"{'s' if len(missing) != 1 else ''} {', '.join(sorted(missing))}, "
                            "which the instance does not have"
                        ),
                    )
                )
        return result
