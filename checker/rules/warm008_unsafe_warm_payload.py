"""WARM008 unsafe-warm-payload: a warmer's input is not the policy payload."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class UnsafeWarmPayload(Rule):
    meta = RuleMeta(
        id="WARM008",
        slug="unsafe-warm-payload",
        severity="medium",
        title="A warmer does not send the policy's warm payload",
        fix="Set the target's constant input to the policy payload so the handler can "
        "return early.",
        remedies=(
            (
                "Set the constant input of the target of {warmer_kind} {warmer} (for "
                "{function}) to the policy's warm.payload, so the handler can return "
                "early."
            ),
        ),
        policy_field="warm.payload",
    )

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for source in analysis.warmers:
            result.checked.add(source.arn)
            if source.payload.matches:
                continue
            result.findings.append(
                self.finding(
                    resource=source.arn,
                    function=source.target.arn,
                    warmer=source.arn,
                    message=(
                        f"{source.label} {source.name} sends {source.target.arn} "
                        f"{source.payload.description}"
                    ),
                )
            )
        return result
