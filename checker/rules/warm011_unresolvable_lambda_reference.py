"""WARM011 unresolvable-lambda-reference: a flow's Lambda ARN is dynamic or a placeholder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis

_KIND = {
    "dynamic": "a dynamic reference",
    "placeholder": "template text",
    "missing": "no LambdaFunctionARN",
    "static": "",
}


class UnresolvableLambdaReference(Rule):
    meta = RuleMeta(
        id="WARM011",
        slug="unresolvable-lambda-reference",
        severity="medium",
        title="A flow invokes a Lambda through a reference warmcheck cannot resolve",
        fix="Use a static function ARN in the flow, or list the possible functions in "
        "extra_functions and waive this finding for the flow.",
        remedies=(
            (
                "Use a static function ARN in flow {resource}, or list the functions it "
                "may call in extra_functions and waive WARM011 for {resource_arn}."
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
            unresolved = [r for r in holder.content.lambda_references if r.kind != "static"]
            if not unresolved:
                continue
            described = "; ".join(
                f"action {r.action}: {_KIND[r.kind]}"
                + (f" {r.value!r}" if r.value is not None else "")
                + (f" ({r.note})" if r.note else "")
                for r in sorted(unresolved, key=lambda r: r.action)
            )
            result.findings.append(
                self.finding(
                    resource=arn,
                    flows=holder.flows,
                    message=(
                        f"{holder.name} invokes {len(unresolved)} Lambda "
                        f"reference{'s' if len(unresolved) != 1 else ''} that cannot be "
                        f"verified: {described}"
                    ),
                )
            )
        return result
