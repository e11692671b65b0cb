"""WARM014 broken-flow-reference: a flow calls a Lambda or module that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class BrokenFlowReference(Rule):
    meta = RuleMeta(
        id="WARM014",
        slug="broken-flow-reference",
        severity="high",
        title="A flow calls a Lambda function or flow module that does not exist",
        fix="Fix the reference in the flow, or restore the function, alias or module.",
        remedies=(
            (
                "Fix flow {resource}: it calls {function}, which does not exist; point "
                "the block at an existing function and qualifier, or restore it."
            ),
            (
                "Fix flow {resource}: point its Invoke module block at a module that "
                "exists, or restore the module."
            ),
        ),
        policy_field="scope.flow_statuses",
    )

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for arn, holder in sorted(analysis.holders.items()):
            if not holder.content.readable:
                continue
            result.checked.add(arn)
            seen = set()
            for reference in holder.content.lambda_references:
                key = analysis.static_key(reference)
                if key is None or key in seen or analysis.exists(key) is not False:
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
