"""WARM009 overbroad-invoke-permission: a service may invoke with no source condition."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.domain.arns import parse_function_arn
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
            base = parse_function_arn(function_arn)
            if function is None or not function.exists or base is None:
                continue
            for entry in sorted(function.policies, key=lambda p: p.qualifier):
                key = base.at(entry.qualifier)
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
