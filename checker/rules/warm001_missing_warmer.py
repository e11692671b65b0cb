"""WARM001 missing-warmer: a required function has no warm source at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult, callers

if TYPE_CHECKING:
    from checker.analysis import Analysis


class MissingWarmer(Rule):
    meta = RuleMeta(
        id="WARM001",
        slug="missing-warmer",
        severity="high",
        title="A required function has no warm source at all",
        fix="Add a scheduled rule or schedule that targets exactly this function and qualifier.",
        remedies=(
            (
                "Keep {function} warm: add a scheduled rule (or schedule) that targets "
                "exactly {function_arn} at least every max_interval, and let the rule "
                "invoke that qualifier: aws lambda add-permission --function-name "
                "{function_name}{qualifier_flag} --statement-id warm-{function_name} "
                "--action lambda:InvokeFunction --principal events.amazonaws.com "
                "--source-arn "
                "arn:{partition}:events:{region}:{account}:rule/warm-{function_name}"
            ),
        ),
        policy_field="warm.accept",
    )

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for key, assessment in analysis.assessments.items():
            result.checked.add(key.arn)
            if assessment.cause != "missing-warmer":
                continue
            required = assessment.required
            result.findings.append(
                self.finding(
                    resource=key.arn,
                    function=key.arn,
                    flows=required.flows,
                    message=(
                        f"{key.arn} is {callers(required.flows, required.extra)}, but no "
                        f"accepted warm source ({', '.join(required.settings.accept)}) "
                        "targets it"
                    ),
                )
            )
        return result
