"""The plan as Terraform JSON syntax (`warmcheck-fix.tf.json`): its own small configuration.

One aliased `aws` provider per account and region (`allowed_account_ids` guards against applying
with the wrong credentials). Re-pointing a rule's existing target would make Terraform own (and
on destroy remove) someone else's target, so the configuration adds a replacement target with its
own ID instead and says which old target to remove by hand; re-enabling is left to the shell plan.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from checker.domain.permissions import INVOKE_ACTION
from checker.fix.model import (
    AssociateLambdaStep,
    EnableRuleStep,
    EventRuleStep,
    FixPlanV1,
    LambdaPermissionStep,
    ManualStep,
    RetargetRuleStep,
    RolePolicyStep,
    SchedulerRoleStep,
    ScheduleStep,
    Step,
    UpdateScheduleStep,
)
from checker.fix.policies import invoke_policy, scheduler_trust_policy

FILENAME = "warmcheck-fix.tf.json"


def provider_alias(account: str, region: str) -> str:
    return f"a{account}_{region.replace('-', '_')}"


def render(plan: FixPlanV1) -> str:
    resources: dict[str, dict[str, Any]] = {}
    notes: list[str] = ["warmcheck fix plan as Terraform; review, then terraform init/plan/apply"]
    if not plan.complete:
        notes.append("EVIDENCE INCOMPLETE: the plan covers only what could be read")
    notes += [f"warning: {w}" for w in plan.warnings]
    providers: dict[str, dict[str, Any]] = {}
    rules: dict[str, str] = {}  # rule ARN -> resource address, for the rules this adds
    roles: dict[str, str] = {}
    runnable = [e for e in plan.entries if not e.manual]
    for entry in runnable:
        for step in entry.steps:
            if isinstance(step, EventRuleStep):
                rules[step.arn] = f"aws_cloudwatch_event_rule.{_name(step.name)}"
            if isinstance(step, SchedulerRoleStep):
                roles[step.role_arn] = f"aws_iam_role.{_name(step.role_name)}"
    for entry in runnable:
        alias = provider_alias(entry.account, entry.region)
        providers[alias] = {
            "alias": alias,
            "region": entry.region,
            "allowed_account_ids": [entry.account],
        }
        for step in entry.steps:
            added = _resources(step, rules, roles)
            if not added:
                if not isinstance(step, ManualStep):
                    notes.append(_note(entry.rule, entry.resource, step))
                continue
            if isinstance(step, RetargetRuleStep):
                notes.append(
                    f"after apply ({entry.rule} {entry.resource}): the replacement target on rule "
                    f"{step.rule_name} is added beside target {step.target_id}, which still "
                    f"invokes {step.previous_target_arn}; remove that one by hand (`aws events "
                    f"remove-targets --rule {step.rule_name} --ids {step.target_id}`) or where "
                    "the rule is defined"
                )
            for kind, name, body in added:
                body["provider"] = f"aws.{alias}"
                resources.setdefault(kind, {}).setdefault(name, body)
    for entry in plan.entries:
        if entry.manual:
            notes.append(f"{entry.rule} {entry.resource}: {entry.summary}")
    document: dict[str, Any] = {
        "//": "\n".join(" ".join(note.split()) for note in notes),
        "terraform": {
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": ">= 5.0"}}
        },
    }
    if providers:
        document["provider"] = {"aws": [providers[key] for key in sorted(providers)]}
    if resources:
        document["resource"] = resources
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _resources(
    step: Step, rules: dict[str, str], roles: dict[str, str]
) -> list[tuple[str, str, dict[str, Any]]]:
    if isinstance(step, EventRuleStep):
        name = _name(step.name)
        return [
            (
                "aws_cloudwatch_event_rule",
                name,
                {
                    "name": step.name,
                    "description": "warmer added by warmcheck fix",
                    "schedule_expression": step.schedule_expression,
                    "state": "ENABLED",
                },
            ),
            (
                "aws_cloudwatch_event_target",
                name,
                {
                    "rule": f"${{aws_cloudwatch_event_rule.{name}.name}}",
                    "target_id": step.target_id,
                    "arn": step.target_arn,
                    "input": step.input,
                },
            ),
        ]
    if isinstance(step, LambdaPermissionStep):
        body: dict[str, Any] = {
            "statement_id": step.statement_id,
            "action": INVOKE_ACTION,
            "function_name": step.function_arn,
            "principal": step.principal,
            "source_arn": f"${{{rules[step.source_arn]}.arn}}"
            if step.source_arn in rules
            else step.source_arn,
            "source_account": step.source_account,
        }
        if step.qualifier:
            body["qualifier"] = step.qualifier
        return [("aws_lambda_permission", _name(step.statement_id), body)]
    if isinstance(step, SchedulerRoleStep):
        name = _name(step.role_name)
        return [
            (
                "aws_iam_role",
                name,
                {
                    "name": step.role_name,
                    "description": "Scheduler warmer role from warmcheck fix",
                    "assume_role_policy": json.dumps(scheduler_trust_policy(step), sort_keys=True),
                },
            ),
            (
                "aws_iam_role_policy",
                name,
                {
                    "name": step.policy_name,
                    "role": f"${{aws_iam_role.{name}.id}}",
                    "policy": json.dumps(invoke_policy(step.function_arn), sort_keys=True),
                },
            ),
        ]
    if isinstance(step, ScheduleStep):
        role = f"${{{roles[step.role_arn]}.arn}}" if step.role_arn in roles else step.role_arn
        return [
            (
                "aws_scheduler_schedule",
                _name(step.name),
                {
                    "name": step.name,
                    "group_name": step.group,
                    "schedule_expression": step.schedule_expression,
                    "schedule_expression_timezone": step.timezone,
                    "state": "ENABLED",
                    "flexible_time_window": [{"mode": "OFF"}],
                    "target": [{"arn": step.target_arn, "role_arn": role, "input": step.input}],
                },
            )
        ]
    if isinstance(step, RetargetRuleStep):
        target_id = "warmcheck-" + _digest(step.rule_arn + step.target_id)
        return [
            (
                "aws_cloudwatch_event_target",
                _name(step.rule_name + target_id),
                {
                    "rule": step.rule_name,
                    "target_id": target_id,
                    "arn": step.target_arn,
                    "input": step.input,
                },
            )
        ]
    if isinstance(step, RolePolicyStep):
        return [
            (
                "aws_iam_role_policy",
                _name(step.role_name + step.policy_name),
                {
                    "name": step.policy_name,
                    "role": step.role_name,
                    "policy": json.dumps(invoke_policy(step.function_arn), sort_keys=True),
                },
            )
        ]
    if isinstance(step, AssociateLambdaStep):
        return [
            (
                "aws_connect_lambda_function_association",
                _name(step.instance_id + step.function_arn),
                {"instance_id": step.instance_id, "function_arn": step.function_arn},
            )
        ]
    return []


def _note(rule: str, resource: str, step: Step) -> str:
    if isinstance(step, EnableRuleStep):
        return (
            f"not in this configuration ({rule} {resource}): enable rule {step.rule_name} "
            "(aws events enable-rule, or where the rule is defined)"
        )
    if isinstance(step, UpdateScheduleStep):
        return (
            f"not in this configuration ({rule} {resource}): update schedule {step.name} "
            "where it is defined, or with warmcheck-fix.sh"
        )
    return f"not in this configuration ({rule} {resource}): {step.type}"


def _name(text: str) -> str:
    """A Terraform resource name: starts with a letter, then letters, digits, _ and -."""
    return "warmcheck_" + _digest(text)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]
