"""WARM014 broken-flow-reference: a flow calls a Lambda or module that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class BrokenFlowReference(Rule):
    meta = rule_meta("WARM014")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        # Flows call the same functions over and over: ask whether each exists once.
        missing_function: dict[str, bool] = {}  # by ARN: a str keeps its hash
        # Any order: the engine sorts findings, and no two here share a fingerprint.
        for arn, holder in analysis.holders.items():
            if not holder.content.readable:
                continue
            result.checked.add(arn)
            seen: set[str] = set()
            for reference in holder.content.lambda_references:
                key = analysis.static_key(reference)
                if key is None:
                    continue
                absent = missing_function.get(key.arn)
                if absent is None:
                    absent = missing_function[key.arn] = analysis.exists(key) is False
                if not absent or key.arn in seen:
                    continue
                seen.add(key.arn)
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
