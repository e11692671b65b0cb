"""WARM009 overbroad-invoke-permission: a service may invoke with no source condition."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.domain.permissions import overbroad_statements
from checker.rules.base import Rule, RuleResult
from checker.rules.catalogue import rule_meta

if TYPE_CHECKING:
    from checker.analysis.core import Analysis


class OverbroadInvokePermission(Rule):
    meta = rule_meta("WARM009")

    def evaluate(self, analysis: Analysis) -> RuleResult:
        result = RuleResult()
        if not analysis.policy.warm.require_source_arn:
            return result
        flows_by_function: dict[str, set[str]] = {}
        for key, required in analysis.required.items():
            flows_by_function.setdefault(key.function_arn, set()).update(required.flows)
        for function_arn in sorted(flows_by_function):
            function = analysis.functions.get(function_arn)
            if function is None or not function.exists:
                continue
            base = analysis.function_key(function_arn)  # parsed once per evaluation
            if base is None:
                continue
            policies = function.policies
            if len(policies) > 1:
                policies = sorted(policies, key=lambda p: p.qualifier)
            for entry in policies:
                key = base if entry.qualifier == base.qualifier else base.at(entry.qualifier)
                resource = key.arn
                result.checked.add(resource)
                if entry.document is None:
                    continue
                document = analysis.policy_document(key)
                if isinstance(document, str) or document is None:
                    continue  # the analysis reported why it cannot be read
                statements = overbroad_statements(document, resource=resource)
                if not statements:
                    continue
                result.findings.append(
                    self.finding(
                        resource=resource,
                        function=resource,
                        flows=flows_by_function[function_arn],
                        message=(
                            f"the resource policy of {resource} lets a service invoke it "
                            f"from any source (statement {', '.join(statements)})"
                        ),
                    )
                )
        return result
