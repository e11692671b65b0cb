"""A small, healthy contact center as a Snapshot, for tests to break one thing at a time.

`healthy()` has one instance whose published flow "Main" calls crm-lookup:prod (through a
module) and billing ($LATEST); both are warmed every 5 minutes with the policy payload, allowed
to be invoked by their warmers and by the instance, and associated with it. It evaluates to no
findings; each test changes one fact.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from checker.domain.flows import parse_flow_content
from checker.model.policy import Policy
from checker.model.snapshot import (
    CollectionFailure,
    ConnectInstance,
    ContactFlow,
    EventRule,
    FlowModule,
    FunctionAlias,
    FunctionPolicy,
    FunctionVersion,
    HoursOfOperation,
    IamRole,
    LambdaFunction,
    ProvisionedConcurrency,
    RolePolicy,
    RuleTarget,
    Schedule,
    ScheduleTarget,
    Snapshot,
)

ACCOUNT = "123456789012"
REGION = "us-east-1"
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
INSTANCE_ARN = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}"
PAYLOAD = {"warmer": True}


def fn_arn(name: str, qualifier: str | None = None, region: str = REGION) -> str:
    arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def rule_arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:events:{region}:{ACCOUNT}:rule/{name}"


def schedule_arn(name: str, group: str = "default") -> str:
    return f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/{group}/{name}"


def flow_arn(flow_id: str) -> str:
    return f"{INSTANCE_ARN}/contact-flow/{flow_id}"


def module_arn(module_id: str) -> str:
    return f"{INSTANCE_ARN}/flow-module/{module_id}"


def flow_document(lambdas: Sequence[str] = (), modules: Sequence[str] = ()) -> dict[str, Any]:
    """A flow-language document invoking each Lambda value and module ID in turn."""
    actions: list[dict[str, Any]] = []
    for index, value in enumerate(lambdas):
        actions.append(
            {
                "Identifier": f"lambda-{index}",
                "Type": "InvokeLambdaFunction",
                "Parameters": {"LambdaFunctionARN": value, "InvocationTimeLimitSeconds": "8"},
                "Transitions": {},
            }
        )
    for index, module_id in enumerate(modules):
        actions.append(
            {
                "Identifier": f"module-{index}",
                "Type": "InvokeFlowModule",
                "Parameters": {"FlowModuleId": module_id},
                "Transitions": {},
            }
        )
    actions.append(
        {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
    )
    return {"Version": "2019-10-30", "StartAction": actions[0]["Identifier"], "Actions": actions}


def flow(flow_id: str, *lambdas: str, modules: Sequence[str] = (), **fields: Any) -> ContactFlow:
    content = parse_flow_content(
        json.dumps(flow_document(list(lambdas), list(modules))), region=REGION, account=ACCOUNT
    )
    return ContactFlow(
        id=flow_id,
        arn=flow_arn(flow_id),
        name=fields.pop("name", flow_id),
        content=content,
        **fields,
    )


def module(module_id: str, *lambdas: str, modules: Sequence[str] = ()) -> FlowModule:
    content = parse_flow_content(
        json.dumps(flow_document(list(lambdas), list(modules))), region=REGION, account=ACCOUNT
    )
    return FlowModule(id=module_id, arn=module_arn(module_id), name=module_id, content=content)


def statement(
    sid: str, principal: str, resource: str, source_arn: str | None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": principal},
        "Action": "lambda:InvokeFunction",
        "Resource": resource,
    }
    if source_arn is not None:
        body["Condition"] = {"ArnLike": {"AWS:SourceArn": source_arn}}
    body.update(extra)
    return body


def policy_document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": list(statements)})


def warm_permissions(name: str, qualifier: str, warmer: str) -> FunctionPolicy:
    resource = fn_arn(name, None if qualifier == "$LATEST" else qualifier)
    return FunctionPolicy(
        qualifier=qualifier,
        document=policy_document(
            statement("connect", "connect.amazonaws.com", resource, INSTANCE_ARN),
            statement("warmer", "events.amazonaws.com", resource, warmer),
        ),
    )


def lambda_function(name: str, **fields: Any) -> LambdaFunction:
    defaults: dict[str, Any] = {
        "arn": fn_arn(name),
        "name": name,
        "region": REGION,
        "account": ACCOUNT,
        "exists": True,
        "timeout": 8,
        "runtime": "python3.12",
        "versions": [],
        "aliases": [],
        "provisioned_concurrency": [],
    }
    defaults.update(fields)
    return LambdaFunction(**defaults)


def scheduled_rule(
    name: str, expression: str, *targets: str, state: str = "ENABLED", payload: Any = PAYLOAD
) -> EventRule:
    text = None if payload is None else json.dumps(payload)
    return EventRule(
        arn=rule_arn(name),
        name=name,
        region=REGION,
        account=ACCOUNT,
        state=state,
        schedule_expression=expression,
        targets=[RuleTarget(id=f"t{i}", arn=arn, input=text) for i, arn in enumerate(targets)],
    )


def schedule(name: str, expression: str, target: str, **fields: Any) -> Schedule:
    role = fields.pop("role_arn", f"arn:aws:iam::{ACCOUNT}:role/scheduler-warmer")
    payload = fields.pop("payload", PAYLOAD)
    return Schedule(
        arn=schedule_arn(name),
        name=name,
        region=REGION,
        account=ACCOUNT,
        expression=expression,
        target=ScheduleTarget(
            arn=target, role_arn=role, input=None if payload is None else json.dumps(payload)
        ),
        **fields,
    )


def invoke_role(name: str, *resources: str) -> IamRole:
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": list(resources)}
            ],
        }
    )
    return IamRole(
        arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
        policies=[RolePolicy(name="invoke", kind="inline", document=document)],
    )


@dataclass
class Scenario:
    flows: list[ContactFlow] = field(default_factory=list)
    modules: list[FlowModule] = field(default_factory=list)
    associations: list[str] = field(default_factory=list)
    hours: list[HoursOfOperation] = field(default_factory=list)
    functions: dict[str, LambdaFunction] = field(default_factory=dict)
    rules: list[EventRule] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    roles: list[IamRole] = field(default_factory=list)
    errors: list[CollectionFailure] = field(default_factory=list)
    instance_fields: dict[str, Any] = field(default_factory=dict)

    def update_function(self, name: str, **fields: Any) -> None:
        self.functions[name] = self.functions[name].model_copy(update=fields)

    def set_policy(self, name: str, qualifier: str, *statements: dict[str, Any]) -> None:
        """Replace a function's resource policies with one, on `qualifier`, of `statements`."""
        document = FunctionPolicy(qualifier=qualifier, document=policy_document(*statements))
        self.update_function(name, policies=[document])

    def instance(self) -> ConnectInstance:
        values: dict[str, Any] = {
            "id": INSTANCE_ID,
            "arn": INSTANCE_ARN,
            "alias": "demo-center",
            "region": REGION,
            "account": ACCOUNT,
            "flows": self.flows,
            "modules": self.modules,
            "lambda_functions": self.associations,
            "hours_of_operation": self.hours,
        }
        values.update(self.instance_fields)
        return ConnectInstance(**values)

    def snapshot(self) -> Snapshot:
        return Snapshot(
            collected_at=NOW,
            accounts=[ACCOUNT],
            regions=[REGION],
            instances=[self.instance()],
            functions=list(self.functions.values()),
            rules=self.rules,
            schedules=self.schedules,
            roles=self.roles,
            errors=self.errors,
        )


def healthy() -> Scenario:
    crm_rule = rule_arn("crm-warmer")
    billing_rule = rule_arn("billing-warmer")
    return Scenario(
        flows=[flow("main", fn_arn("billing"), modules=["mod-crm"], name="Main")],
        modules=[module("mod-crm", fn_arn("crm-lookup", "prod"))],
        associations=[fn_arn("crm-lookup"), fn_arn("billing")],
        functions={
            "crm-lookup": lambda_function(
                "crm-lookup",
                versions=[FunctionVersion(version="1", timeout=8)],
                aliases=[FunctionAlias(name="prod", function_version="1")],
                policies=[
                    FunctionPolicy(qualifier="$LATEST", document=None),
                    warm_permissions("crm-lookup", "prod", crm_rule),
                ],
            ),
            "billing": lambda_function(
                "billing", policies=[warm_permissions("billing", "$LATEST", billing_rule)]
            ),
        },
        rules=[
            scheduled_rule("crm-warmer", "rate(5 minutes)", fn_arn("crm-lookup", "prod")),
            scheduled_rule("billing-warmer", "cron(0/5 * * * ? *)", fn_arn("billing")),
        ],
    )


def default_policy(**warm: Any) -> Policy:
    return Policy.model_validate({"version": 1, "warm": {"payload": PAYLOAD, **warm}})


__all__ = [
    "ACCOUNT",
    "INSTANCE_ARN",
    "NOW",
    "REGION",
    "CollectionFailure",
    "ProvisionedConcurrency",
    "Scenario",
    "default_policy",
    "flow",
    "fn_arn",
    "healthy",
    "invoke_role",
    "lambda_function",
    "module",
    "policy_document",
    "rule_arn",
    "schedule",
    "schedule_arn",
    "scheduled_rule",
    "statement",
    "warm_permissions",
]
