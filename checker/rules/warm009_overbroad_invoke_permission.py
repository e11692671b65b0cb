"""WARM009 overbroad-invoke-permission: a service may invoke with no source condition."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.arns import parse_function_arn
from checker.permissions import overbroad_statements
from checker.rules.base import Rule, RuleMeta, RuleResult

if TYPE_CHECKING:
    from checker.analysis import Analysis


class OverbroadInvokePermission(Rule):
    meta = RuleMeta(
        id="WARM009",
        slug="overbroad-invoke-permission",
        severity="medium",
        title="A resource-policy statement lets a service invoke with no source condition",
        fix="Replace the statement with one pinned to the rule or instance ARN "
        "(--source-arn) and your account (--source-account).",
        remedies=(
            (
                "Replace the statement on {function} that the message names with one "
                "pinned to the rule or instance ARN: aws lambda remove-permission "
                "--function-name {function_name}{qualifier_flag} --statement-id "
                "<statement id>, then add-permission again with --source-arn and "
                "--source-account {account}."
            ),
        ),
        policy_field="warm.require_source_arn",
    )

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
