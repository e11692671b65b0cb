"""The live collectors against the local sandbox, over HTTP, configured only by environment.

Each test seeds through the ordinary AWS API (checker.sandbox.seeding), resets the sandbox's
call counter, and runs `collect` exactly as `warmcheck collect` would.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from checker.collect import ALLOWED_OPERATIONS, Collection, collect
from checker.collect.base import LAMBDA_BURST, LAMBDA_RATE_PER_SECOND
from checker.domain.flows import content_sha256, parse_flow_content
from checker.model.policy import Policy
from checker.model.snapshot import (
    ConnectInstance,
    ContactFlow,
    EventRule,
    FlowModule,
    FunctionAlias,
    FunctionLogging,
    FunctionPolicy,
    FunctionVersion,
    IamRole,
    LambdaFunction,
    ProvisionedConcurrency,
    ReservedConcurrency,
    RolePolicy,
    RuleTarget,
    Schedule,
    ScheduleTarget,
    Snapshot,
)
from checker.sandbox import FaultPlan, RateLimit, Sandbox, seeding
from checker.sandbox.seeding import UNIVERSAL_LAMBDA_INVOKE, Ref, SandboxClients

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"
EAST = "us-east-1"
WEST = "us-west-2"
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
PAYLOAD = '{"warmer": true}'
QUEUE = f"arn:aws:sqs:{EAST}:{ACCOUNT}:nightly-jobs"
WARM_POLICY: dict[str, Any] = {"version": 1, "warm": {"payload": {"warmer": True}}}
HOURS_POLICY: dict[str, Any] = {
    **WARM_POLICY,
    "overrides": [{"function": "crm-*", "window": {"hours_of_operation": "Support Hours"}}],
}


def clients(region: str = EAST) -> SandboxClients:
    return SandboxClients.from_env(dict(os.environ), region=region)


def run(policy: dict[str, Any] | None = None, **kwargs: Any) -> Collection:
    return collect(Policy.model_validate(policy or WARM_POLICY), now=NOW, **kwargs)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- a small contact center ------------------------------------------------------------------


@dataclass(frozen=True)
class Center:
    instance: Ref
    main: Ref
    main_content: str
    module: Ref
    module_content: str
    crm: str
    crm_prod: str
    billing: str
    warm_billing: str
    nightly: str
    warm_crm: str
    scheduler_role: str
    managed_policy: str
    managed_document: dict[str, Any]
    hours: Ref | None


def seed_center(*, hours: bool = False) -> Center:
    """One instance whose published flow calls billing and, through a module, crm-lookup:prod."""
    aws = clients()
    role = seeding.create_lambda_role(aws.iam)
    crm = seeding.create_function(aws.lambda_, "crm-lookup", role, timeout=3)
    crm_prod = seeding.create_alias(
        aws.lambda_, "crm-lookup", "prod", seeding.publish_version(aws.lambda_, "crm-lookup")
    )
    billing = seeding.create_function(aws.lambda_, "billing", role, timeout=5)
    seeding.put_provisioned_concurrency(aws.lambda_, "crm-lookup", "prod", 2)

    instance = seeding.create_instance(aws.connect, "support")
    module_content = json.dumps(seeding.flow_document(lambdas=[crm_prod]))
    module = seeding.create_module(aws.connect, instance.id, "lookup", module_content)
    main_content = json.dumps(seeding.flow_document(lambdas=[billing], modules=[module.id]))
    main = seeding.create_flow(aws.connect, instance.id, "Main", main_content)
    seeding.create_flow(
        aws.connect,
        instance.id,
        "Draft",
        seeding.flow_document(lambdas=["arn:aws:lambda:us-east-1:123456789012:function:draft"]),
        status="SAVED",
    )
    seeding.associate_lambda(aws.connect, instance.id, crm)
    seeding.associate_lambda(aws.connect, instance.id, billing)
    seeding.add_permission(
        aws.lambda_,
        "billing",
        statement_id="connect",
        principal="connect.amazonaws.com",
        source_arn=instance.arn,
    )
    seeding.add_permission(
        aws.lambda_,
        "crm-lookup",
        statement_id="connect",
        principal="connect.amazonaws.com",
        source_arn=instance.arn,
        qualifier="prod",
    )

    warm_billing = seeding.put_warmer_rule(
        aws.events, "warm-billing", "rate(5 minutes)", billing, input=PAYLOAD
    )
    seeding.add_permission(
        aws.lambda_,
        "billing",
        statement_id="warmer",
        principal="events.amazonaws.com",
        source_arn=warm_billing,
    )
    nightly = seeding.put_warmer_rule(aws.events, "nightly-report", "cron(0 2 * * ? *)", QUEUE)
    aws.events.put_rule(Name="on-upload", EventPattern=json.dumps({"source": ["aws.s3"]}))

    scheduler_role = seeding.create_scheduler_role(aws.iam, "crm-warmer", [crm_prod])
    managed_document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": crm + ":*"}
        ],
    }
    managed_policy = aws.iam.create_policy(
        PolicyName="invoke-crm", PolicyDocument=json.dumps(managed_document)
    )["Policy"]["Arn"]
    aws.iam.attach_role_policy(RoleName="crm-warmer", PolicyArn=managed_policy)
    warm_crm = seeding.create_schedule(
        aws.scheduler,
        "warm-crm",
        "rate(5 minutes)",
        crm_prod,
        scheduler_role,
        input=PAYLOAD,
        universal=True,
    )
    seeding.create_schedule(aws.scheduler, "not-lambda", "rate(1 hour)", QUEUE, scheduler_role)

    hours_ref = None
    if hours:
        hours_ref = seeding.create_hours_of_operation(
            aws.connect,
            instance.id,
            "Support Hours",
            timezone="Europe/Berlin",
            weekly=[
                (day, "08:00", "18:00")
                for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
            ],
        )
        seeding.create_hours_of_operation(
            aws.connect, instance.id, "Sales Hours", timezone="UTC", weekly=[]
        )
        aws.connect.create_hours_of_operation_override(
            InstanceId=instance.id,
            HoursOfOperationId=hours_ref.id,
            Name="Christmas",
            Config=[
                {
                    "Day": "FRIDAY",
                    "StartTime": {"Hours": 0, "Minutes": 0},
                    "EndTime": {"Hours": 23, "Minutes": 59},
                }
            ],
            EffectiveFrom="2026-12-25",
            EffectiveTill="2026-12-25",
            OverrideType="CLOSED",
        )
    return Center(
        instance,
        main,
        main_content,
        module,
        module_content,
        crm,
        crm_prod,
        billing,
        warm_billing,
        nightly,
        warm_crm,
        scheduler_role,
        managed_policy,
        managed_document,
        hours_ref,
    )


def expected_snapshot(center: Center) -> Snapshot:
    """What AWS holds for `seed_center()`, as the snapshot must say it."""
    aws = clients()
    billing_policy = aws.lambda_.get_policy(FunctionName="billing")["Policy"]
    prod_policy = aws.lambda_.get_policy(FunctionName="crm-lookup", Qualifier="prod")["Policy"]
    schedule_input = aws.scheduler.get_schedule(Name="warm-crm")["Target"].get("Input")
    inline = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": [center.crm_prod]}
        ],
    }
    return Snapshot(
        collected_at=NOW,
        accounts=[ACCOUNT],
        regions=[EAST],
        instances=[
            ConnectInstance(
                id=center.instance.id,
                arn=center.instance.arn,
                alias="support",
                region=EAST,
                account=ACCOUNT,
                flows=[
                    ContactFlow(
                        id=center.main.id,
                        arn=center.main.arn,
                        name="Main",
                        content_sha256=content_sha256(center.main_content),
                        content=parse_flow_content(
                            center.main_content, region=EAST, account=ACCOUNT
                        ),
                    )
                ],
                modules=[
                    FlowModule(
                        id=center.module.id,
                        arn=center.module.arn,
                        name="lookup",
                        content_sha256=content_sha256(center.module_content),
                        content=parse_flow_content(
                            center.module_content, region=EAST, account=ACCOUNT
                        ),
                    )
                ],
                lambda_functions=sorted([center.crm, center.billing]),
            )
        ],
        functions=[
            LambdaFunction(
                arn=center.billing,
                name="billing",
                region=EAST,
                account=ACCOUNT,
                exists=True,
                timeout=5,
                runtime="python3.12",
                versions=[],
                policies=[FunctionPolicy(qualifier="$LATEST", document=billing_policy)],
                # Called at $LATEST only, where Lambda allows none: known without a call.
                provisioned_concurrency=[],
                state="Active",
                concurrency=ReservedConcurrency(reserved=None),
                logging=FunctionLogging(log_group="/aws/lambda/billing"),
            ),
            LambdaFunction(
                arn=center.crm,
                name="crm-lookup",
                region=EAST,
                account=ACCOUNT,
                exists=True,
                timeout=3,
                runtime="python3.12",
                versions=[FunctionVersion(version="1", timeout=3)],
                aliases=[FunctionAlias(name="prod", function_version="1")],
                # The flows and the schedule use crm-lookup:prod only: no unqualified policy.
                policies=[FunctionPolicy(qualifier="prod", document=prod_policy)],
                provisioned_concurrency=[
                    ProvisionedConcurrency(qualifier="prod", requested=2, available=2, allocated=2)
                ],
                state="Active",
                concurrency=ReservedConcurrency(reserved=None),
                logging=FunctionLogging(log_group="/aws/lambda/crm-lookup"),
            ),
        ],
        rules=[
            EventRule(
                arn=center.nightly,
                name="nightly-report",
                region=EAST,
                account=ACCOUNT,
                schedule_expression="cron(0 2 * * ? *)",
                targets=[RuleTarget(id="warmer", arn=QUEUE)],
            ),
            EventRule(
                arn=center.warm_billing,
                name="warm-billing",
                region=EAST,
                account=ACCOUNT,
                schedule_expression="rate(5 minutes)",
                targets=[RuleTarget(id="warmer", arn=center.billing, input=PAYLOAD)],
            ),
        ],
        schedules=[
            Schedule(
                arn=center.warm_crm,
                name="warm-crm",
                region=EAST,
                account=ACCOUNT,
                expression="rate(5 minutes)",
                target=ScheduleTarget(
                    arn=UNIVERSAL_LAMBDA_INVOKE,
                    role_arn=center.scheduler_role,
                    input=schedule_input,
                ),
            )
        ],
        roles=[
            IamRole(
                arn=center.scheduler_role,
                policies=[
                    RolePolicy(name="invoke", kind="inline", document=_canonical(inline)),
                    RolePolicy(
                        name="invoke-crm",
                        kind="managed",
                        arn=center.managed_policy,
                        document=_canonical(center.managed_document),
                    ),
                ],
            )
        ],
    )


def _canonical(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


# --- tests -----------------------------------------------------------------------------------


def test_a_small_contact_center_collects_into_the_expected_snapshot(aws: Sandbox) -> None:
    center = seed_center()
    collection = run()
    assert collection.snapshot == expected_snapshot(center)


def test_the_call_count_is_the_fewest_that_can_answer(aws: Sandbox) -> None:
    seed_center(hours=True)
    aws.reset_calls()
    collection = run(HOURS_POLICY)
    assert collection.snapshot.errors == []
    # Written down by hand: one call per page (every list fits one page here) and per thing.
    assert collection.calls == {
        "connect:DescribeHoursOfOperation": 1,  # Support Hours only (Sales Hours is not named)
        "connect:GetEffectiveHoursOfOperations": 1,
        "connect:ListHoursOfOperationOverrides": 1,
        "connect:ListHoursOfOperations": 1,
        "connect:ListInstances": 1,
        "connect:ListLambdaFunctions": 1,
        "connect:SearchContactFlowModules": 1,
        "connect:SearchContactFlows": 1,  # content included: no DescribeContactFlow
        "events:ListRules": 1,
        "events:ListTargetsByRule": 2,  # the two scheduled rules, not the event-pattern one
        "iam:GetPolicy": 1,
        "iam:GetPolicyVersion": 1,
        "iam:GetRolePolicy": 1,
        "iam:ListAttachedRolePolicies": 1,
        "iam:ListRolePolicies": 1,
        "lambda:GetFunctionConfiguration": 3,  # billing, crm-lookup, crm-lookup version 1
        "lambda:GetFunctionConcurrency": 2,  # billing and crm-lookup: reserved 0 is WARM019
        # billing ($LATEST, called and warmed) and crm-lookup:prod. Not unqualified crm-lookup
        # (was 3): nothing calls or targets it, a policy applies only to the qualifier it is on,
        # and WARM009 judges only policies that were read. One per qualifier in use is fewest.
        "lambda:GetPolicy": 2,
        "lambda:ListAliases": 1,  # crm-lookup only: billing is called unqualified
        # crm-lookup (prod) only. Not billing (was 2): it is required at $LATEST only, and Lambda
        # puts provisioned concurrency on versions and aliases only, so its answer, none, is
        # known without asking. One call covers every qualifier of crm-lookup: fewest.
        "lambda:ListProvisionedConcurrencyConfigs": 1,
        "scheduler:GetSchedule": 1,  # the Lambda schedule, not the SQS one
        "scheduler:ListSchedules": 1,
        "sts:GetCallerIdentity": 1,
    }
    # What the sandbox received is exactly what was counted: nothing retried, nothing hidden.
    assert aws.calls() == collection.calls


def test_a_full_collection_calls_nothing_off_the_allow_list(aws: Sandbox) -> None:
    seed_center(hours=True)
    aws.reset_calls()
    run(HOURS_POLICY)
    received = set(aws.calls())
    assert received <= ALLOWED_OPERATIONS, received - ALLOWED_OPERATIONS


def test_hours_of_operation_are_read_with_overrides_and_effective_hours(aws: Sandbox) -> None:
    center = seed_center(hours=True)
    snapshot = run(HOURS_POLICY).snapshot
    (hours,) = snapshot.instances[0].hours_of_operation or []
    assert center.hours is not None
    assert (hours.id, hours.arn, hours.name, hours.time_zone) == (
        center.hours.id,
        center.hours.arn,
        "Support Hours",
        "Europe/Berlin",
    )
    assert sorted(entry.day for entry in hours.config) == sorted(
        ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
    )
    (override,) = hours.overrides or []
    assert (override.name, override.type, override.effective_from) == (
        "Christmas",
        "CLOSED",
        date(2026, 12, 25),
    )
    days = {day.date: day for day in hours.effective or []}
    assert min(days) == date(2026, 11, 1)
    assert max(days) == date(2027, 11, 3)
    monday = days[date(2026, 11, 2)]
    assert [(i.start.hour, i.end.hour) for i in monday.hours] == [(8, 18)]
    assert days[date(2026, 12, 25)].hours == []  # closed by the override
    assert days[date(2026, 11, 1)].hours == []  # a Sunday


def test_paging_past_every_page_limit(aws: Sandbox) -> None:
    aws_clients = clients()
    role = seeding.create_lambda_role(aws_clients.iam)
    billing = seeding.create_function(aws_clients.lambda_, "billing", role)
    instance = seeding.create_instance(aws_clients.connect, "big")
    for index in range(120):
        seeding.create_flow(
            aws_clients.connect,
            instance.id,
            f"flow-{index:03}",
            seeding.flow_document(lambdas=[billing]),
        )
    associated = [f"arn:aws:lambda:{EAST}:{ACCOUNT}:function:assoc-{i:02}" for i in range(30)]
    for arn in associated:
        seeding.associate_lambda(aws_clients.connect, instance.id, arn)
    for index in range(110):
        seeding.put_warmer_rule(
            aws_clients.events, f"warm-{index:03}", "rate(5 minutes)", billing, input=PAYLOAD
        )
    aws.reset_calls()

    collection = run()

    snapshot = collection.snapshot
    assert snapshot.errors == []
    (read,) = snapshot.instances
    assert len(read.flows or []) == 120
    assert read.lambda_functions == sorted(associated)
    assert len(snapshot.rules) == 110
    assert all(rule.targets and rule.targets[0].arn == billing for rule in snapshot.rules)
    calls = collection.calls
    assert calls["connect:SearchContactFlows"] == 2  # 100 + 20
    assert calls["connect:ListLambdaFunctions"] == 2  # 25 + 5
    assert calls["events:ListRules"] == 2  # 100 + 10
    assert calls["events:ListTargetsByRule"] == 110
    assert calls["lambda:GetFunctionConfiguration"] == 1


def test_a_flow_calling_a_function_in_another_region(aws: Sandbox) -> None:
    east, west = clients(EAST), clients(WEST)
    role = seeding.create_lambda_role(east.iam)
    remote = seeding.create_function(west.lambda_, "fraud-check", role, timeout=4)
    rule = seeding.put_warmer_rule(
        west.events, "warm-fraud", "rate(5 minutes)", remote, input=PAYLOAD
    )
    seeding.put_warmer_rule(east.events, "warm-local", "rate(5 minutes)", QUEUE)
    instance = seeding.create_instance(east.connect, "support")
    seeding.create_flow(east.connect, instance.id, "Main", seeding.flow_document(lambdas=[remote]))

    snapshot = run({**WARM_POLICY, "scope": {"regions": [EAST]}}).snapshot

    assert snapshot.errors == []
    assert snapshot.regions == [EAST, WEST]
    (function,) = snapshot.functions
    assert (function.arn, function.region, function.exists, function.timeout) == (
        remote,
        WEST,
        True,
        4,
    )
    rules = {r.name: r for r in snapshot.rules}
    assert set(rules) == {"warm-fraud", "warm-local"}
    assert (rules["warm-fraud"].arn, rules["warm-fraud"].region) == (rule, WEST)
    assert rules["warm-fraud"].targets == [RuleTarget(id="warmer", arn=remote, input=PAYLOAD)]


def test_throttled_connect_gives_the_same_snapshot(aws: Sandbox) -> None:
    aws_clients = clients()
    role = seeding.create_lambda_role(aws_clients.iam)
    billing = seeding.create_function(aws_clients.lambda_, "billing", role)
    for alias in ("north", "south"):
        instance = seeding.create_instance(aws_clients.connect, alias)
        seeding.create_flow(
            aws_clients.connect, instance.id, "Main", seeding.flow_document(lambdas=[billing])
        )
        seeding.associate_lambda(aws_clients.connect, instance.id, billing)
    calm = run().snapshot
    aws.reset_calls()
    # No burst at all, so two instances' concurrent reads of one API are throttled.
    aws.set_faults(FaultPlan(rate_limits=(RateLimit("connect:*", 2.0, 1),)))

    throttled = run()

    assert throttled.snapshot == calm
    assert throttled.snapshot.errors == []
    received = aws.calls()
    retried = sum(
        received[op] - throttled.calls[op] for op in throttled.calls if op.startswith("connect:")
    )
    assert retried > 0, "the sandbox never throttled: the test proves nothing"


def test_lambda_is_paced_under_its_quotas_and_never_throttled(aws: Sandbox) -> None:
    aws_clients = clients()
    role = seeding.create_lambda_role(aws_clients.iam)
    functions = [
        seeding.create_function(aws_clients.lambda_, f"fn-{i:02}", role) for i in range(24)
    ]
    aws.reset_calls()
    # The sandbox enforces 15 requests/s per Lambda API (AWS counts every control-plane API
    # but GetPolicy and GetFunction together, so the real quota is stricter still). Its burst
    # leaves room for scheduling jitter on a loaded machine (requests paced 100 ms apart can
    # reach the server bunched); unpaced, 24 concurrent reads would still overrun it.
    aws.set_faults(FaultPlan(rate_limits=(RateLimit("lambda:*", 15.0, LAMBDA_BURST + 3),)))
    started = time.perf_counter()

    collection = run({**WARM_POLICY, "extra_functions": functions})

    elapsed = time.perf_counter() - started
    assert collection.snapshot.errors == []
    assert len(collection.snapshot.functions) == 24
    assert collection.calls["lambda:GetFunctionConfiguration"] == 24
    assert collection.calls["lambda:GetPolicy"] == 24
    assert aws.calls() == collection.calls  # nothing throttled, nothing retried
    # 24 configurations at 10/s after a burst of 2 (policies pace in parallel, on their own).
    assert elapsed >= (24 - LAMBDA_BURST) / LAMBDA_RATE_PER_SECOND


def test_access_denied_on_get_policy_names_the_operation_and_function(aws: Sandbox) -> None:
    center = seed_center()
    aws.set_faults(FaultPlan(access_denied=("lambda:GetPolicy",)))

    snapshot = run().snapshot

    failures = {(e.service, e.operation, e.resource): e for e in snapshot.errors}
    # One per qualifier in use (crm-lookup is used as :prod only).
    assert set(failures) == {
        ("lambda", "GetPolicy", center.billing),
        ("lambda", "GetPolicy", center.crm_prod),
    }
    failure = failures[("lambda", "GetPolicy", center.billing)]
    assert (failure.code, failure.region, failure.account) == (
        "AccessDeniedException",
        EAST,
        ACCOUNT,
    )
    assert "lambda:GetPolicy" in failure.message
    assert all(function.policies == [] for function in snapshot.functions)
    # Everything else is still read.
    assert {f.name for f in snapshot.functions} == {"billing", "crm-lookup"}
    assert len(snapshot.rules) == 2


def test_an_unreachable_endpoint_is_a_failure_not_an_exception(
    aws: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    for name in aws.env():
        if name.startswith("AWS_ENDPOINT_URL"):
            monkeypatch.setenv(name, dead)

    collection = run()

    (failure,) = collection.snapshot.errors
    assert (failure.service, failure.operation, failure.code) == (
        "sts",
        "GetCallerIdentity",
        "EndpointConnectionError",
    )
    assert dead in failure.message
    assert collection.snapshot.accounts == []


def test_an_unreachable_connect_endpoint_fails_only_what_it_covers(
    aws: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws_clients = clients()
    role = seeding.create_lambda_role(aws_clients.iam)
    billing = seeding.create_function(aws_clients.lambda_, "billing", role)
    seeding.put_warmer_rule(
        aws_clients.events, "warm-billing", "rate(5 minutes)", billing, input=PAYLOAD
    )
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("AWS_ENDPOINT_URL_CONNECT", f"http://127.0.0.1:{closed_port()}")

    snapshot = run({**WARM_POLICY, "extra_functions": [billing]}).snapshot

    (failure,) = snapshot.errors
    assert (failure.service, failure.operation, failure.region, failure.code) == (
        "connect",
        "ListInstances",
        EAST,
        "EndpointConnectionError",
    )
    assert snapshot.instances == []
    assert [f.arn for f in snapshot.functions] == [billing]
    assert [r.name for r in snapshot.rules] == ["warm-billing"]
