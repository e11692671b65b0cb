"""The demo contact center, seeded into the sandbox and read back with plain boto3 clients."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError

from checker.collect import collect
from checker.engine import PolicyRef, evaluate
from checker.load.policy import load_policy
from checker.sandbox import ENV_TO_REMOVE, Sandbox
from checker.sandbox.demo import (
    ALIAS,
    INSTANCE_ALIAS,
    LATEST,
    OTHER_REGION,
    REGION,
    DemoManifest,
    SeededPermission,
    seed_demo,
)
from tests.integration.live import fresh

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DEMO_POLICY = ROOT / "policies" / "demo-policy.yaml"
ACCOUNT = "123456789012"
PAYLOAD = '{"warmer": true}'
# Every drift the demo plants: one of each of WARM001-014 but WARM007 (dangling warmer), and two
# WARM015 (a warmer whose every invocation fails, one that stopped firing) seen only in metrics.
PLANTED = sorted([f"WARM{n:03d}" for n in range(1, 15) if n != 7] + ["WARM015", "WARM015"])


@pytest.fixture(scope="module")
def manifest(sandbox: Sandbox) -> Iterator[DemoManifest]:
    """The shared sandbox, seeded once for the module, installed in the environment."""
    with pytest.MonkeyPatch.context() as patch:
        fresh(sandbox)
        for name in ENV_TO_REMOVE:
            patch.delenv(name, raising=False)
        for name, value in sandbox.env().items():
            patch.setenv(name, value)
        yield seed_demo(sandbox.env())


def session(region: str = REGION) -> boto3.session.Session:
    """A fresh session, so it reads the environment the fixture set."""
    return boto3.session.Session(region_name=region)


def actions(content: str, action_type: str, parameter: str) -> tuple[str, ...]:
    document = json.loads(content)
    return tuple(
        action["Parameters"][parameter]
        for action in document["Actions"]
        if action["Type"] == action_type
    )


# -- the manifest itself ------------------------------------------------------------------


def test_manifest_plants_each_drift_once_on_its_own_subject(manifest: DemoManifest) -> None:
    rules = [drift.rule for drift in manifest.planted]
    assert sorted(rules) == PLANTED
    # Beyond the planted drifts: the rule with no permission (WARM004) also fails in CloudWatch.
    rejected = ("WARM015", manifest.warmer("warm-callback-request").arn)
    assert manifest.expected == {(d.rule, d.resource) for d in manifest.planted} | {rejected}
    assert len(manifest.expected) == len(PLANTED) + 1
    assert len(manifest.notes) == 1
    assert "warm-callback-request" in manifest.notes[0]
    subjects = [drift.subject for drift in manifest.planted]
    assert len(set(subjects)) == len(subjects), "a subject carries more than one drift"
    drifted = [f.drift for f in manifest.functions if f.drift is not None]
    assert len(drifted) == 13
    assert len(set(drifted)) == 12
    healthy = {f.name for f in manifest.functions if f.drift is None}
    assert healthy == {"customer-lookup", "auth-pin-verify", "fraud-screen"}
    assert len(manifest.drifts) == len(PLANTED)
    assert all(line.startswith("WARM0") and ": " in line for line in manifest.drifts)

    known = (
        {f.arn for f in manifest.flows}
        | {f.called_arn for f in manifest.functions}
        | {w.arn for w in manifest.warmers}
    )
    assert {resource for _, resource in manifest.expected} <= known
    by_rule = dict(manifest.expected)
    assert by_rule["WARM011"] == manifest.flow("Partner Transfer").arn
    assert by_rule["WARM014"] == manifest.flow("After Hours").arn
    assert by_rule["WARM005"] == manifest.warmer("warm-payment-gateway").arn
    assert by_rule["WARM001"] == (
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:survey-capture:{ALIAS}"
    )


# -- Connect ------------------------------------------------------------------------------


def test_instance_and_hours_of_operation(manifest: DemoManifest) -> None:
    connect = session().client("connect")
    instances = connect.list_instances()["InstanceSummaryList"]
    assert [(i["InstanceAlias"], i["Arn"]) for i in instances] == [
        (INSTANCE_ALIAS, manifest.instance_arn)
    ]
    assert manifest.instance_arn == f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/" + (
        manifest.instance_id
    )
    listed = connect.list_hours_of_operations(InstanceId=manifest.instance_id)
    assert [(h["Name"], h["Arn"]) for h in listed["HoursOfOperationSummaryList"]] == [
        ("Support Hours", manifest.hours_of_operation_arn)
    ]
    hours = connect.describe_hours_of_operation(
        InstanceId=manifest.instance_id,
        HoursOfOperationId=listed["HoursOfOperationSummaryList"][0]["Id"],
    )["HoursOfOperation"]
    assert hours["TimeZone"] == "America/New_York"
    days = {
        c["Day"]: (c["StartTime"]["Hours"], c["StartTime"]["Minutes"], c["EndTime"]["Hours"])
        for c in hours["Config"]
    }
    weekdays = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
    assert days == dict.fromkeys(weekdays, (8, 0, 18))


def test_flows_and_modules_are_searchable_with_their_references(manifest: DemoManifest) -> None:
    connect = session().client("connect")
    found: dict[str, tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]]] = {}
    for page in connect.get_paginator("search_contact_flows").paginate(
        InstanceId=manifest.instance_id
    ):
        for flow in page["ContactFlows"]:
            content = flow["Content"]
            found[flow["Name"]] = (
                flow["Id"],
                flow["Arn"],
                flow["Type"],
                flow["Status"],
                actions(content, "InvokeLambdaFunction", "LambdaFunctionARN"),
                actions(content, "InvokeFlowModule", "FlowModuleId"),
            )
    for module_page in connect.get_paginator("search_contact_flow_modules").paginate(
        InstanceId=manifest.instance_id
    ):
        for module in module_page["ContactFlowModules"]:
            content = module["Content"]
            found[module["Name"]] = (
                module["Id"],
                module["Arn"],
                "MODULE",
                module["Status"],
                actions(content, "InvokeLambdaFunction", "LambdaFunctionARN"),
                actions(content, "InvokeFlowModule", "FlowModuleId"),
            )
    assert found == {
        f.name: (f.id, f.arn, f.flow_type, f.status, f.lambdas, f.modules) for f in manifest.flows
    }

    # The shape the demo promises: a dozen flows, nested modules, every kind of reference.
    flows = [f for f in manifest.flows if f.kind == "flow"]
    assert 11 <= len(flows) <= 14
    assert sorted(f.name for f in flows if f.status == "SAVED") == [
        "Holiday Greeting (draft)",
        "IVR Experiment (draft)",
    ]
    identify, verify = manifest.flow("Identify Caller"), manifest.flow("Verify PIN")
    assert (identify.kind, verify.kind) == ("module", "module")
    assert identify.modules == (verify.id,)
    assert manifest.flow("Main IVR").modules == (identify.id,)
    references = [ref for f in manifest.flows for ref in f.lambdas]
    qualified = [r for r in references if r.startswith("arn:aws:lambda:") and r.endswith(":live")]
    assert len(qualified) >= 8
    assert {"store-locator", "survey-capture:live"} <= set(references)  # bare names
    assert [r for r in references if r.startswith("$.")] == ["$.Attributes.partnerLambdaArn"]
    west = f"arn:aws:lambda:{OTHER_REGION}:{ACCOUNT}:function:fraud-screen:{ALIAS}"
    assert west in manifest.flow("Main IVR").lambdas


def test_lambda_associations(manifest: DemoManifest) -> None:
    connect = session().client("connect")
    associated = [
        arn
        for page in connect.get_paginator("list_lambda_functions").paginate(
            InstanceId=manifest.instance_id
        )
        for arn in page["LambdaFunctions"]
    ]
    assert sorted(associated) == sorted(manifest.associations)
    expected = {f.called_arn for f in manifest.functions if f.associated}
    assert set(associated) == expected
    assert manifest.function("loyalty-points").called_arn not in associated


# -- Lambda -------------------------------------------------------------------------------


def test_functions_versions_and_aliases(manifest: DemoManifest) -> None:
    assert {f.region for f in manifest.functions} == {REGION, OTHER_REGION}
    clients = {region: session(region).client("lambda") for region in (REGION, OTHER_REGION)}
    for function in manifest.functions:
        lam = clients[function.region]
        config = lam.get_function_configuration(FunctionName=function.name)
        assert (config["FunctionArn"], config["Timeout"]) == (function.arn, function.timeout)
        assert config["Runtime"].startswith("python")
        aliases = {
            a["Name"]: a["FunctionVersion"]
            for a in lam.list_aliases(FunctionName=function.name)["Aliases"]
        }
        if function.qualifier == ALIAS:
            assert aliases == {ALIAS: function.version}
            assert function.called_arn == f"{function.arn}:{ALIAS}"
            versioned = lam.get_function_configuration(FunctionName=function.name, Qualifier=ALIAS)
            assert versioned["Timeout"] == function.timeout
        else:
            assert (aliases, function.qualifier, function.called_arn) == ({}, LATEST, function.arn)
    assert manifest.function("crm-profile").timeout == 30
    assert max(f.timeout for f in manifest.functions if f.name != "crm-profile") <= 8


def _statements(lam: LambdaClient, name: str, qualifier: str) -> dict[str, Any] | None:
    extra = {} if qualifier == LATEST else {"Qualifier": qualifier}
    try:
        policy = lam.get_policy(FunctionName=name, **extra)["Policy"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return None  # no policy on this qualifier
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def test_invoke_permissions_per_qualifier(manifest: DemoManifest) -> None:
    expected: dict[tuple[str, str, str], list[SeededPermission]] = defaultdict(list)
    for permission in manifest.permissions:
        key = (permission.region, permission.function, permission.qualifier)
        expected[key].append(permission)
    clients = {region: session(region).client("lambda") for region in (REGION, OTHER_REGION)}
    for function in manifest.functions:
        qualifiers = [LATEST] + ([ALIAS] if function.qualifier == ALIAS else [])
        for qualifier in qualifiers:
            wanted = expected.pop((function.region, function.name, qualifier), [])
            statements = _statements(clients[function.region], function.name, qualifier)
            if not wanted:
                assert statements is None, (function.name, qualifier)
                continue
            assert statements is not None, (function.name, qualifier)
            assert sorted(statements) == sorted(p.sid for p in wanted)
            for permission in wanted:
                statement = statements[permission.sid]
                resource = function.arn if qualifier == LATEST else f"{function.arn}:{qualifier}"
                assert statement["Resource"] == permission.resource == resource
                assert statement["Principal"] == {"Service": permission.principal}
                assert statement["Action"] == "lambda:InvokeFunction"
                if permission.source_arn is None:
                    assert "Condition" not in statement
                else:
                    assert statement["Condition"] == {
                        "ArnLike": {"AWS:SourceArn": permission.source_arn}
                    }
    assert not expected, f"permissions on qualifiers no function has: {sorted(expected)}"

    # Connect may invoke exactly the qualifier the flows call, pinned to the instance...
    connect_on = {
        (p.function, p.qualifier)
        for p in manifest.permissions
        if p.principal == "connect.amazonaws.com"
    }
    assert {
        p.source_arn for p in manifest.permissions if p.principal == "connect.amazonaws.com"
    } == {manifest.instance_arn}
    assert connect_on == {
        (f.name, f.qualifier) for f in manifest.functions if f.name != "appointment-booking"
    }
    # ...and each rule its exact target, pinned to the rule (but for the planted drifts).
    rules = {w.arn: w for w in manifest.warmers if w.kind == "eventbridge_rule"}
    events = [p for p in manifest.permissions if p.principal == "events.amazonaws.com"]
    pinned = {p.source_arn: p.resource for p in events if p.source_arn is not None}
    unpinned_or_missing = {"warm-callback-request", "warm-balance-inquiry"}
    assert pinned == {
        arn: w.target for arn, w in rules.items() if w.name not in unpinned_or_missing
    }
    unpinned = [p for p in events if p.source_arn is None]
    assert [(p.function, p.qualifier) for p in unpinned] == [("balance-inquiry", ALIAS)]


# -- warmers ------------------------------------------------------------------------------


def test_scheduled_rules_and_their_targets(manifest: DemoManifest) -> None:
    for region in (REGION, OTHER_REGION):
        events = session(region).client("events")
        rules = {r["Name"]: r for r in events.list_rules()["Rules"]}
        wanted = {
            w.name: w
            for w in manifest.warmers
            if w.kind == "eventbridge_rule" and w.region == region
        }
        assert set(rules) == set(wanted)
        for name, warmer in wanted.items():
            rule = rules[name]
            assert (rule["Arn"], rule["ScheduleExpression"]) == (warmer.arn, warmer.expression)
            assert rule["State"] == ("ENABLED" if warmer.enabled else "DISABLED")
            targets = events.list_targets_by_rule(Rule=name)["Targets"]
            assert [(t["Arn"], t.get("Input")) for t in targets] == [(warmer.target, warmer.input)]
    west = [w for w in manifest.warmers if w.region == OTHER_REGION]
    assert [(w.name, w.target) for w in west] == [
        ("warm-fraud-screen", manifest.function("fraud-screen").called_arn)
    ]
    expressions = {w.expression for w in manifest.warmers if w.name != "warm-order-status"}
    assert expressions == {"rate(5 minutes)", "cron(0/5 * * * ? *)"}
    assert manifest.warmer("warm-order-status").expression == "cron(0/15 * * * ? *)"
    assert not manifest.warmer("warm-case-status").enabled
    assert manifest.warmer("warm-store-locator").input is None
    latest = manifest.warmer("warm-payment-gateway")
    assert latest.target == manifest.function("payment-gateway").arn  # not :live
    assert all(w.input == PAYLOAD for w in manifest.warmers if w.name != "warm-store-locator")


def test_scheduler_schedule_and_its_execution_role(manifest: DemoManifest) -> None:
    schedules = [w for w in manifest.warmers if w.kind == "scheduler_schedule"]
    assert [w.name for w in schedules] == ["warm-auth-pin-verify"]
    warmer = schedules[0]
    s = session()
    scheduler = s.client("scheduler")
    summaries = scheduler.list_schedules()["Schedules"]
    assert [(x["Arn"], x["Target"]["Arn"]) for x in summaries] == [(warmer.arn, warmer.target)]
    detail = scheduler.get_schedule(Name=warmer.name)
    assert detail["ScheduleExpression"] == warmer.expression
    assert detail["State"] == "ENABLED"
    assert detail["FlexibleTimeWindow"]["Mode"] == "OFF"
    assert detail["Target"]["Input"] == PAYLOAD
    assert detail["Target"]["RoleArn"] == warmer.role_arn
    assert warmer.target == manifest.function("auth-pin-verify").called_arn

    iam = s.client("iam")
    assert warmer.role_arn is not None
    role_name = warmer.role_arn.rsplit("/", 1)[1]
    trust: Any = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    names = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    documents: list[Any] = [
        iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"] for name in names
    ]
    allowed = [
        (statement["Action"], statement["Resource"])
        for document in documents
        for statement in document["Statement"]
        if statement["Effect"] == "Allow"
    ]
    assert allowed == [("lambda:InvokeFunction", [warmer.target])]


# -- end to end: the collector and the engine find exactly the planted drift ----------------


def test_collect_and_evaluate_find_exactly_the_planted_drift(manifest: DemoManifest) -> None:
    loaded = load_policy(DEMO_POLICY)
    now = datetime.now(UTC)
    collection = collect(loaded.policy, now=now)
    snapshot = collection.snapshot
    assert snapshot.errors == []
    report = evaluate(
        loaded.policy, snapshot, now, policy_ref=PolicyRef(loaded.path, loaded.sha256)
    )
    found = {(finding.rule, finding.resource) for finding in report.findings}
    assert found == manifest.expected
    assert report.verdict == "fail"

    # fraud-screen lives in us-west-2: read there (the regions rule) and proven warm.
    status = {entry.function: entry.status for entry in report.coverage}
    cold = {
        "survey-capture",
        "case-status",
        "order-status",
        "callback-request",
        "payment-gateway",
        "refund-status",  # configured warm, but its only warmer fails (WARM015)
        "queue-estimate",
    }
    for function in manifest.functions:
        if function.name == "holiday-greeting":
            assert function.called_arn not in status  # only a draft flow calls it
            continue
        wanted = "cold" if function.name in cold else "warm"
        assert status[function.called_arn] == wanted, function.name
    missing = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:voicemail-to-email:{ALIAS}"
    assert status[missing] == "cold"
    assert {r.region for r in snapshot.rules} == {REGION, OTHER_REGION}
