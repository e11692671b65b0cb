"""WARM010 function-timeout-too-long: a required function may run past Connect's limit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleMeta, RuleResult, setting

if TYPE_CHECKING:
    from checker.analysis import Analysis


class FunctionTimeoutTooLong(Rule):
    meta = RuleMeta(
        id="WARM010",
        slug="function-timeout-too-long",
        severity="low",
        title="A required function's timeout exceeds max_function_timeout",
        fix="Lower the function's timeout to what Connect waits (8 s for a synchronous call).",
        remedies=(
            (
                "Lower the timeout of {function_name} to what Connect waits (8 s): aws "
                "lambda update-function-configuration --function-name {function_name} "
                "--timeout 8, then publish a version and move the qualifier the flows "
                "call ({qualifier}) to it."
            ),
        ),
        policy_field="warm.max_function_timeout",
    )

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        for key, required in analysis.required.items():
            if analysis.exists(key) is not True:
                continue
            timeout = analysis.timeout(key)
            if timeout is None:
                continue
            result.checked.add(key.arn)
            limit = required.settings.max_function_timeout
            if timeout <= limit:
                continue
            result.findings.append(
                self.finding(
                    resource=key.arn,
                    function=key.arn,
                    flows=required.flows,
                    message=(
                        f"{key.arn} has a {timeout} s timeout; Connect gives up after "
                        f"{limit} s, so a slow run fails the caller without failing the function"
                    ),
                    policy_field=setting(required.settings.override_index, "max_function_timeout"),
                )
            )
        return result
