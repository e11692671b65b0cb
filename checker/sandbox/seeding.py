"""Building blocks that create state through the ordinary AWS API, never through internal hooks.

Each function is one or two plain boto3 calls, so the same code seeds a real test account. Build
clients with `SandboxClients.from_env(sandbox.env())`; the demo scenario composes these.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_connect import ConnectClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_scheduler import EventBridgeSchedulerClient
    from mypy_boto3_sts import STSClient

UNIVERSAL_LAMBDA_INVOKE = "arn:aws:scheduler:::aws-sdk:lambda:invoke"
DEFAULT_HANDLER = "def handler(event, context):\n    return {'warm': True}\n"
_DAYS = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")


@dataclass(frozen=True)
class SandboxClients:
    """One client per service warmcheck touches, all built from one environment mapping."""

    connect: ConnectClient
    lambda_: LambdaClient
    events: EventBridgeClient
    scheduler: EventBridgeSchedulerClient
    iam: IAMClient
    sts: STSClient
    cloudwatch: CloudWatchClient

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], *, region: str | None = None, account: str | None = None
    ) -> SandboxClients:
        """Clients for the endpoints and credentials in `env` (e.g. `Sandbox.env()`).

        `account`: act in that (member) account of the sandbox, as moto's account header
        pins it; the sandbox only, never AWS.
        """
        core = botocore.session.Session()
        # Only `env` decides: no ~/.aws file may add a profile, retry mode or endpoint.
        core.set_config_variable("config_file", env.get("AWS_CONFIG_FILE", os.devnull))
        core.set_config_variable(
            "credentials_file", env.get("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        )
        session = boto3.session.Session(
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=region or env.get("AWS_DEFAULT_REGION", "us-east-1"),
            botocore_session=core,
        )

        def endpoint(service_env: str) -> str | None:
            return env.get(f"AWS_ENDPOINT_URL_{service_env}") or env.get("AWS_ENDPOINT_URL")

        if account is not None:

            def pin(**kwargs: Any) -> None:
                kwargs["request"].headers["x-moto-account-id"] = account

            core.register("before-sign", pin)

        return cls(
            connect=session.client("connect", endpoint_url=endpoint("CONNECT")),
            lambda_=session.client("lambda", endpoint_url=endpoint("LAMBDA")),
            events=session.client("events", endpoint_url=endpoint("EVENTBRIDGE")),
            scheduler=session.client("scheduler", endpoint_url=endpoint("SCHEDULER")),
            iam=session.client("iam", endpoint_url=endpoint("IAM")),
            sts=session.client("sts", endpoint_url=endpoint("STS")),
            cloudwatch=session.client("cloudwatch", endpoint_url=endpoint("CLOUDWATCH")),
        )


@dataclass(frozen=True)
class Ref:
    """A created resource: its ID and ARN."""

    id: str
    arn: str


# -- IAM ----------------------------------------------------------------------------------


def _trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def create_lambda_role(iam: IAMClient, name: str = "warmcheck-lambda") -> str:
    """An execution role Lambda can assume; returns its ARN."""
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust("lambda.amazonaws.com"))[
        "Role"
    ]["Arn"]


def create_scheduler_role(iam: IAMClient, name: str, function_arns: Sequence[str]) -> str:
    """A role EventBridge Scheduler assumes, allowed to invoke `function_arns`; returns its ARN."""
    arn = iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=_trust("scheduler.amazonaws.com")
    )["Role"]["Arn"]
    if function_arns:
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "lambda:InvokeFunction",
                    "Resource": list(function_arns),
                }
            ],
        }
        iam.put_role_policy(RoleName=name, PolicyName="invoke", PolicyDocument=json.dumps(policy))
    return arn


# -- Lambda -------------------------------------------------------------------------------


def handler_zip(source: str = DEFAULT_HANDLER) -> bytes:
    """A deployment package holding ``index.py``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()


def create_function(
    lambda_: LambdaClient,
    name: str,
    role_arn: str,
    *,
    timeout: int = 3,
    memory_mb: int = 128,
    runtime: str = "python3.12",
    description: str = "",
) -> str:
    """A zip function with a tiny inline handler; returns its (unqualified) ARN."""
    return lambda_.create_function(
        FunctionName=name,
        Runtime=runtime,  # type: ignore[arg-type]
        Role=role_arn,
        Handler="index.handler",
        Code={"ZipFile": handler_zip()},
        Timeout=timeout,
        MemorySize=memory_mb,
        Description=description,
    )["FunctionArn"]


def publish_version(lambda_: LambdaClient, name: str) -> str:
    """Publish the current code and configuration; returns the version number."""
    return lambda_.publish_version(FunctionName=name)["Version"]


def create_alias(lambda_: LambdaClient, name: str, alias: str, version: str) -> str:
    """An alias pointing at `version`; returns the alias ARN."""
    return lambda_.create_alias(FunctionName=name, Name=alias, FunctionVersion=version)["AliasArn"]


def add_permission(
    lambda_: LambdaClient,
    function: str,
    *,
    statement_id: str,
    principal: str,
    source_arn: str | None = None,
    source_account: str | None = None,
    qualifier: str | None = None,
    action: str = "lambda:InvokeFunction",
) -> dict[str, Any]:
    """One resource-policy statement on the function or one qualifier; returns the statement."""
    extra: dict[str, Any] = {}
    if source_arn:
        extra["SourceArn"] = source_arn
    if source_account:
        extra["SourceAccount"] = source_account
    if qualifier:
        extra["Qualifier"] = qualifier
    response = lambda_.add_permission(
        FunctionName=function, StatementId=statement_id, Action=action, Principal=principal, **extra
    )
    statement: dict[str, Any] = json.loads(response["Statement"])
    return statement


def put_provisioned_concurrency(
    lambda_: LambdaClient, function: str, qualifier: str, executions: int
) -> None:
    """Provisioned concurrency on a version or alias (the sandbox makes it READY at once)."""
    lambda_.put_provisioned_concurrency_config(
        FunctionName=function, Qualifier=qualifier, ProvisionedConcurrentExecutions=executions
    )


# -- Connect ------------------------------------------------------------------------------


def create_instance(connect: ConnectClient, alias: str) -> Ref:
    """A Connect-managed instance with inbound and outbound calling."""
    response = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias=alias,
        InboundCallsEnabled=True,
        OutboundCallsEnabled=True,
    )
    return Ref(response["Id"], response["Arn"])


def flow_document(
    *, lambdas: Sequence[str] = (), modules: Sequence[str] = (), timeout_seconds: int = 8
) -> dict[str, Any]:
    """A flow-language document that invokes each Lambda, then each module, then disconnects."""
    actions: list[dict[str, Any]] = []
    steps: list[tuple[str, dict[str, Any]]] = []
    for index, arn in enumerate(lambdas):
        parameters = {
            "LambdaFunctionARN": arn,
            "InvocationTimeLimitSeconds": str(timeout_seconds),
            "ResponseValidation": {"ResponseType": "STRING_MAP"},
        }
        steps.append(
            (f"lambda-{index}", {"Type": "InvokeLambdaFunction", "Parameters": parameters})
        )
    for index, module in enumerate(modules):
        steps.append(
            (
                f"module-{index}",
                {"Type": "InvokeFlowModule", "Parameters": {"FlowModuleId": module}},
            )
        )
    for position, (identifier, body) in enumerate(steps):
        following = steps[position + 1][0] if position + 1 < len(steps) else "end"
        transitions: dict[str, Any] = {"NextAction": following}
        if body["Type"] == "InvokeLambdaFunction":
            transitions["Errors"] = [{"NextAction": following, "ErrorType": "NoMatchingError"}]
        actions.append({"Identifier": identifier, **body, "Transitions": transitions})
    actions.append(
        {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
    )
    return {"Version": "2019-10-30", "StartAction": actions[0]["Identifier"], "Actions": actions}


def _content(document: Mapping[str, Any] | str) -> str:
    return document if isinstance(document, str) else json.dumps(document)


def create_flow(
    connect: ConnectClient,
    instance_id: str,
    name: str,
    document: Mapping[str, Any] | str,
    *,
    flow_type: str = "CONTACT_FLOW",
    status: str = "PUBLISHED",
    description: str | None = None,
) -> Ref:
    """A contact flow from a flow-language document (a mapping, or any string as-is)."""
    extra: dict[str, Any] = {"Description": description} if description else {}
    response = connect.create_contact_flow(
        InstanceId=instance_id,
        Name=name,
        Type=flow_type,  # type: ignore[arg-type]
        Content=_content(document),
        Status=status,  # type: ignore[arg-type]
        **extra,
    )
    return Ref(response["ContactFlowId"], response["ContactFlowArn"])


def create_module(
    connect: ConnectClient, instance_id: str, name: str, document: Mapping[str, Any] | str
) -> Ref:
    """A flow module from a flow-language document."""
    response = connect.create_contact_flow_module(
        InstanceId=instance_id, Name=name, Content=_content(document)
    )
    return Ref(response["Id"], response["Arn"])


def associate_lambda(connect: ConnectClient, instance_id: str, function_arn: str) -> None:
    """Make a function selectable in the instance's flows (``ListLambdaFunctions``)."""
    connect.associate_lambda_function(InstanceId=instance_id, FunctionArn=function_arn)


def _time(value: str) -> dict[str, int]:
    hours, minutes = value.split(":")
    return {"Hours": int(hours), "Minutes": int(minutes)}


def create_hours_of_operation(
    connect: ConnectClient,
    instance_id: str,
    name: str,
    *,
    timezone: str,
    weekly: Sequence[tuple[str, str, str]],
) -> Ref:
    """Hours of operation from ``(day, "HH:MM", "HH:MM")`` rows (days as Connect spells them)."""
    config = []
    for day, start, end in weekly:
        if day not in _DAYS:
            raise ValueError(f"{day} is not one of {', '.join(_DAYS)}")
        config.append({"Day": day, "StartTime": _time(start), "EndTime": _time(end)})
    response = connect.create_hours_of_operation(
        InstanceId=instance_id,
        Name=name,
        TimeZone=timezone,
        Config=config,  # type: ignore[arg-type]
    )
    return Ref(response["HoursOfOperationId"], response["HoursOfOperationArn"])


# -- EventBridge and Scheduler ------------------------------------------------------------


def put_warmer_rule(
    events: EventBridgeClient,
    name: str,
    schedule: str,
    target_arn: str,
    *,
    input: str | None = None,
    enabled: bool = True,
    target_id: str = "warmer",
) -> str:
    """A scheduled rule on the default bus with one Lambda target; returns the rule ARN."""
    arn = events.put_rule(
        Name=name, ScheduleExpression=schedule, State="ENABLED" if enabled else "DISABLED"
    )["RuleArn"]
    target: dict[str, str] = {"Id": target_id, "Arn": target_arn}
    if input is not None:
        target["Input"] = input
    events.put_targets(Rule=name, Targets=[target])  # type: ignore[list-item]
    return arn


def create_schedule(
    scheduler: EventBridgeSchedulerClient,
    name: str,
    expression: str,
    function_arn: str,
    role_arn: str,
    *,
    input: str | None = None,
    universal: bool = False,
    timezone: str | None = None,
    flexible_window_minutes: int | None = None,
    enabled: bool = True,
    group: str = "default",
    start_date: datetime | None = None,
    end_date: datetime | None = None,
) -> str:
    """A Scheduler schedule invoking a Lambda; returns the schedule ARN.

    Templated: the target ARN is the function. Universal (`universal=True`): the target is
    ``arn:aws:scheduler:::aws-sdk:lambda:invoke`` and the function (with any qualifier in its
    ARN) and payload travel in the target's input as Lambda ``Invoke`` parameters.
    """
    target: dict[str, Any] = {"RoleArn": role_arn}
    if universal:
        invoke: dict[str, str] = {"FunctionName": function_arn, "InvocationType": "Event"}
        if input is not None:
            invoke["Payload"] = input
        target.update(Arn=UNIVERSAL_LAMBDA_INVOKE, Input=json.dumps(invoke))
    else:
        target["Arn"] = function_arn
        if input is not None:
            target["Input"] = input
    window: dict[str, Any] = {"Mode": "OFF"}
    if flexible_window_minutes:
        window = {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": flexible_window_minutes}
    extra: dict[str, Any] = {}
    if timezone:
        extra["ScheduleExpressionTimezone"] = timezone
    if start_date:
        extra["StartDate"] = start_date
    if end_date:
        extra["EndDate"] = end_date
    return scheduler.create_schedule(
        Name=name,
        GroupName=group,
        ScheduleExpression=expression,
        FlexibleTimeWindow=window,  # type: ignore[arg-type]
        Target=target,  # type: ignore[arg-type]
        State="ENABLED" if enabled else "DISABLED",
        **extra,
    )["ScheduleArn"]
