"""The plan as CloudFormation: one stack per account and region that owns only what it adds.

`warmcheck-fix.cfn.yaml` holds one YAML document per account and region (one document, directly
deployable, in the usual single-account case). When a plan spans several, each document is also
written on its own as `warmcheck-fix.<account>.<region>.cfn.yaml`, since
`aws cloudformation deploy` takes one template. A stack cannot change what it does not own:
re-enabling or re-pointing an existing warmer is listed as a comment pointing at the shell plan.
"""

from __future__ import annotations

import hashlib
from typing import Any

import yaml

from checker.domain.permissions import INVOKE_ACTION
from checker.fix.model import (
    AssociateLambdaStep,
    EventRuleStep,
    FixPlanV1,
    LambdaPermissionStep,
    ManualStep,
    RolePolicyStep,
    SchedulerRoleStep,
    ScheduleStep,
    Step,
)
from checker.fix.policies import invoke_policy, scheduler_trust_policy

FILENAME = "warmcheck-fix.cfn.yaml"


def stack_name(account: str, region: str) -> str:
    return f"warmcheck-fix-{account}-{region}"


def stack_filename(account: str, region: str) -> str:
    return f"warmcheck-fix.{account}.{region}.cfn.yaml"


def render_files(plan: FixPlanV1) -> list[tuple[str, str]]:
    places = sorted({(e.account, e.region) for e in plan.entries if not e.manual})
    documents = [render_stack(plan, account, region) for account, region in places]
    if not documents:
        text = _header(plan) + "# Nothing for CloudFormation to add: the plan has no changes.\n"
        return [(FILENAME, text)]
    files = [(FILENAME, "---\n".join(documents))]
    if len(documents) > 1:
        files += [
            (stack_filename(account, region), document)
            for (account, region), document in zip(places, documents, strict=True)
        ]
    return files


def render(plan: FixPlanV1) -> str:
    return render_files(plan)[0][1]


def render_stack(plan: FixPlanV1, account: str, region: str) -> str:
    """One complete template: the plan's changes in `account` and `region`."""
    entries = [e for e in plan.entries if (e.account, e.region) == (account, region)]
    resources: dict[str, Any] = {}
    elsewhere: list[str] = []
    rule_ids = {
        step.arn: _logical("Rule", step.name)
        for entry in entries
        for step in entry.steps
        if isinstance(step, EventRuleStep)
    }
    role_ids = {
        step.role_arn: _logical("Role", step.role_name)
        for entry in entries
        for step in entry.steps
        if isinstance(step, SchedulerRoleStep)
    }
    for entry in entries:
        for step in entry.steps:
            resource = _resource(step, rule_ids, role_ids)
            if resource is None:
                if not isinstance(step, ManualStep):
                    elsewhere.append(
                        f"{entry.rule} {entry.resource}: {step.type} ({entry.summary})"
                    )
                continue
            logical, body = resource
            body["Metadata"] = {"warmcheck": {"fingerprint": entry.fingerprint, "rule": entry.rule}}
            resources.setdefault(logical, body)
    name = stack_name(account, region)
    lines = [
        f"# Stack {name}: deploy in account {account}, region {region}:",
        (
            f"#   aws cloudformation deploy --stack-name {name} --template-file <this template> "
            f"--region {region} --capabilities CAPABILITY_NAMED_IAM"
        ),
        "# It owns only what it adds: deleting the stack takes back exactly these resources.",
    ]
    if elsewhere:
        lines.append(
            "# A stack cannot change what it does not own; apply these with warmcheck-fix.sh:"
        )
        lines += [f"#   - {_one_line(item)}" for item in elsewhere]
    header = _header(plan) + "\n".join(lines) + "\n"
    if not resources:
        return header + "# Nothing here that a stack can add.\n"
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"warmcheck fix: warmers and permissions for account {account} in "
        f"{region}; only what warmcheck adds",
        "Resources": resources,
    }
    return header + yaml.safe_dump(template, sort_keys=True, width=100)


def _header(plan: FixPlanV1) -> str:
    lines = [
        (
            f"# warmcheck fix plan (warmcheck {plan.tool.version}) as CloudFormation; snapshot "
            f"collected at {plan.snapshot.collected_at}."
        ),
    ]
    if not plan.complete:
        lines.append(
            "# EVIDENCE INCOMPLETE: the plan covers only what could be read; run `warmcheck fix` "
            "again once every read succeeds."
        )
    lines += [f"# warning: {_one_line(w)}" for w in plan.warnings]
    return "\n".join(lines) + "\n"


def _resource(
    step: Step, rule_ids: dict[str, str], role_ids: dict[str, str]
) -> tuple[str, dict[str, Any]] | None:
    if isinstance(step, EventRuleStep):
        return rule_ids[step.arn], {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Name": step.name,
                "Description": "warmer added by warmcheck fix",
                "ScheduleExpression": step.schedule_expression,
                "State": "ENABLED",
                "Targets": [{"Id": step.target_id, "Arn": step.target_arn, "Input": step.input}],
            },
        }
    if isinstance(step, LambdaPermissionStep):
        qualified = step.function_arn + (f":{step.qualifier}" if step.qualifier else "")
        source: Any = step.source_arn
        if step.source_arn in rule_ids:
            source = {"Fn::GetAtt": [rule_ids[step.source_arn], "Arn"]}
        return _logical("Permission", step.statement_id), {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": INVOKE_ACTION,
                "FunctionName": qualified,
                "Principal": step.principal,
                "SourceArn": source,
                "SourceAccount": step.source_account,
            },
        }
    if isinstance(step, SchedulerRoleStep):
        return role_ids[step.role_arn], {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": step.role_name,
                "Description": "Scheduler warmer role from warmcheck fix",
                "AssumeRolePolicyDocument": scheduler_trust_policy(step),
                "Policies": [
                    {
                        "PolicyName": step.policy_name,
                        "PolicyDocument": invoke_policy(step.function_arn),
                    }
                ],
            },
        }
    if isinstance(step, ScheduleStep):
        role: Any = step.role_arn
        if step.role_arn in role_ids:
            role = {"Fn::GetAtt": [role_ids[step.role_arn], "Arn"]}
        return _logical("Schedule", step.name), {
            "Type": "AWS::Scheduler::Schedule",
            "Properties": {
                "Name": step.name,
                "GroupName": step.group,
                "ScheduleExpression": step.schedule_expression,
                "ScheduleExpressionTimezone": step.timezone,
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "State": "ENABLED",
                "Target": {"Arn": step.target_arn, "RoleArn": role, "Input": step.input},
            },
        }
    if isinstance(step, RolePolicyStep):
        return _logical("RolePolicy", step.role_name + step.policy_name), {
            "Type": "AWS::IAM::RolePolicy",
            "Properties": {
                "RoleName": step.role_name,
                "PolicyName": step.policy_name,
                "PolicyDocument": invoke_policy(step.function_arn),
            },
        }
    if isinstance(step, AssociateLambdaStep):
        # CloudFormation's InstanceId takes the instance ARN.
        return _logical("Association", step.instance_arn + step.function_arn), {
            "Type": "AWS::Connect::IntegrationAssociation",
            "Properties": {
                "InstanceId": step.instance_arn,
                "IntegrationType": "LAMBDA_FUNCTION",
                "IntegrationArn": step.function_arn,
            },
        }
    return None  # enable, re-point, update and manual steps change what this stack does not own


def _logical(kind: str, name: str) -> str:
    """A logical ID: alphanumeric, stable for the same resource."""
    return f"Warmcheck{kind}{hashlib.sha256(name.encode()).hexdigest()[:8].upper()}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
