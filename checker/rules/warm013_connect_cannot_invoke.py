"""WARM013 connect-cannot-invoke: the function's policy does not let the instance invoke it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class ConnectCannotInvoke(Rule):
    meta = rule_meta("WARM013")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        before_deploy = analysis.snapshot.source == "iac"
        for key, required in analysis.required.items():
            if not required.instances or analysis.exists(key) is not True:
                continue
            document = analysis.policy_document(key)
            if isinstance(document, str):
                continue  # unread or unreadable: reported as evidence, not as a verdict
            result.checked.add(key.arn)
            denied = []
            instances = list(required.instances.values())
            if len(instances) > 1:
                instances.sort(key=lambda i: i.arn)
            for instance in instances:
                if before_deploy and instance.lambda_functions is None:
                    # Before deploy, associating the function with an instance outside the
                    # templates adds its own statement: unknown (WARM901), not a verdict.
                    continue
                if analysis.connect_may_invoke(instance, key).outcome == "denied":
                    denied.append(instance.arn)
            if not denied:
                continue
            result.findings.append(
                self.finding(
                    resource=key.arn,
                    function=key.arn,
                    flows=required.flows,
                    message=(
                        f"the resource policy of {key.arn} does not let "
                        f"{', '.join(denied)} invoke it, so every call from the flows fails"
                    ),
                )
            )
        return result
