"""The local sandbox over real HTTP, with boto3 clients configured only by environment variables."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.retries.standard import RetryContext, ThrottledRetryableChecker

from checker.sandbox import (
    ENV_TO_REMOVE,
    FaultPlan,
    RateLimit,
    Sandbox,
    sandbox_environment,
    seeding,
)
from checker.sandbox.connect import ConnectBackend
from checker.sandbox.paging import page_limits
from checker.sandbox.seeding import UNIVERSAL_LAMBDA_INVOKE, SandboxClients

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def session() -> boto3.session.Session:
    """A fresh session, so it reads the environment as this test set it."""
    return boto3.session.Session()


def error_of(info: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def new_instance(alias: str = "sandbox-test") -> str:
    return (
        session()
        .client("connect")
        .create_instance(
            IdentityManagementType="CONNECT_MANAGED",
            InstanceAlias=alias,
            InboundCallsEnabled=True,
            OutboundCallsEnabled=True,
        )["Id"]
    )


def new_function(name: str = "crm-lookup") -> str:
    clients = SandboxClients.from_env(dict(os.environ))
    try:
        role = clients.iam.get_role(RoleName="sandbox-lambda")["Role"]["Arn"]
    except ClientError:
        role = seeding.create_lambda_role(clients.iam, "sandbox-lambda")
    return seeding.create_function(clients.lambda_, name, role)


# -- environment --------------------------------------------------------------------------


def test_env_points_every_sdk_at_localhost_only(sandbox: Sandbox) -> None:
    env = sandbox.env()
    endpoints = {k: v for k, v in env.items() if k.startswith("AWS_ENDPOINT_URL")}
    assert set(endpoints) >= {
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_CONNECT",
        "AWS_ENDPOINT_URL_LAMBDA",
        "AWS_ENDPOINT_URL_EVENTBRIDGE",
        "AWS_ENDPOINT_URL_SCHEDULER",
        "AWS_ENDPOINT_URL_IAM",
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_CLOUDWATCH",
    }
    assert set(endpoints.values()) == {f"http://127.0.0.1:{sandbox.port}"}
    assert env["AWS_ACCESS_KEY_ID"] == env["AWS_SECRET_ACCESS_KEY"] == "testing"
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] == "false"


def test_one_sandbox_per_process(sandbox: Sandbox) -> None:
    with pytest.raises(Exception, match="already running"):
        Sandbox.start()


# -- Connect ------------------------------------------------------------------------------


def test_every_connect_operation_answers_in_the_model_shape(aws: Sandbox) -> None:
    connect = session().client("connect")
    created = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias="every-op",
        InboundCallsEnabled=True,
        OutboundCallsEnabled=False,
    )
    instance = created["Id"]
    assert created["Arn"] == f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/{instance}"
    summaries = connect.list_instances()["InstanceSummaryList"]
    assert [s["InstanceAlias"] for s in summaries] == ["every-op"]
    described = connect.describe_instance(InstanceId=created["Arn"])["Instance"]
    assert described["InstanceStatus"] == "ACTIVE"
    assert described["OutboundCallsEnabled"] is False

    function_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:crm-lookup:prod"
    document = seeding.flow_document(lambdas=[function_arn])
    flow = connect.create_contact_flow(
        InstanceId=instance,
        Name="Inbound main",
        Type="CONTACT_FLOW",
        Description="main line",
        Content=json.dumps(document),
        Tags={"team": "cc"},
    )
    assert len(flow["FlowContentSha256"]) == 64
    shown = connect.describe_contact_flow(InstanceId=instance, ContactFlowId=flow["ContactFlowId"])
    assert json.loads(shown["ContactFlow"]["Content"]) == document
    assert shown["ContactFlow"]["Status"] == "PUBLISHED"
    assert shown["ContactFlow"]["Tags"] == {"team": "cc"}

    draft = seeding.flow_document(lambdas=[function_arn.replace(":prod", ":beta")])
    connect.update_contact_flow_content(
        InstanceId=instance,
        ContactFlowId=f"{flow['ContactFlowId']}:$SAVED",
        Content=json.dumps(draft),
    )
    saved = connect.describe_contact_flow(
        InstanceId=instance, ContactFlowId=f"{flow['ContactFlowArn']}:$SAVED"
    )["ContactFlow"]
    assert (saved["Status"], json.loads(saved["Content"])) == ("SAVED", draft)
    published = connect.describe_contact_flow(
        InstanceId=instance, ContactFlowId=flow["ContactFlowId"]
    )
    assert json.loads(published["ContactFlow"]["Content"]) == document
    connect.update_contact_flow_content(
        InstanceId=instance, ContactFlowId=flow["ContactFlowId"], Content=json.dumps(draft)
    )
    published = connect.describe_contact_flow(
        InstanceId=instance, ContactFlowId=flow["ContactFlowId"]
    )
    assert json.loads(published["ContactFlow"]["Content"]) == draft

    listed = connect.list_contact_flows(InstanceId=instance, ContactFlowTypes=["CONTACT_FLOW"])
    assert [f["ContactFlowStatus"] for f in listed["ContactFlowSummaryList"]] == ["PUBLISHED"]
    assert (
        connect.list_contact_flows(InstanceId=instance, ContactFlowTypes=["AGENT_HOLD"])[
            "ContactFlowSummaryList"
        ]
        == []
    )
    found = connect.search_contact_flows(
        InstanceId=instance,
        SearchCriteria={
            "StringCondition": {
                "FieldName": "name",
                "Value": "Inbound",
                "ComparisonType": "STARTS_WITH",
            }
        },
    )
    assert found["ApproximateTotalCount"] == 1
    hit = found["ContactFlows"][0]
    assert (hit["State"], hit["Status"], hit["Description"]) == ("ACTIVE", "PUBLISHED", "main line")
    assert json.loads(hit["Content"]) == draft

    module = connect.create_contact_flow_module(
        InstanceId=instance, Name="lookup", Content=json.dumps(document), Description="shared"
    )
    shown_module = connect.describe_contact_flow_module(
        InstanceId=instance, ContactFlowModuleId=module["Id"]
    )["ContactFlowModule"]
    assert (shown_module["Arn"], shown_module["Status"]) == (module["Arn"], "PUBLISHED")
    assert len(shown_module["FlowModuleContentSha256"]) == 64
    modules = connect.list_contact_flow_modules(
        InstanceId=instance, ContactFlowModuleState="ACTIVE"
    )
    assert [m["Name"] for m in modules["ContactFlowModulesSummaryList"]] == ["lookup"]
    searched = connect.search_contact_flow_modules(
        InstanceId=instance,
        SearchCriteria={"StatusCondition": "PUBLISHED", "StateCondition": "ACTIVE"},
    )
    assert searched["ApproximateTotalCount"] == 1
    assert json.loads(searched["ContactFlowModules"][0]["Content"]) == document

    connect.associate_lambda_function(InstanceId=instance, FunctionArn=function_arn)
    assert connect.list_lambda_functions(InstanceId=instance)["LambdaFunctions"] == [function_arn]
    connect.disassociate_lambda_function(InstanceId=instance, FunctionArn=function_arn)
    assert connect.list_lambda_functions(InstanceId=instance)["LambdaFunctions"] == []

    parent = connect.create_hours_of_operation(
        InstanceId=instance,
        Name="Company",
        TimeZone="Europe/Berlin",
        Config=[],
    )
    hours = connect.create_hours_of_operation(
        InstanceId=instance,
        Name="Office",
        Description="weekdays",
        TimeZone="Europe/Berlin",
        Config=[
            {
                "Day": day,
                "StartTime": {"Hours": 8, "Minutes": 0},
                "EndTime": {"Hours": 18, "Minutes": 0},
            }
            for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
        ],
        ParentHoursOfOperationConfigs=[{"HoursOfOperationId": parent["HoursOfOperationId"]}],
    )
    office = connect.describe_hours_of_operation(
        InstanceId=instance, HoursOfOperationId=hours["HoursOfOperationId"]
    )["HoursOfOperation"]
    assert (office["TimeZone"], len(office["Config"])) == ("Europe/Berlin", 5)
    assert office["ParentHoursOfOperations"][0]["Name"] == "Company"
    names = connect.list_hours_of_operations(InstanceId=instance)["HoursOfOperationSummaryList"]
    assert sorted(h["Name"] for h in names) == ["Company", "Office"]
    connect.create_hours_of_operation_override(
        InstanceId=instance,
        HoursOfOperationId=hours["HoursOfOperationId"],
        Name="Short Friday",
        Config=[
            {
                "Day": "FRIDAY",
                "StartTime": {"Hours": 14, "Minutes": 0},
                "EndTime": {"Hours": 18, "Minutes": 0},
            }
        ],
        EffectiveFrom="2026-01-01",
        EffectiveTill="2026-12-31",
        OverrideType="CLOSED",
    )
    connect.create_hours_of_operation_override(
        InstanceId=instance,
        HoursOfOperationId=parent["HoursOfOperationId"],
        Name="Saturday sale",
        Config=[
            {
                "Day": "SATURDAY",
                "StartTime": {"Hours": 10, "Minutes": 0},
                "EndTime": {"Hours": 12, "Minutes": 30},
            }
        ],
        EffectiveFrom="2026-03-07",
        EffectiveTill="2026-03-07",
        OverrideType="OPEN",
    )
    overrides = connect.list_hours_of_operation_overrides(
        InstanceId=instance, HoursOfOperationId=hours["HoursOfOperationId"]
    )
    assert [o["Name"] for o in overrides["HoursOfOperationOverrideList"]] == ["Short Friday"]
    assert overrides["LastModifiedRegion"] == "us-east-1"
    effective = connect.get_effective_hours_of_operations(
        InstanceId=instance,
        HoursOfOperationId=hours["HoursOfOperationId"],
        FromDate="2026-03-05",
        ToDate="2026-03-08",
    )
    assert effective["TimeZone"] == "Europe/Berlin"
    by_date = {d["Date"]: d["OperationalHours"] for d in effective["EffectiveHoursOfOperationList"]}
    eight, two, six = (
        {"Hours": 8, "Minutes": 0},
        {"Hours": 14, "Minutes": 0},
        {"Hours": 18, "Minutes": 0},
    )
    assert by_date["2026-03-05"] == [{"Start": eight, "End": six}]  # Thursday
    assert by_date["2026-03-06"] == [{"Start": eight, "End": two}]  # Friday, closed from 14:00
    assert by_date["2026-03-07"] == [
        {"Start": {"Hours": 10, "Minutes": 0}, "End": {"Hours": 12, "Minutes": 30}}
    ]  # Saturday: the parent's opening
    assert by_date["2026-03-08"] == []  # Sunday
    statuses = {
        d["Date"]: [h["OperationalStatus"] for h in d["OverrideHours"]]
        for d in effective["EffectiveOverrideHoursList"]
    }
    assert statuses == {"2026-03-06": ["CLOSED"], "2026-03-07": ["OPEN"]}

    served = {key.split(":", 1)[1] for key in aws.calls() if key.startswith("connect:")}
    assert served == ConnectBackend().operations


def test_connect_errors_are_connects_own(aws: Sandbox) -> None:
    connect = session().client("connect", config=NO_RETRIES)
    with pytest.raises(ClientError) as missing:
        connect.describe_instance(InstanceId="00000000-0000-0000-0000-000000000000")
    assert error_of(missing) == ("ResourceNotFoundException", 404)
    headers = missing.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-errortype"] == "ResourceNotFoundException"

    instance = new_instance()
    seeding.create_flow(connect, instance, "dup", seeding.flow_document())
    with pytest.raises(ClientError) as duplicate:
        seeding.create_flow(connect, instance, "dup", seeding.flow_document())
    assert error_of(duplicate) == ("DuplicateResourceException", 409)

    draft = seeding.create_flow(connect, instance, "draft", "not even json", status="SAVED")
    with pytest.raises(ClientError) as unpublished:
        connect.describe_contact_flow(InstanceId=instance, ContactFlowId=draft.id)
    assert error_of(unpublished) == ("ContactFlowNotPublishedException", 404)
    saved = connect.describe_contact_flow(InstanceId=instance, ContactFlowId=f"{draft.id}:$SAVED")
    assert saved["ContactFlow"]["Content"] == "not even json"  # stored as given

    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"
    seeding.associate_lambda(connect, instance, arn)
    with pytest.raises(ClientError) as again:
        seeding.associate_lambda(connect, instance, arn)
    assert error_of(again) == ("ResourceConflictException", 409)
    with pytest.raises(ClientError) as bad_arn:
        seeding.associate_lambda(connect, instance, "arn:aws:sns:us-east-1:123456789012:topic")
    assert error_of(bad_arn) == ("InvalidParameterException", 400)

    # botocore does not enforce a maximum; the model's max is the server's to enforce.
    with pytest.raises(ClientError) as too_many:
        connect.list_lambda_functions(InstanceId=instance, MaxResults=26)
    assert error_of(too_many) == ("InvalidParameterException", 400)
    with pytest.raises(ClientError) as search_too_many:
        connect.search_contact_flows(InstanceId=instance, MaxResults=101)
    assert error_of(search_too_many) == ("InvalidParameterException", 400)
    with pytest.raises(ClientError) as bad_token:
        connect.list_contact_flows(InstanceId=instance, NextToken="garbage")
    assert error_of(bad_token) == ("InvalidParameterException", 400)
    with pytest.raises(ClientError) as bad_field:
        connect.search_contact_flows(
            InstanceId=instance,
            SearchCriteria={
                "StringCondition": {"FieldName": "content", "Value": "x", "ComparisonType": "EXACT"}
            },
        )
    assert error_of(bad_field) == ("InvalidParameterException", 400)
    with pytest.raises(ClientError) as short_contains:
        connect.search_contact_flow_modules(
            InstanceId=instance,
            SearchCriteria={
                "OrConditions": [
                    {
                        "StringCondition": {
                            "FieldName": "name",
                            "Value": "x",
                            "ComparisonType": "CONTAINS",
                        }
                    }
                ]
            },
        )
    assert error_of(short_contains) == ("InvalidParameterException", 400)
    with pytest.raises(ClientError) as unsupported:
        connect.list_queues(InstanceId=instance)
    assert error_of(unsupported) == ("InvalidRequestException", 400)
    assert "does not implement connect:ListQueues" in str(unsupported.value)
    with pytest.raises(ClientError) as bad_zone:
        seeding.create_hours_of_operation(
            connect, instance, "x", timezone="Mars/Olympus", weekly=[]
        )
    assert error_of(bad_zone) == ("InvalidParameterException", 400)


def test_search_and_list_page_exactly_at_the_models_limits(aws: Sandbox) -> None:
    connect = session().client("connect")
    instance = new_instance()
    for index in range(130):
        connect.create_contact_flow(
            InstanceId=instance,
            Name=f"flow-{index:03d}",
            Type="CONTACT_FLOW" if index % 2 == 0 else "CUSTOMER_QUEUE",
            Status="SAVED" if index % 10 == 0 else "PUBLISHED",
            Content=json.dumps(seeding.flow_document()),
            Tags={"tier": "gold" if index % 3 == 0 else "silver"},
        )
    aws.reset_calls()

    pages = list(
        connect.get_paginator("search_contact_flows").paginate(
            InstanceId=instance, PaginationConfig={"PageSize": 100}
        )
    )
    assert [len(p["ContactFlows"]) for p in pages] == [100, 30]
    assert {p["ApproximateTotalCount"] for p in pages} == {130}
    names = [f["Name"] for p in pages for f in p["ContactFlows"]]
    assert len(set(names)) == 130
    assert aws.calls() == {"connect:SearchContactFlows": 2}

    default_page = connect.list_contact_flows(InstanceId=instance)
    assert len(default_page["ContactFlowSummaryList"]) == 100  # "The default MaxResult size is 100"
    assert "NextToken" in default_page
    listed = (
        connect.get_paginator("list_contact_flows")
        .paginate(InstanceId=instance)
        .build_full_result()
    )
    assert len(listed["ContactFlowSummaryList"]) == 130

    criteria: Any = {
        "AndConditions": [
            {"TypeCondition": "CONTACT_FLOW"},
            {"StatusCondition": "PUBLISHED"},
            {
                "OrConditions": [
                    {
                        "StringCondition": {
                            "FieldName": "name",
                            "Value": "flow-00",
                            "ComparisonType": "STARTS_WITH",
                        }
                    },
                    {
                        "StringCondition": {
                            "FieldName": "name",
                            "Value": "flow-128",
                            "ComparisonType": "EXACT",
                        }
                    },
                    {
                        "StringCondition": {
                            "FieldName": "name",
                            "Value": "12",
                            "ComparisonType": "CONTAINS",
                        }
                    },
                ]
            },
        ]
    }
    result = connect.search_contact_flows(InstanceId=instance, SearchCriteria=criteria)
    found = sorted(f["Name"] for f in result["ContactFlows"])
    assert found == [
        "flow-002",
        "flow-004",
        "flow-006",
        "flow-008",
        "flow-012",
        "flow-112",
        "flow-122",
        "flow-124",
        "flow-126",
        "flow-128",
    ]
    assert result["ApproximateTotalCount"] == len(found)
    saved = connect.search_contact_flows(
        InstanceId=instance, SearchCriteria={"StatusCondition": "SAVED"}
    )
    assert saved["ApproximateTotalCount"] == 13
    assert {f["Status"] for f in saved["ContactFlows"]} == {"SAVED"}
    gold_queues = connect.search_contact_flows(
        InstanceId=instance,
        SearchFilter={
            "TagFilter": {"TagCondition": {"TagKey": "tier", "TagValue": "gold"}},
            "FlowAttributeFilter": {
                "ContactFlowTypeCondition": {"ContactFlowType": "CUSTOMER_QUEUE"}
            },
        },
    )
    expected = [f"flow-{i:03d}" for i in range(130) if i % 3 == 0 and i % 2 == 1]
    assert sorted(f["Name"] for f in gold_queues["ContactFlows"]) == expected


def test_list_lambda_functions_pages_by_25(aws: Sandbox) -> None:
    connect = session().client("connect")
    instance = new_instance()
    arns = [f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fn-{i:02d}" for i in range(30)]
    for arn in arns:
        seeding.associate_lambda(connect, instance, arn)
    aws.reset_calls()
    pages = list(connect.get_paginator("list_lambda_functions").paginate(InstanceId=instance))
    assert [len(p["LambdaFunctions"]) for p in pages] == [25, 5]
    assert [a for p in pages for a in p["LambdaFunctions"]] == arns
    assert aws.calls() == {"connect:ListLambdaFunctions": 2}


def test_connect_state_is_per_account(aws: Sandbox) -> None:
    # The role must exist in the member account: the sandbox refuses AssumeRole otherwise.
    SandboxClients.from_env(aws.env(), account="210987654321").iam.create_role(
        RoleName="auditor", AssumeRolePolicyDocument="{}"
    )
    credentials = (
        session()
        .client("sts")
        .assume_role(RoleArn="arn:aws:iam::210987654321:role/auditor", RoleSessionName="audit")[
            "Credentials"
        ]
    )
    member = boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    ).client("connect")
    created = member.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias="member",
        InboundCallsEnabled=True,
        OutboundCallsEnabled=True,
    )
    assert ":210987654321:instance/" in created["Arn"]
    assert session().client("connect").list_instances()["InstanceSummaryList"] == []


def test_assume_role_into_a_missing_role_is_refused_as_aws_words_a_trust_refusal(
    aws: Sandbox,
) -> None:
    with pytest.raises(ClientError) as raised:
        session().client("sts").assume_role(
            RoleArn="arn:aws:iam::210987654399:role/absent", RoleSessionName="audit"
        )
    error = raised.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert "because no resource-based policy allows the sts:AssumeRole action" in error["Message"]


def test_throttling_buckets_are_per_account(aws: Sandbox) -> None:
    # One request per account, then nothing for 100 s: retries cannot get through either.
    aws.set_faults(FaultPlan(rate_limits=(RateLimit("connect:ListInstances", 0.01, 1),)))
    try:
        own = SandboxClients.from_env(aws.env()).connect
        other = SandboxClients.from_env(aws.env(), account="210987654322").connect
        own.list_instances()
        other.list_instances()  # a bucket of its own: not throttled by the first account
        with pytest.raises(ClientError, match="TooManyRequests"):
            own.list_instances()
    finally:
        aws.set_faults(None)


def test_page_limits_come_from_the_model() -> None:
    assert page_limits("connect", "ListContactFlows", "MaxResults") == (100, 1000)
    assert page_limits("connect", "ListHoursOfOperations", "MaxResults") == (100, 1000)
    assert page_limits("connect", "SearchContactFlows", "MaxResults") == (100, 100)
    assert page_limits("connect", "SearchContactFlowModules", "MaxResults") == (100, 100)
    assert page_limits("connect", "ListLambdaFunctions", "MaxResults") == (25, 25)
    assert page_limits("connect", "ListInstances", "MaxResults") == (10, 10)
    limits = page_limits("lambda", "ListProvisionedConcurrencyConfigs", "MaxItems")
    assert limits == (50, 50)


def test_concurrent_clients_are_all_served(aws: Sandbox) -> None:
    instance = new_instance()
    aws.reset_calls()

    def work(_: int) -> None:
        s = session()
        connect, sts = s.client("connect"), s.client("sts")
        for _ in range(10):
            assert connect.describe_instance(InstanceId=instance)["Instance"]["Id"] == instance
            assert sts.get_caller_identity()["Account"] == ACCOUNT

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(work, range(6)))
    assert aws.calls() == {"connect:DescribeInstance": 60, "sts:GetCallerIdentity": 60}


# -- Lambda overlay -----------------------------------------------------------------------


def test_resource_policies_are_kept_per_qualifier(aws: Sandbox) -> None:
    lam = session().client("lambda", config=NO_RETRIES)
    function_arn = new_function()
    version = seeding.publish_version(lam, "crm-lookup")
    seeding.create_alias(lam, "crm-lookup", "prod", version)
    rule_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/warm-crm"
    on_alias = seeding.add_permission(
        lam,
        "crm-lookup",
        statement_id="warm",
        principal="events.amazonaws.com",
        source_arn=rule_arn,
        qualifier="prod",
    )
    assert on_alias["Resource"] == f"{function_arn}:prod"
    assert on_alias["Condition"] == {"ArnLike": {"AWS:SourceArn": rule_arn}}
    seeding.add_permission(
        lam,
        function_arn,
        statement_id="connect",
        principal="connect.amazonaws.com",
        source_account=ACCOUNT,
    )

    alias_policy = json.loads(lam.get_policy(FunctionName="crm-lookup", Qualifier="prod")["Policy"])
    assert [s["Sid"] for s in alias_policy["Statement"]] == ["warm"]
    assert alias_policy["Statement"][0]["Principal"] == {"Service": "events.amazonaws.com"}
    unqualified = json.loads(lam.get_policy(FunctionName="crm-lookup")["Policy"])
    assert [s["Sid"] for s in unqualified["Statement"]] == ["connect"]
    assert unqualified["Statement"][0]["Resource"] == function_arn
    assert unqualified["Statement"][0]["Condition"] == {
        "StringEquals": {"AWS:SourceAccount": ACCOUNT}
    }
    by_arn = json.loads(lam.get_policy(FunctionName=f"{function_arn}:prod")["Policy"])
    assert [s["Sid"] for s in by_arn["Statement"]] == ["warm"]

    with pytest.raises(ClientError) as no_policy:
        lam.get_policy(FunctionName="crm-lookup", Qualifier=version)
    assert error_of(no_policy) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as duplicate:
        seeding.add_permission(
            lam,
            "crm-lookup",
            statement_id="warm",
            principal="events.amazonaws.com",
            qualifier="prod",
        )
    assert error_of(duplicate) == ("ResourceConflictException", 409)
    with pytest.raises(ClientError) as no_alias:
        seeding.add_permission(
            lam, "crm-lookup", statement_id="x", principal="events.amazonaws.com", qualifier="beta"
        )
    assert error_of(no_alias) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as no_function:
        lam.get_policy(FunctionName="nope")
    assert error_of(no_function) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as latest:
        seeding.add_permission(
            lam,
            "crm-lookup",
            statement_id="x",
            principal="events.amazonaws.com",
            qualifier="$LATEST",
        )
    assert error_of(latest) == ("InvalidParameterValueException", 400)

    lam.remove_permission(FunctionName="crm-lookup", StatementId="warm", Qualifier="prod")
    with pytest.raises(ClientError) as removed:
        lam.get_policy(FunctionName="crm-lookup", Qualifier="prod")
    assert error_of(removed) == ("ResourceNotFoundException", 404)
    assert lam.get_policy(FunctionName="crm-lookup")["Policy"]  # the function's own is untouched
    with pytest.raises(ClientError) as gone:
        lam.remove_permission(FunctionName="crm-lookup", StatementId="warm", Qualifier="prod")
    assert error_of(gone) == ("ResourceNotFoundException", 404)

    seeding.add_permission(
        lam, "crm-lookup", statement_id="warm", principal="events.amazonaws.com", qualifier="prod"
    )
    lam.delete_alias(FunctionName="crm-lookup", Name="prod")  # proxied to moto; the policy goes too
    seeding.create_alias(lam, "crm-lookup", "prod", version)
    with pytest.raises(ClientError) as fresh:
        lam.get_policy(FunctionName="crm-lookup", Qualifier="prod")
    assert error_of(fresh) == ("ResourceNotFoundException", 404)


def test_provisioned_concurrency(aws: Sandbox) -> None:
    lam = session().client("lambda", config=NO_RETRIES)
    function_arn = new_function()
    versions = [seeding.publish_version(lam, "crm-lookup")]
    seeding.create_alias(lam, "crm-lookup", "prod", versions[0])
    seeding.create_alias(lam, "crm-lookup", "beta", versions[0])

    put = lam.put_provisioned_concurrency_config(
        FunctionName="crm-lookup", Qualifier="prod", ProvisionedConcurrentExecutions=3
    )
    assert (put["Status"], put["AllocatedProvisionedConcurrentExecutions"]) == ("READY", 3)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    seeding.put_provisioned_concurrency(lam, "crm-lookup", "beta", 1)
    seeding.put_provisioned_concurrency(lam, function_arn, versions[0], 2)
    got = lam.get_provisioned_concurrency_config(FunctionName="crm-lookup", Qualifier="prod")
    assert (got["Status"], got["RequestedProvisionedConcurrentExecutions"]) == ("READY", 3)
    assert got["AvailableProvisionedConcurrentExecutions"] == 3

    pages = list(
        lam.get_paginator("list_provisioned_concurrency_configs").paginate(
            FunctionName="crm-lookup", PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(p["ProvisionedConcurrencyConfigs"]) for p in pages] == [2, 1]
    arns = sorted(c["FunctionArn"] for p in pages for c in p["ProvisionedConcurrencyConfigs"])
    assert arns == sorted(f"{function_arn}:{q}" for q in ("prod", "beta", versions[0]))
    with pytest.raises(ClientError) as too_many:
        lam.list_provisioned_concurrency_configs(FunctionName="crm-lookup", MaxItems=51)
    assert error_of(too_many) == ("InvalidParameterValueException", 400)

    with pytest.raises(ClientError) as latest:
        seeding.put_provisioned_concurrency(lam, "crm-lookup", "$LATEST", 1)
    assert error_of(latest) == ("InvalidParameterValueException", 400)
    with pytest.raises(ClientError) as no_alias:
        seeding.put_provisioned_concurrency(lam, "crm-lookup", "gamma", 1)
    assert error_of(no_alias) == ("ResourceNotFoundException", 404)
    lam.delete_provisioned_concurrency_config(FunctionName="crm-lookup", Qualifier="beta")
    with pytest.raises(ClientError) as deleted:
        lam.get_provisioned_concurrency_config(FunctionName="crm-lookup", Qualifier="beta")
    assert error_of(deleted) == ("ProvisionedConcurrencyConfigNotFoundException", 404)


# -- faults -------------------------------------------------------------------------------

ServiceCall = Callable[[boto3.session.Session], object]
THROTTLED: list[tuple[str, ServiceCall, str, int]] = [
    (
        "connect:ListInstances",
        lambda s: s.client("connect", config=NO_RETRIES).list_instances(),
        "TooManyRequestsException",
        429,
    ),
    (
        "lambda:ListFunctions",
        lambda s: s.client("lambda", config=NO_RETRIES).list_functions(),
        "TooManyRequestsException",
        429,
    ),
    (
        "events:ListRules",
        lambda s: s.client("events", config=NO_RETRIES).list_rules(),
        "ThrottlingException",
        400,
    ),
    (
        "scheduler:ListSchedules",
        lambda s: s.client("scheduler", config=NO_RETRIES).list_schedules(),
        "ThrottlingException",
        429,
    ),
    ("iam:ListRoles", lambda s: s.client("iam", config=NO_RETRIES).list_roles(), "Throttling", 400),
    (
        "sts:GetCallerIdentity",
        lambda s: s.client("sts", config=NO_RETRIES).get_caller_identity(),
        "Throttling",
        400,
    ),
    (
        "cloudwatch:ListMetrics",
        lambda s: s.client("cloudwatch", config=NO_RETRIES).list_metrics(),
        "Throttling",
        400,
    ),
]


@pytest.mark.parametrize(
    ("operation", "call", "code", "status"), THROTTLED, ids=[t[0] for t in THROTTLED]
)
def test_throttling_speaks_each_services_error(
    aws: Sandbox, operation: str, call: ServiceCall, code: str, status: int
) -> None:
    aws.set_faults(FaultPlan(rate_limits=(RateLimit(operation, rate=0.001, burst=1),)))
    call(session())  # the burst
    with pytest.raises(ClientError) as throttled:
        call(session())
    assert error_of(throttled) == (code, status)
    context = RetryContext(attempt_number=1, parsed_response=throttled.value.response)
    assert ThrottledRetryableChecker().is_retryable(context)
    assert aws.calls()[operation] == 2


def test_standard_retries_get_through_a_burst_limit(aws: Sandbox) -> None:
    instance = new_instance()
    aws.set_faults(FaultPlan(rate_limits=(RateLimit("connect:*", rate=20, burst=2),)))
    aws.reset_calls()
    connect = session().client(
        "connect", config=Config(retries={"mode": "standard", "max_attempts": 10})
    )
    retried = 0
    for _ in range(6):
        response = connect.describe_instance(InstanceId=instance)
        retried += response["ResponseMetadata"]["RetryAttempts"]
    assert retried > 0
    assert aws.calls()["connect:DescribeInstance"] == 6 + retried


def test_access_denied_for_chosen_operations(aws: Sandbox) -> None:
    new_function()
    aws.set_faults(
        FaultPlan(
            access_denied=(
                "lambda:GetPolicy",
                "iam:ListRoles",
                "events:ListRules",
                "connect:Search*",
            )
        )
    )
    s = session()
    with pytest.raises(ClientError) as lambda_denied:
        s.client("lambda", config=NO_RETRIES).get_policy(FunctionName="crm-lookup")
    assert error_of(lambda_denied) == ("AccessDeniedException", 403)
    assert "lambda:GetPolicy" in lambda_denied.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as iam_denied:
        s.client("iam", config=NO_RETRIES).list_roles()
    assert error_of(iam_denied) == ("AccessDenied", 403)
    with pytest.raises(ClientError) as events_denied:
        s.client("events", config=NO_RETRIES).list_rules()
    assert error_of(events_denied) == ("AccessDeniedException", 400)
    with pytest.raises(ClientError) as connect_denied:
        s.client("connect", config=NO_RETRIES).search_contact_flows(InstanceId="x")
    assert error_of(connect_denied) == ("AccessDeniedException", 403)
    assert s.client("iam").list_users()["Users"] == []  # only the chosen operations

    aws.set_faults(None)
    assert s.client("iam").list_roles()["Roles"]


def test_calls_are_counted_per_operation(aws: Sandbox) -> None:
    aws.reset_calls()
    s = session()
    s.client("sts").get_caller_identity()
    s.client("events").list_rules()
    s.client("events").list_rules()
    s.client("connect").list_instances()
    s.client("lambda").list_functions()
    s.client("scheduler").list_schedules()
    assert aws.calls() == {
        "connect:ListInstances": 1,
        "events:ListRules": 2,
        "lambda:ListFunctions": 1,
        "scheduler:ListSchedules": 1,
        "sts:GetCallerIdentity": 1,
    }
    aws.reset_calls()
    assert aws.calls() == {}


def test_latency_slows_every_call(aws: Sandbox) -> None:
    sts = session().client("sts")
    sts.get_caller_identity()
    started = time.perf_counter()
    sts.get_caller_identity()
    fast = time.perf_counter() - started
    aws.set_faults(FaultPlan(latency_ms=300))
    started = time.perf_counter()
    sts.get_caller_identity()
    slow = time.perf_counter() - started
    assert slow >= 0.3
    assert slow - fast >= 0.25


def control(url: str, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    """One request to the sandbox's own fault-plan endpoint."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{url}/_sandbox/faults", data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_fault_plan_is_read_and_replaced_over_http(aws: Sandbox) -> None:
    aws.set_faults(FaultPlan(latency_ms=5, rate_limits=(RateLimit("connect:*", 2.0, 5),)))
    aws.reset_calls()
    status, plan = control(aws.endpoint_url)
    assert (status, plan) == (200, {"latency_ms": 5, "faults": ["throttle=connect:*@2.0/5"]})

    status, plan = control(aws.endpoint_url, "PUT", {"faults": ["deny=iam:ListRoles"]})
    assert (status, plan) == (200, {"latency_ms": 0, "faults": ["deny=iam:ListRoles"]})
    assert aws.faults == FaultPlan(access_denied=("iam:ListRoles",))
    with pytest.raises(ClientError) as denied:
        session().client("iam", config=NO_RETRIES).list_roles()
    assert error_of(denied) == ("AccessDenied", 403)

    # What GET says, PUT takes back; a bad plan or method is refused and changes nothing.
    status, plan = control(
        aws.endpoint_url,
        "PUT",
        {"latency_ms": 7, "faults": ["throttle=lambda:GetPolicy@0.0001/1", "deny=connect:Search*"]},
    )
    assert status == 200
    assert control(aws.endpoint_url, "PUT", plan) == (200, plan)
    assert aws.faults == FaultPlan(
        latency_ms=7,
        rate_limits=(RateLimit("lambda:GetPolicy", 0.0001, 1),),
        access_denied=("connect:Search*",),
    )
    status, error = control(aws.endpoint_url, "PUT", {"faults": ["slow=1"]})
    assert status == 400
    assert "bad fault" in error["error"]
    assert control(aws.endpoint_url, "PUT", {"latency": 5})[0] == 400
    assert control(aws.endpoint_url, "DELETE")[0] == 405
    assert control(aws.endpoint_url, "PUT", {})[1] == {"latency_ms": 0, "faults": []}
    assert aws.faults == FaultPlan()
    # The sandbox's own requests are not AWS calls: only the denied ListRoles was counted.
    assert aws.calls() == {"iam:ListRoles": 1}


def test_fault_specs_parse_like_the_command_line() -> None:
    plan = FaultPlan.parse(
        ["throttle=connect:SearchContactFlows@2/5", "deny=lambda:GetPolicy", "latency=50"]
    )
    assert plan == FaultPlan(
        latency_ms=50,
        rate_limits=(RateLimit("connect:SearchContactFlows", 2.0, 5),),
        access_denied=("lambda:GetPolicy",),
    )
    for bad in ("throttle=connect:X", "deny=GetPolicy", "slow=1", "latency=fast"):
        with pytest.raises(ValueError, match="bad"):
            FaultPlan.parse([bad])


# -- seeding through the ordinary API ------------------------------------------------------


def test_seeding_builds_a_contact_center_through_the_api(aws: Sandbox) -> None:
    clients = SandboxClients.from_env(aws.env())
    role = seeding.create_lambda_role(clients.iam, "seed-lambda")
    function_arn = seeding.create_function(clients.lambda_, "ivr-auth", role, timeout=6)
    version = seeding.publish_version(clients.lambda_, "ivr-auth")
    alias_arn = seeding.create_alias(clients.lambda_, "ivr-auth", "live", version)
    assert alias_arn == f"{function_arn}:live"
    seeding.put_provisioned_concurrency(clients.lambda_, "ivr-auth", "live", 2)

    instance = seeding.create_instance(clients.connect, "seeded")
    module = seeding.create_module(
        clients.connect, instance.id, "auth", seeding.flow_document(lambdas=[alias_arn])
    )
    flow = seeding.create_flow(
        clients.connect, instance.id, "Main", seeding.flow_document(modules=[module.id])
    )
    seeding.associate_lambda(clients.connect, instance.id, alias_arn)
    hours = seeding.create_hours_of_operation(
        clients.connect,
        instance.id,
        "Office",
        timezone="Europe/Berlin",
        weekly=[("MONDAY", "08:00", "18:30")],
    )
    seeding.add_permission(
        clients.lambda_,
        "ivr-auth",
        statement_id="connect",
        principal="connect.amazonaws.com",
        source_arn=instance.arn,
        qualifier="live",
    )

    rule_arn = seeding.put_warmer_rule(
        clients.events, "warm-ivr-auth", "rate(5 minutes)", alias_arn, input='{"warmer": true}'
    )
    seeding.add_permission(
        clients.lambda_,
        "ivr-auth",
        statement_id="warm",
        principal="events.amazonaws.com",
        source_arn=rule_arn,
        qualifier="live",
    )
    scheduler_role = seeding.create_scheduler_role(clients.iam, "seed-scheduler", [alias_arn])
    templated = seeding.create_schedule(
        clients.scheduler,
        "warm-templated",
        "cron(0/5 * * * ? *)",
        alias_arn,
        scheduler_role,
        input='{"warmer": true}',
        timezone="Europe/Berlin",
        flexible_window_minutes=2,
    )
    universal = seeding.create_schedule(
        clients.scheduler,
        "warm-universal",
        "rate(5 minutes)",
        alias_arn,
        scheduler_role,
        input='{"warmer": true}',
        universal=True,
    )

    # Read everything back the way a collector would.
    found = clients.connect.search_contact_flows(InstanceId=instance.id)["ContactFlows"]
    main = json.loads(found[0]["Content"])
    assert (found[0]["Id"], main["Actions"][0]["Parameters"]["FlowModuleId"]) == (
        flow.id,
        module.id,
    )
    module_content = clients.connect.describe_contact_flow_module(
        InstanceId=instance.id, ContactFlowModuleId=module.arn
    )["ContactFlowModule"]["Content"]
    assert json.loads(module_content)["Actions"][0]["Parameters"]["LambdaFunctionARN"] == alias_arn
    assert clients.connect.list_lambda_functions(InstanceId=instance.id)["LambdaFunctions"] == [
        alias_arn
    ]
    office = clients.connect.describe_hours_of_operation(
        InstanceId=instance.id, HoursOfOperationId=hours.id
    )
    assert office["HoursOfOperation"]["Config"][0]["EndTime"] == {"Hours": 18, "Minutes": 30}

    config = clients.lambda_.get_function_configuration(FunctionName="ivr-auth")
    assert config["Timeout"] == 6
    aliases = clients.lambda_.list_aliases(FunctionName="ivr-auth")["Aliases"]
    assert [a["Name"] for a in aliases] == ["live"]
    statements = json.loads(
        clients.lambda_.get_policy(FunctionName="ivr-auth", Qualifier="live")["Policy"]
    )
    assert sorted(s["Sid"] for s in statements["Statement"]) == ["connect", "warm"]
    concurrency = clients.lambda_.list_provisioned_concurrency_configs(FunctionName="ivr-auth")
    assert concurrency["ProvisionedConcurrencyConfigs"][0]["FunctionArn"] == alias_arn

    rules = clients.events.list_rules()["Rules"]
    assert [(r["Arn"], r["ScheduleExpression"]) for r in rules] == [(rule_arn, "rate(5 minutes)")]
    targets = clients.events.list_targets_by_rule(Rule="warm-ivr-auth")["Targets"]
    assert [(t["Arn"], t["Input"]) for t in targets] == [(alias_arn, '{"warmer": true}')]
    summaries = {
        s["Arn"]: s["Target"]["Arn"] for s in clients.scheduler.list_schedules()["Schedules"]
    }
    assert summaries == {templated: alias_arn, universal: UNIVERSAL_LAMBDA_INVOKE}
    detail = clients.scheduler.get_schedule(Name="warm-universal")
    assert json.loads(detail["Target"]["Input"])["FunctionName"] == alias_arn
    templated_detail = clients.scheduler.get_schedule(Name="warm-templated")
    assert templated_detail["FlexibleTimeWindow"] == {
        "Mode": "FLEXIBLE",
        "MaximumWindowInMinutes": 2,
    }
    role_policy = clients.iam.get_role_policy(RoleName="seed-scheduler", PolicyName="invoke")
    document: Any = role_policy["PolicyDocument"]  # boto3 decodes it; the stubs say str
    assert document["Statement"][0]["Resource"] == [alias_arn]


# -- the command line ---------------------------------------------------------------------


def test_serve_runs_as_a_process_until_sigterm(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "checker.sandbox", "serve", "--fault", "deny=iam:ListRoles"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "the sandbox printed nothing within 30 s"
        line = process.stdout.readline().strip()
        name, _, url = line.partition("=")
        assert name == "AWS_ENDPOINT_URL"
        assert url.startswith("http://127.0.0.1:")
        for key in ENV_TO_REMOVE:
            monkeypatch.delenv(key, raising=False)
        for key, value in sandbox.env().items():
            monkeypatch.setenv(key, url if value == sandbox.endpoint_url else value)

        s = session()
        assert s.client("sts").get_caller_identity()["Account"] == ACCOUNT
        with pytest.raises(ClientError) as denied:
            s.client("iam", config=NO_RETRIES).list_roles()
        assert error_of(denied) == ("AccessDenied", 403)
        # Another process changes the plan over HTTP, e.g. to seed without faults.
        assert control(url) == (200, {"latency_ms": 0, "faults": ["deny=iam:ListRoles"]})
        assert control(url, "PUT", {}) == (200, {"latency_ms": 0, "faults": []})
        assert s.client("iam", config=NO_RETRIES).list_roles()["Roles"] == []

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        with pytest.raises(EndpointConnectionError):
            s.client("sts", config=NO_RETRIES).get_caller_identity()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_sandbox_environment_points_boto3_there_and_restores_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://elsewhere")
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_MAX_ATTEMPTS": "1"}
    with sandbox_environment(env, also_remove=("AWS_RETRY_MODE",)):
        assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"
        assert "AWS_PROFILE" not in os.environ
    assert os.environ["AWS_PROFILE"] == "production"
    assert os.environ["AWS_ENDPOINT_URL"] == "http://elsewhere"
    assert "AWS_MAX_ATTEMPTS" not in os.environ


def test_list_functions_is_paged_as_lambda_pages_it(aws: Sandbox) -> None:
    clients = SandboxClients.from_env(aws.env(), account="210987654323")
    role = seeding.create_lambda_role(clients.iam, "paging-role")
    for index in range(7):
        seeding.create_function(clients.lambda_, f"paged-{index}", role)
    first = clients.lambda_.list_functions(MaxItems=5)
    assert len(first["Functions"]) == 5
    rest = clients.lambda_.list_functions(MaxItems=5, Marker=first["NextMarker"])
    assert len(rest["Functions"]) == 2
    assert "NextMarker" not in rest
    names = {f["FunctionName"] for f in first["Functions"] + rest["Functions"]}
    assert names == {f"paged-{index}" for index in range(7)}
