"""WARM010 function-timeout-too-long: a required function may run past Connect's limit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult, setting
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class FunctionTimeoutTooLong(Rule):
    meta = rule_meta("WARM010")

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
