"""checker.collect: the live collectors, against canned AWS answers (no network).

Real botocore clients are built by `ClientFactory` exactly as in production (guard, counter,
retry config); `FakeAws` answers each call from a ``before-call`` handler, the same hook
botocore's Stubber uses, so paginators, error classes and IAM's document decoding all run. An
operation a test did not prepare fails the test instead of reaching the network.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any
from urllib.parse import quote

import pytest

from checker.collect import Collection, ReadOnlyViolation, collect, collect_with
from checker.collect import base as collect_base
from checker.collect.base import NO_CREDENTIALS_MESSAGE, ClientFactory
from checker.domain.flows import content_sha256, parse_flow_content
from checker.model.policy import Policy
from checker.model.snapshot import FunctionVersion, Snapshot

ACCOUNT = "123456789012"
EAST = "us-east-1"
WEST = "us-west-2"
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
INSTANCE_ID = "11111111-2222-3333-4444-555555555555"
INSTANCE_ARN = f"arn:aws:connect:{EAST}:{ACCOUNT}:instance/{INSTANCE_ID}"
UNIVERSAL = "arn:aws:scheduler:::aws-sdk:lambda:invoke"

Answer = Callable[[str, dict[str, Any]], dict[str, Any]]


def fn(name: str, qualifier: str | None = None, region: str = EAST) -> str:
    arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


class AwsError(Exception):
    """Raised by a canned answer: the call fails with this AWS error code."""

    def __init__(self, code: str, status: int = 400, message: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.message = message or f"{code} (canned)"


def denied(region: str, params: dict[str, Any]) -> dict[str, Any]:
    raise AwsError("AccessDeniedException", 403, "User is not authorized to perform this action")


def not_found(region: str, params: dict[str, Any]) -> dict[str, Any]:
    raise AwsError("ResourceNotFoundException", 404, "The resource you requested does not exist.")


@dataclass
class _Http:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    text: str = ""


@dataclass(frozen=True)
class Call:
    operation: str
    region: str
    params: dict[str, Any]


def paged(
    items: list[Any],
    key: str,
    params: dict[str, Any],
    *,
    limit: str = "MaxResults",
    token_in: str = "NextToken",
    token_out: str = "NextToken",
    default: int = 1000,
) -> dict[str, Any]:
    """One page of `items` as an AWS list call returns it; the token is the next offset."""
    start = int(params.get(token_in) or 0)
    end = start + int(params.get(limit) or default)
    page: dict[str, Any] = {key: items[start:end]}
    if end < len(items):
        page[token_out] = str(end)
    return page


class FakeAws:
    """Canned answers per "service:Operation" (every region unless a handler looks)."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {
            "sts:GetCallerIdentity": lambda r, p: {
                "Account": ACCOUNT,
                "Arn": f"arn:aws:iam::{ACCOUNT}:user/test",
                "UserId": "AIDATEST",
            },
            "connect:ListInstances": lambda r, p: {"InstanceSummaryList": []},
            "connect:SearchContactFlows": lambda r, p: {"ContactFlows": []},
            "connect:SearchContactFlowModules": lambda r, p: {"ContactFlowModules": []},
            "connect:ListLambdaFunctions": lambda r, p: {"LambdaFunctions": []},
            "events:ListRules": lambda r, p: {"Rules": []},
            "scheduler:ListSchedules": lambda r, p: {"Schedules": []},
            "lambda:ListAliases": lambda r, p: {"Aliases": []},
            "lambda:GetPolicy": not_found,
            "lambda:GetFunctionConcurrency": lambda r, p: {},
            "lambda:ListProvisionedConcurrencyConfigs": lambda r, p: {
                "ProvisionedConcurrencyConfigs": []
            },
        }
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def on(self, operation: str, answer: Answer) -> None:
        self.answers[operation] = answer

    def install(self, client: Any) -> None:
        region = client.meta.region_name
        client.meta.events.register("before-parameter-build", self._remember)
        client.meta.events.register_first("before-call", partial(self._answer, region))

    def called(self, operation: str, region: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.operation == operation and region in (None, c.region)]

    def operations(self) -> set[str]:
        return {call.operation for call in self.calls}

    @staticmethod
    def _remember(params: dict[str, Any], context: dict[str, Any], **kwargs: Any) -> None:
        context["fake.params"] = dict(params)

    def _answer(
        self, region: str, model: Any, context: dict[str, Any], **kwargs: Any
    ) -> tuple[_Http, dict[str, Any]]:
        operation = f"{model.service_model.service_name}:{model.name}"
        params = context.get("fake.params", {})
        with self._lock:
            self.calls.append(Call(operation, region, params))
        answer = self.answers.get(operation)
        if answer is None:
            raise AssertionError(f"the test did not prepare {operation} ({params})")
        try:
            parsed = answer(region, params)
        except AwsError as error:
            return _Http(error.status), {
                "Error": {"Code": error.code, "Message": error.message},
                "ResponseMetadata": {"HTTPStatusCode": error.status},
            }
        return _Http(200), {**parsed, "ResponseMetadata": {"HTTPStatusCode": 200}}


@pytest.fixture
def offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Static test credentials and no AWS files, so nothing but FakeAws is ever asked."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_MAX_ATTEMPTS",
        "AWS_RETRY_MODE",
        "AWS_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", EAST)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def fake(offline_env: None) -> FakeAws:
    return FakeAws()


def run(
    fake: FakeAws,
    policy: dict[str, Any] | None = None,
    *,
    regions: list[str] | None = None,
    progress: Callable[[str, str, int], None] | None = None,
    max_workers: int = 4,
) -> Collection:
    factory = ClientFactory.from_profile(None, max_workers=max_workers, customize=fake.install)
    return collect_with(
        Policy.model_validate(policy or {"version": 1}),
        factory,
        regions=regions,
        now=NOW,
        progress=progress,
        max_workers=max_workers,
    )


# --- a small contact center ------------------------------------------------------------------


def document(*lambdas: str, modules: tuple[str, ...] = ()) -> str:
    actions: list[dict[str, Any]] = [
        {
            "Identifier": f"lambda-{i}",
            "Type": "InvokeLambdaFunction",
            "Parameters": {"LambdaFunctionARN": arn, "InvocationTimeLimitSeconds": "8"},
            "Transitions": {},
        }
        for i, arn in enumerate(lambdas)
    ]
    actions += [
        {
            "Identifier": f"module-{i}",
            "Type": "InvokeFlowModule",
            "Parameters": {"FlowModuleId": module},
            "Transitions": {},
        }
        for i, module in enumerate(modules)
    ]
    actions.append({"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}})
    return json.dumps({"Version": "2019-10-30", "StartAction": "end", "Actions": actions})


def instance_summary(
    instance_id: str = INSTANCE_ID, alias: str = "support", region: str = EAST
) -> dict[str, Any]:
    return {
        "Id": instance_id,
        "Arn": f"arn:aws:connect:{region}:{ACCOUNT}:instance/{instance_id}",
        "InstanceAlias": alias,
        "InstanceStatus": "ACTIVE",
        "IdentityManagementType": "CONNECT_MANAGED",
    }


def flow(
    flow_id: str, content: str | None, *, status: str = "PUBLISHED", name: str | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Id": flow_id,
        "Arn": f"{INSTANCE_ARN}/contact-flow/{flow_id}",
        "Name": name or flow_id,
        "Type": "CONTACT_FLOW",
        "State": "ACTIVE",
        "Status": status,
    }
    if content is not None:
        item["Content"] = content
        item["FlowContentSha256"] = content_sha256(content)
    return item


def module(module_id: str, content: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Id": module_id,
        "Arn": f"{INSTANCE_ARN}/flow-module/{module_id}",
        "Name": module_id,
        "State": "ACTIVE",
        "Status": "PUBLISHED",
    }
    if content is not None:
        item["Content"] = content
    return item


def function_config(name: str, *, timeout: int = 3, version: str = "$LATEST") -> Answer:
    def answer(region: str, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "FunctionName": name,
            "FunctionArn": fn(name, region=region),
            "Timeout": timeout,
            "Runtime": "python3.12",
            "Version": params.get("Qualifier", version),
        }

    return answer


def one_instance(fake: FakeAws, flows: list[dict[str, Any]]) -> None:
    fake.on("connect:ListInstances", lambda r, p: {"InstanceSummaryList": [instance_summary()]})
    fake.on(
        "connect:SearchContactFlows",
        lambda r, p: paged(flows, "ContactFlows", p),
    )


# --- pagination ------------------------------------------------------------------------------


def test_every_list_pages_at_the_models_limit_and_reads_every_page(fake: FakeAws) -> None:
    flows = [flow(f"flow-{i:03}", document()) for i in range(150)]
    one_instance(fake, flows)
    modules = [module(f"mod-{i:03}", document()) for i in range(101)]
    fake.on(
        "connect:SearchContactFlowModules", lambda r, p: paged(modules, "ContactFlowModules", p)
    )
    associations = [fn(f"assoc-{i:02}") for i in range(30)]
    fake.on("connect:ListLambdaFunctions", lambda r, p: paged(associations, "LambdaFunctions", p))
    rules = [
        {"Name": f"rule-{i:03}", "Arn": f"arn:aws:events:{EAST}:{ACCOUNT}:rule/rule-{i:03}"}
        for i in range(230)
    ]
    fake.on("events:ListRules", lambda r, p: paged(rules, "Rules", p, limit="Limit"))
    schedules = [
        {
            "Name": f"s-{i}",
            "Arn": f"arn:aws:scheduler:{EAST}:{ACCOUNT}:schedule/default/s-{i}",
            "GroupName": "default",
            "State": "ENABLED",
            "Target": {"Arn": "arn:aws:sqs:x"},
        }
        for i in range(101)
    ]
    fake.on("scheduler:ListSchedules", lambda r, p: paged(schedules, "Schedules", p))

    snapshot = run(fake).snapshot

    instance = snapshot.instances[0]
    assert instance.flows is not None
    assert len(instance.flows) == 150
    assert instance.modules is not None
    assert len(instance.modules) == 101
    assert instance.lambda_functions == sorted(associations)
    assert [c.params["MaxResults"] for c in fake.called("connect:SearchContactFlows")] == [100, 100]
    assert [c.params.get("NextToken") for c in fake.called("connect:SearchContactFlows")] == [
        None,
        "100",
    ]
    assert [c.params["MaxResults"] for c in fake.called("connect:SearchContactFlowModules")] == [
        100,
        100,
    ]
    assert [c.params["MaxResults"] for c in fake.called("connect:ListLambdaFunctions")] == [25, 25]
    assert [c.params["MaxResults"] for c in fake.called("connect:ListInstances")] == [10]
    assert [c.params["Limit"] for c in fake.called("events:ListRules")] == [100, 100, 100]
    assert [c.params["MaxResults"] for c in fake.called("scheduler:ListSchedules")] == [100, 100]
    # Rules without a schedule and schedules with a non-Lambda target are neither read further
    # nor kept.
    assert fake.called("events:ListTargetsByRule") == []
    assert fake.called("scheduler:GetSchedule") == []
    assert snapshot.rules == []
    assert snapshot.schedules == []
    assert snapshot.errors == []


def test_flow_search_asks_for_active_flows_in_the_policys_statuses(fake: FakeAws) -> None:
    one_instance(fake, [])
    run(fake, {"version": 1, "scope": {"flow_statuses": ["SAVED", "PUBLISHED"]}})
    (search,) = fake.called("connect:SearchContactFlows")
    assert search.params["InstanceId"] == INSTANCE_ID
    assert search.params["SearchCriteria"] == {
        "AndConditions": [
            {"StateCondition": "ACTIVE"},
            {"OrConditions": [{"StatusCondition": "PUBLISHED"}, {"StatusCondition": "SAVED"}]},
        ]
    }
    (modules,) = fake.called("connect:SearchContactFlowModules")
    assert modules.params["SearchCriteria"] == search.params["SearchCriteria"]


# --- content ---------------------------------------------------------------------------------


def test_content_is_described_only_where_search_left_it_out(fake: FakeAws) -> None:
    published = document(fn("billing"))
    one_instance(
        fake,
        [
            flow("has-content", document(fn("crm"))),
            flow("no-content", None),
            flow("draft", None, status="SAVED"),
        ],
    )
    described = {"no-content": published, "draft:$SAVED": document()}
    fake.on(
        "connect:DescribeContactFlow",
        lambda r, p: {
            "ContactFlow": {
                **flow(p["ContactFlowId"].split(":")[0], described[p["ContactFlowId"]]),
            }
        },
    )
    fake.on(
        "connect:SearchContactFlowModules",
        lambda r, p: {"ContactFlowModules": [module("m1", document()), module("m2", None)]},
    )
    fake.on(
        "connect:DescribeContactFlowModule",
        lambda r, p: {"ContactFlowModule": module(p["ContactFlowModuleId"], document(fn("mod")))},
    )
    fake.on("lambda:GetFunctionConfiguration", not_found)

    policy = {"version": 1, "scope": {"flow_statuses": ["PUBLISHED", "SAVED"]}}
    instance = run(fake, policy).snapshot.instances[0]

    assert sorted(
        c.params["ContactFlowId"] for c in fake.called("connect:DescribeContactFlow")
    ) == [
        "draft:$SAVED",
        "no-content",
    ]
    assert [
        c.params["ContactFlowModuleId"] for c in fake.called("connect:DescribeContactFlowModule")
    ] == ["m2"]
    flows = {f.id: f for f in instance.flows or []}
    assert flows["no-content"].content == parse_flow_content(
        published, region=EAST, account=ACCOUNT
    )
    assert flows["no-content"].content_sha256 == content_sha256(published)
    assert flows["draft"].status == "SAVED"
    modules = {m.id: m for m in instance.modules or []}
    assert modules["m2"].content is not None
    assert modules["m2"].content.lambda_references[0].function == fn("mod")
    # Without a FlowModuleContentSha256 the collector hashes the content itself.
    assert modules["m1"].content_sha256 == content_sha256(document())


def test_a_failed_describe_leaves_only_that_flows_content_unread(fake: FakeAws) -> None:
    one_instance(fake, [flow("ok", document()), flow("lost", None)])
    fake.on("connect:DescribeContactFlow", denied)
    snapshot = run(fake).snapshot
    flows = {f.id: f for f in snapshot.instances[0].flows or []}
    assert flows["ok"].content is not None
    assert flows["lost"].content is None
    (failure,) = snapshot.errors
    assert (failure.service, failure.operation, failure.code) == (
        "connect",
        "DescribeContactFlow",
        "AccessDeniedException",
    )
    assert failure.resource == flows["lost"].arn
    assert failure.region == EAST
    assert failure.account == ACCOUNT


def test_a_failed_search_leaves_the_instances_flows_unread(fake: FakeAws) -> None:
    one_instance(fake, [])
    fake.on("connect:SearchContactFlows", denied)
    snapshot = run(fake).snapshot
    instance = snapshot.instances[0]
    assert instance.flows is None
    assert instance.modules == []
    assert instance.lambda_functions == []
    assert [(e.operation, e.resource) for e in snapshot.errors] == [
        ("SearchContactFlows", INSTANCE_ARN)
    ]


# --- Lambda ----------------------------------------------------------------------------------


def test_a_missing_function_exists_false_and_no_policy_is_document_none(fake: FakeAws) -> None:
    one_instance(fake, [flow("main", document(fn("gone"), fn("billing")))])

    def configuration(region: str, params: dict[str, Any]) -> dict[str, Any]:
        if params["FunctionName"] == "gone":
            raise AwsError("ResourceNotFoundException", 404)
        return function_config("billing", timeout=5)(region, params)

    fake.on("lambda:GetFunctionConfiguration", configuration)
    snapshot = run(fake).snapshot

    functions = {f.name: f for f in snapshot.functions}
    assert functions["gone"].exists is False
    assert functions["gone"].policies == []
    assert functions["gone"].timeout is None
    billing = functions["billing"]
    assert (billing.exists, billing.timeout, billing.runtime) == (True, 5, "python3.12")
    assert [(p.qualifier, p.document) for p in billing.policies] == [("$LATEST", None)]
    assert billing.versions == []
    assert billing.aliases is None
    # Called at $LATEST only, where Lambda allows no provisioned concurrency: none, unasked.
    assert billing.provisioned_concurrency == []
    assert fake.called("lambda:ListProvisionedConcurrencyConfigs") == []
    assert snapshot.errors == []
    # Nothing more is asked about a function that does not exist.
    assert {c.params["FunctionName"] for c in fake.called("lambda:GetPolicy")} == {"billing"}


def test_access_denied_becomes_a_failure_and_leaves_the_field_unread(fake: FakeAws) -> None:
    one_instance(fake, [flow("main", document(fn("crm", "prod")))])
    fake.on("connect:ListLambdaFunctions", denied)
    fake.on("lambda:GetFunctionConfiguration", function_config("crm"))
    fake.on(
        "lambda:ListAliases",
        lambda r, p: {"Aliases": [{"Name": "prod", "FunctionVersion": "7"}]},
    )

    def policy(region: str, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("Qualifier") == "prod":
            return denied(region, params)
        return {"Policy": '{"Statement": []}'}

    fake.on("lambda:GetPolicy", policy)
    fake.on("lambda:ListProvisionedConcurrencyConfigs", denied)

    snapshot = run(fake).snapshot

    assert snapshot.instances[0].lambda_functions is None
    (crm,) = snapshot.functions
    # Only prod is in use: the unqualified policy is not read, and prod's could not be.
    assert crm.policies == []
    assert [c.params.get("Qualifier") for c in fake.called("lambda:GetPolicy")] == ["prod"]
    assert crm.provisioned_concurrency is None
    assert crm.versions == [FunctionVersion(version="7", timeout=3)]
    failures = {(e.service, e.operation, e.resource): e for e in snapshot.errors}
    assert set(failures) == {
        ("connect", "ListLambdaFunctions", INSTANCE_ARN),
        ("lambda", "GetPolicy", fn("crm", "prod")),
        ("lambda", "ListProvisionedConcurrencyConfigs", fn("crm")),
    }
    assert all(e.code == "AccessDeniedException" for e in snapshot.errors)


def test_versions_in_use_are_read_once_and_a_missing_version_is_left_out(fake: FakeAws) -> None:
    # Flows call version 3 and 9 and alias live; live and blue both run version 3.
    one_instance(
        fake,
        [
            flow(
                "main",
                document(fn("crm", "3"), fn("crm", "9"), fn("crm", "live"), fn("crm", "blue")),
            )
        ],
    )

    def configuration(region: str, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("Qualifier") == "9":
            raise AwsError("ResourceNotFoundException", 404)
        timeout = {"3": 6}.get(params.get("Qualifier", ""), 3)
        return function_config("crm", timeout=timeout)(region, params)

    fake.on("lambda:GetFunctionConfiguration", configuration)
    fake.on(
        "lambda:ListAliases",
        lambda r, p: {
            "Aliases": [
                {"Name": "live", "FunctionVersion": "3"},
                {
                    "Name": "blue",
                    "FunctionVersion": "3",
                    "RoutingConfig": {"AdditionalVersionWeights": {"4": 0.1}},
                },
                {"Name": "unused", "FunctionVersion": "2"},
            ]
        },
    )
    (crm,) = run(fake).snapshot.functions
    assert sorted(
        c.params.get("Qualifier", "-") for c in fake.called("lambda:GetFunctionConfiguration")
    ) == ["-", "3", "9"]
    assert crm.versions == [FunctionVersion(version="3", timeout=6)]
    assert [a.name for a in crm.aliases or []] == ["blue", "live", "unused"]
    assert (crm.aliases or [])[0].additional_versions == {"4": 0.1}
    # Every qualifier in use; not the unqualified function, which nothing calls.
    assert sorted(
        c.params.get("Qualifier", "$LATEST") for c in fake.called("lambda:GetPolicy")
    ) == ["3", "9", "blue", "live"]


def test_a_function_deleted_mid_run_is_a_failure_on_the_later_call(fake: FakeAws) -> None:
    one_instance(fake, [flow("main", document(fn("crm", "prod")))])
    fake.on("lambda:GetFunctionConfiguration", function_config("crm"))
    fake.on("lambda:ListAliases", not_found)
    fake.on("lambda:ListProvisionedConcurrencyConfigs", not_found)
    snapshot = run(fake).snapshot
    (crm,) = snapshot.functions
    assert crm.exists is True
    assert crm.aliases is None
    assert crm.provisioned_concurrency is None
    assert sorted((e.operation, e.code) for e in snapshot.errors) == [
        ("ListAliases", "ResourceNotFoundException"),
        ("ListProvisionedConcurrencyConfigs", "ResourceNotFoundException"),
    ]


def test_a_function_only_a_warmer_targets_is_read_for_existence_only(fake: FakeAws) -> None:
    fake.on(
        "events:ListRules",
        lambda r, p: {
            "Rules": [
                {
                    "Name": "warm-old",
                    "Arn": f"arn:aws:events:{r}:{ACCOUNT}:rule/warm-old",
                    "ScheduleExpression": "rate(5 minutes)",
                }
            ]
        },
    )
    fake.on(
        "events:ListTargetsByRule",
        lambda r, p: {"Targets": [{"Id": "1", "Arn": fn("old", "7")}]},
    )
    fake.on("lambda:GetFunctionConfiguration", not_found)
    (old,) = run(fake).snapshot.functions
    assert (old.arn, old.exists) == (fn("old"), False)

    fake.calls.clear()
    fake.on("lambda:GetFunctionConfiguration", function_config("old"))
    (old,) = run(fake).snapshot.functions
    assert old.exists is True
    assert old.versions == [FunctionVersion(version="7", timeout=3)]
    assert old.policies == []
    assert old.provisioned_concurrency is None
    assert fake.called("lambda:GetPolicy") == []
    assert fake.called("lambda:ListProvisionedConcurrencyConfigs") == []


def test_a_failed_version_read_leaves_versions_unread(fake: FakeAws) -> None:
    one_instance(fake, [flow("main", document(fn("crm", "3")))])

    def configuration(region: str, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("Qualifier") == "3":
            raise AwsError("TooManyRequestsException", 429)
        return function_config("crm")(region, params)

    fake.on("lambda:GetFunctionConfiguration", configuration)
    snapshot = run(fake).snapshot
    assert snapshot.functions[0].versions is None
    assert [(e.operation, e.resource, e.code) for e in snapshot.errors] == [
        ("GetFunctionConfiguration", fn("crm", "3"), "TooManyRequestsException")
    ]


def test_a_function_whose_configuration_cannot_be_read_is_left_out(fake: FakeAws) -> None:
    one_instance(fake, [flow("main", document(fn("crm")))])
    fake.on("lambda:GetFunctionConfiguration", denied)
    snapshot = run(fake).snapshot
    assert snapshot.functions == []
    assert [(e.operation, e.resource) for e in snapshot.errors] == [
        ("GetFunctionConfiguration", fn("crm"))
    ]


def test_provisioned_concurrency_is_read_per_qualifier(fake: FakeAws) -> None:
    one_instance(fake, [flow("main", document(fn("crm", "prod")))])
    fake.on("lambda:GetFunctionConfiguration", function_config("crm"))
    fake.on(
        "lambda:ListAliases", lambda r, p: {"Aliases": [{"Name": "prod", "FunctionVersion": "1"}]}
    )
    configs = [
        {
            "FunctionArn": fn("crm", q),
            "RequestedProvisionedConcurrentExecutions": 2,
            "AvailableProvisionedConcurrentExecutions": 2,
            "AllocatedProvisionedConcurrentExecutions": 2,
            "Status": "READY",
        }
        for q in ("prod", "old")
    ]
    fake.on(
        "lambda:ListProvisionedConcurrencyConfigs",
        lambda r, p: paged(
            configs,
            "ProvisionedConcurrencyConfigs",
            p,
            limit="MaxItems",
            token_in="Marker",
            token_out="NextMarker",
            default=50,
        ),
    )
    (crm,) = run(fake).snapshot.functions
    assert [
        (pc.qualifier, pc.allocated, pc.status) for pc in crm.provisioned_concurrency or []
    ] == [
        ("old", 2, "READY"),
        ("prod", 2, "READY"),
    ]
    assert [
        c.params["MaxItems"] for c in fake.called("lambda:ListProvisionedConcurrencyConfigs")
    ] == [50]


def test_provisioned_concurrency_is_listed_only_for_required_versions_and_aliases(
    fake: FakeAws,
) -> None:
    # crm is required at $LATEST and only targeted at version 7; billing is required at $LATEST
    # and at its alias live.
    one_instance(fake, [flow("main", document(fn("crm"), fn("billing"), fn("billing", "live")))])
    fake.on(
        "events:ListRules",
        lambda r, p: {
            "Rules": [
                {
                    "Name": "warm",
                    "Arn": f"arn:aws:events:{r}:{ACCOUNT}:rule/warm",
                    "ScheduleExpression": "rate(5 minutes)",
                }
            ]
        },
    )
    fake.on(
        "events:ListTargetsByRule", lambda r, p: {"Targets": [{"Id": "1", "Arn": fn("crm", "7")}]}
    )
    fake.on(
        "lambda:GetFunctionConfiguration",
        lambda r, p: function_config(p["FunctionName"])(r, p),
    )
    fake.on(
        "lambda:ListAliases", lambda r, p: {"Aliases": [{"Name": "live", "FunctionVersion": "1"}]}
    )

    functions = {f.name: f for f in run(fake).snapshot.functions}

    assert [
        c.params["FunctionName"] for c in fake.called("lambda:ListProvisionedConcurrencyConfigs")
    ] == ["billing"]
    assert functions["billing"].provisioned_concurrency == []  # listed: none
    assert functions["crm"].provisioned_concurrency == []  # $LATEST, where there can be none
    # Policies: every qualifier in use, the targeted version 7 included.
    assert sorted(
        (c.params["FunctionName"], c.params.get("Qualifier", "$LATEST"))
        for c in fake.called("lambda:GetPolicy")
    ) == [("billing", "$LATEST"), ("billing", "live"), ("crm", "$LATEST"), ("crm", "7")]


def test_provisioned_concurrency_is_not_read_when_the_policy_does_not_accept_it(
    fake: FakeAws,
) -> None:
    one_instance(fake, [flow("main", document(fn("crm")))])
    fake.on("lambda:GetFunctionConfiguration", function_config("crm"))
    policy = {"version": 1, "warm": {"accept": ["eventbridge_rule", "scheduler_schedule"]}}
    (crm,) = run(fake, policy).snapshot.functions
    assert crm.provisioned_concurrency is None
    assert fake.called("lambda:ListProvisionedConcurrencyConfigs") == []


def test_a_function_excluded_by_an_override_is_not_read(fake: FakeAws) -> None:
    one_instance(fake, [flow("main", document(fn("legacy-ivr", region=WEST)))])
    policy = {"version": 1, "overrides": [{"function": "legacy-*", "required": False}]}
    snapshot = run(fake, policy).snapshot
    assert snapshot.functions == []
    assert {c.region for c in fake.calls} == {EAST}


# --- regions ---------------------------------------------------------------------------------


def test_a_function_in_another_region_is_read_there_with_its_warmers(fake: FakeAws) -> None:
    one_instance(fake, [flow("main", document(fn("crm", region=WEST)))])
    fake.on("lambda:GetFunctionConfiguration", function_config("crm"))
    rule_arn = f"arn:aws:events:{WEST}:{ACCOUNT}:rule/warm-crm"

    def rules(region: str, params: dict[str, Any]) -> dict[str, Any]:
        if region != WEST:
            return {"Rules": []}
        return {
            "Rules": [
                {
                    "Name": "warm-crm",
                    "Arn": rule_arn,
                    "ScheduleExpression": "rate(5 minutes)",
                    "State": "ENABLED",
                    "EventBusName": "default",
                },
                {"Name": "on-event", "Arn": rule_arn + "-e", "EventPattern": "{}"},
            ]
        }

    fake.on("events:ListRules", rules)
    fake.on(
        "events:ListTargetsByRule",
        lambda r, p: {"Targets": [{"Id": "t", "Arn": fn("crm", region=WEST), "Input": "{}"}]},
    )
    snapshot = run(fake, {"version": 1, "scope": {"regions": [EAST]}}).snapshot

    for operation in ("events:ListRules", "scheduler:ListSchedules"):
        assert {c.region for c in fake.called(operation)} == {EAST, WEST}
    assert {c.region for c in fake.calls if c.operation.startswith("lambda:")} == {WEST}
    assert {c.region for c in fake.calls if c.operation.startswith("connect:")} == {EAST}
    assert [c.params["Rule"] for c in fake.called("events:ListTargetsByRule")] == ["warm-crm"]
    (rule,) = snapshot.rules
    assert (rule.region, rule.name, rule.schedule_expression) == (
        WEST,
        "warm-crm",
        "rate(5 minutes)",
    )
    assert rule.targets is not None
    assert rule.targets[0].arn == fn("crm", region=WEST)
    (crm,) = snapshot.functions
    assert (crm.region, crm.arn) == (WEST, fn("crm", region=WEST))
    assert snapshot.regions == [EAST, WEST]


def test_regions_come_from_the_argument_then_the_policy_then_the_session(fake: FakeAws) -> None:
    run(fake, {"version": 1, "scope": {"regions": [WEST]}}, regions=["eu-west-1"])
    assert {c.region for c in fake.called("connect:ListInstances")} == {"eu-west-1"}
    fake.calls.clear()
    run(fake, {"version": 1, "scope": {"regions": [WEST]}})
    assert {c.region for c in fake.called("connect:ListInstances")} == {WEST}
    fake.calls.clear()
    run(fake)
    assert {c.region for c in fake.called("connect:ListInstances")} == {EAST}


def test_no_region_anywhere_is_a_failure_not_a_crash(
    fake: FakeAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    snapshot = run(fake).snapshot
    (failure,) = snapshot.errors
    assert failure.code == "NoRegion"
    assert "--region" in failure.message
    assert fake.calls == []


# --- Scheduler and IAM -----------------------------------------------------------------------


def _schedule_summary(name: str, target: str, group: str = "default") -> dict[str, Any]:
    return {
        "Name": name,
        "GroupName": group,
        "Arn": f"arn:aws:scheduler:{EAST}:{ACCOUNT}:schedule/{group}/{name}",
        "State": "ENABLED",
        "Target": {"Arn": target},
    }


def test_get_schedule_is_called_for_lambda_targets_only(fake: FakeAws) -> None:
    one_instance(fake, [flow("main", document(fn("crm", "prod"), fn("billing")))])
    fake.on("lambda:GetFunctionConfiguration", function_config("crm"))
    fake.on(
        "lambda:ListAliases", lambda r, p: {"Aliases": [{"Name": "prod", "FunctionVersion": "1"}]}
    )
    fake.on(
        "scheduler:ListSchedules",
        lambda r, p: {
            "Schedules": [
                _schedule_summary("universal", UNIVERSAL, group="warmers"),
                _schedule_summary("templated", fn("billing")),
                _schedule_summary("queue", f"arn:aws:sqs:{EAST}:{ACCOUNT}:jobs"),
                _schedule_summary("pipeline", "arn:aws:scheduler:::aws-sdk:sfn:startExecution"),
            ]
        },
    )
    details = {
        "universal": {
            "Arn": UNIVERSAL,
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/service-role/warmer",
            "Input": json.dumps({"FunctionName": "crm", "Qualifier": "prod", "Payload": "{}"}),
        },
        "templated": {
            "Arn": fn("billing"),
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/warmer",
            "Input": "{}",
        },
    }
    fake.on(
        "scheduler:GetSchedule",
        lambda r, p: {
            "Name": p["Name"],
            "GroupName": p["GroupName"],
            "Arn": f"arn:aws:scheduler:{r}:{ACCOUNT}:schedule/{p['GroupName']}/{p['Name']}",
            "ScheduleExpression": "rate(5 minutes)",
            "ScheduleExpressionTimezone": "Europe/Berlin",
            "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 4},
            "StartDate": datetime(2026, 1, 1, tzinfo=UTC),
            "State": "ENABLED",
            "Target": details[p["Name"]],
        },
    )
    fake.on("iam:ListRolePolicies", lambda r, p: {"PolicyNames": [], "IsTruncated": False})
    fake.on(
        "iam:ListAttachedRolePolicies", lambda r, p: {"AttachedPolicies": [], "IsTruncated": False}
    )
    snapshot = run(fake).snapshot

    assert sorted(
        (c.params["Name"], c.params["GroupName"]) for c in fake.called("scheduler:GetSchedule")
    ) == [
        ("templated", "default"),
        ("universal", "warmers"),
    ]
    schedules = {s.name: s for s in snapshot.schedules}
    assert set(schedules) == {"templated", "universal"}
    universal = schedules["universal"]
    assert (universal.group, universal.timezone, universal.flexible_window_minutes) == (
        "warmers",
        "Europe/Berlin",
        4,
    )
    assert universal.start_date == datetime(2026, 1, 1, tzinfo=UTC)
    assert universal.target.role_arn == f"arn:aws:iam::{ACCOUNT}:role/service-role/warmer"
    # The universal target's function (crm:prod) is read like a templated one.
    assert {f.name for f in snapshot.functions} == {"billing", "crm"}
    # Both roles belong to schedules that target a required (function, qualifier).
    assert sorted(c.params["RoleName"] for c in fake.called("iam:ListRolePolicies")) == [
        "warmer",
        "warmer",
    ]
    assert [r.arn.rsplit(":", 1)[1] for r in snapshot.roles] == [
        "role/service-role/warmer",
        "role/warmer",
    ]


def test_a_failed_get_schedule_is_a_failure_and_the_schedule_is_left_out(fake: FakeAws) -> None:
    fake.on(
        "scheduler:ListSchedules", lambda r, p: {"Schedules": [_schedule_summary("s", UNIVERSAL)]}
    )
    fake.on("scheduler:GetSchedule", denied)
    snapshot = run(fake).snapshot
    assert snapshot.schedules == []
    assert [(e.operation, e.resource) for e in snapshot.errors] == [
        ("GetSchedule", f"arn:aws:scheduler:{EAST}:{ACCOUNT}:schedule/default/s")
    ]


def test_role_policies_are_decoded_and_a_shared_managed_policy_read_once(fake: FakeAws) -> None:
    one_instance(fake, [flow("main", document(fn("a"), fn("b")))])
    fake.on("lambda:GetFunctionConfiguration", function_config("x"))
    fake.on(
        "scheduler:ListSchedules",
        lambda r, p: {
            "Schedules": [
                _schedule_summary("sa", fn("a")),
                _schedule_summary("sb", fn("b")),
                _schedule_summary("sc", fn("a")),
            ]
        },
    )
    roles = {"sa": "role-a", "sb": "role-b", "sc": "gone"}
    fake.on(
        "scheduler:GetSchedule",
        lambda r, p: {
            "Name": p["Name"],
            "GroupName": "default",
            "Arn": f"arn:aws:scheduler:{r}:{ACCOUNT}:schedule/default/{p['Name']}",
            "ScheduleExpression": "rate(5 minutes)",
            "State": "ENABLED",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": fn("a" if p["Name"] != "sb" else "b"),
                "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/{roles[p['Name']]}",
            },
        },
    )
    statement = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}
    inline = {"Version": "2012-10-17", "Statement": [statement]}

    def list_role_policies(region: str, params: dict[str, Any]) -> dict[str, Any]:
        if params["RoleName"] == "gone":
            raise AwsError("NoSuchEntity", 404)
        return {
            "PolicyNames": ["invoke"] if params["RoleName"] == "role-a" else [],
            "IsTruncated": False,
        }

    fake.on("iam:ListRolePolicies", list_role_policies)
    # IAM sends documents URL-encoded; botocore decodes most, the collector the rest.
    fake.on(
        "iam:GetRolePolicy",
        lambda r, p: {
            "RoleName": p["RoleName"],
            "PolicyName": p["PolicyName"],
            "PolicyDocument": quote(json.dumps(inline)),
        },
    )
    managed_arn = f"arn:aws:iam::{ACCOUNT}:policy/warm-invoke"
    fake.on(
        "iam:ListAttachedRolePolicies",
        lambda r, p: {
            "AttachedPolicies": [{"PolicyName": "warm-invoke", "PolicyArn": managed_arn}],
            "IsTruncated": False,
        },
    )
    fake.on(
        "iam:GetPolicy",
        lambda r, p: {
            "Policy": {"PolicyName": "warm-invoke", "Arn": managed_arn, "DefaultVersionId": "v3"}
        },
    )
    fake.on(
        "iam:GetPolicyVersion",
        lambda r, p: {
            "PolicyVersion": {
                "VersionId": p["VersionId"],
                "IsDefaultVersion": True,
                "Document": quote(json.dumps(inline)),
            }
        },
    )
    snapshot = run(fake).snapshot

    roles_by_name = {r.arn.rsplit("/", 1)[1]: r for r in snapshot.roles}
    assert roles_by_name["gone"].exists is False
    assert roles_by_name["gone"].policies is None
    role_a = roles_by_name["role-a"]
    assert [(p.kind, p.name, p.arn) for p in role_a.policies or []] == [
        ("inline", "invoke", None),
        ("managed", "warm-invoke", managed_arn),
    ]
    assert all(json.loads(p.document) == inline for p in role_a.policies or [])
    assert [p.kind for p in roles_by_name["role-b"].policies or []] == ["managed"]
    assert len(fake.called("iam:GetPolicy")) == 1
    assert [c.params["VersionId"] for c in fake.called("iam:GetPolicyVersion")] == ["v3"]
    assert snapshot.errors == []


# --- instances and hours ---------------------------------------------------------------------


def test_one_instance_named_by_id_is_described_not_listed(fake: FakeAws) -> None:
    fake.on("connect:DescribeInstance", lambda r, p: {"Instance": instance_summary()})
    snapshot = run(fake, {"version": 1, "scope": {"instances": [INSTANCE_ID]}}).snapshot
    assert [c.params["InstanceId"] for c in fake.called("connect:DescribeInstance")] == [
        INSTANCE_ID
    ]
    assert fake.called("connect:ListInstances") == []
    assert [i.arn for i in snapshot.instances] == [INSTANCE_ARN]


def test_instances_are_filtered_by_alias_and_inactive_ones_skipped(fake: FakeAws) -> None:
    summaries = [
        instance_summary(),
        instance_summary("22222222-2222-3333-4444-555555555555", "sales"),
        {
            **instance_summary("33333333-2222-3333-4444-555555555555", "support-new"),
            "InstanceStatus": "CREATION_IN_PROGRESS",
        },
    ]
    fake.on("connect:ListInstances", lambda r, p: {"InstanceSummaryList": summaries})
    snapshot = run(fake, {"version": 1, "scope": {"instances": ["support*"]}}).snapshot
    assert [i.alias for i in snapshot.instances] == ["support"]
    assert {c.params["InstanceId"] for c in fake.called("connect:SearchContactFlows")} == {
        INSTANCE_ID
    }


def test_a_named_instance_that_is_nowhere_is_a_failure(fake: FakeAws) -> None:
    fake.on("connect:DescribeInstance", not_found)
    snapshot = run(
        fake, {"version": 1, "scope": {"regions": [EAST, WEST], "instances": [INSTANCE_ID]}}
    ).snapshot
    assert snapshot.instances == []
    assert {c.region for c in fake.called("connect:DescribeInstance")} == {EAST, WEST}
    (failure,) = snapshot.errors
    assert (failure.code, failure.resource) == ("InstanceNotFound", INSTANCE_ID)


def _hours_world(fake: FakeAws) -> None:
    one_instance(fake, [])
    hours_arn = f"{INSTANCE_ARN}/operating-hours/h1"
    fake.on(
        "connect:ListHoursOfOperations",
        lambda r, p: {
            "HoursOfOperationSummaryList": [
                {"Id": "h1", "Arn": hours_arn, "Name": "Support"},
                {"Id": "h2", "Arn": hours_arn[:-1] + "2", "Name": "Sales"},
            ]
        },
    )
    fake.on(
        "connect:DescribeHoursOfOperation",
        lambda r, p: {
            "HoursOfOperation": {
                "HoursOfOperationId": "h1",
                "HoursOfOperationArn": hours_arn,
                "Name": "Support",
                "TimeZone": "Europe/Berlin",
                "Config": [
                    {
                        "Day": "MONDAY",
                        "StartTime": {"Hours": 8, "Minutes": 0},
                        "EndTime": {"Hours": 18, "Minutes": 30},
                    },
                ],
            }
        },
    )
    fake.on(
        "connect:ListHoursOfOperationOverrides",
        lambda r, p: {
            "HoursOfOperationOverrideList": [
                {
                    "HoursOfOperationOverrideId": "o1",
                    "Name": "Christmas",
                    "OverrideType": "CLOSED",
                    "EffectiveFrom": "2026-12-24",
                    "EffectiveTill": "2026-12-26",
                    "Config": [
                        {
                            "Day": "THURSDAY",
                            "StartTime": {"Hours": 0, "Minutes": 0},
                            "EndTime": {"Hours": 23, "Minutes": 59},
                        },
                    ],
                }
            ]
        },
    )
    fake.on(
        "connect:GetEffectiveHoursOfOperations",
        lambda r, p: {
            "TimeZone": "Europe/Berlin",
            "EffectiveHoursOfOperationList": [
                {
                    "Date": "2026-11-02",
                    "OperationalHours": [
                        {"Start": {"Hours": 8, "Minutes": 0}, "End": {"Hours": 18, "Minutes": 30}},
                        {"Start": {"Hours": 22, "Minutes": 0}, "End": {"Hours": 2, "Minutes": 0}},
                    ],
                },
                {"Date": "2026-11-03", "OperationalHours": []},
            ],
        },
    )


def test_hours_are_read_only_when_a_window_names_them(fake: FakeAws) -> None:
    _hours_world(fake)
    policy = {
        "version": 1,
        "overrides": [{"function": "crm-*", "window": {"hours_of_operation": "Support"}}],
    }
    (instance,) = run(fake, policy).snapshot.instances

    assert [c.params["MaxResults"] for c in fake.called("connect:ListHoursOfOperations")] == [1000]
    assert [
        c.params["HoursOfOperationId"] for c in fake.called("connect:DescribeHoursOfOperation")
    ] == ["h1"]
    (effective_call,) = fake.called("connect:GetEffectiveHoursOfOperations")
    assert (effective_call.params["FromDate"], effective_call.params["ToDate"]) == (
        "2026-11-01",
        "2027-11-03",
    )
    (hours,) = instance.hours_of_operation or []
    assert (hours.name, hours.time_zone) == ("Support", "Europe/Berlin")
    assert hours.config[0].day == "MONDAY"
    assert hours.config[0].end.minutes == 30
    (override,) = hours.overrides or []
    assert (override.name, override.type, override.effective_from) == (
        "Christmas",
        "CLOSED",
        date(2026, 12, 24),
    )
    first, second = hours.effective or []
    assert [(i.start.hour, i.end.isoformat()) for i in first.hours] == [
        (8, "2026-11-02T18:30:00"),
        (22, "2026-11-03T00:00:00"),
    ]
    assert second.hours == []


def test_hours_are_not_read_when_no_window_names_them(fake: FakeAws) -> None:
    _hours_world(fake)
    (instance,) = run(fake).snapshot.instances
    assert instance.hours_of_operation is None
    assert not {op for op in fake.operations() if "Hours" in op}


def test_a_failed_hours_describe_leaves_the_instances_hours_unread(fake: FakeAws) -> None:
    _hours_world(fake)
    fake.on("connect:DescribeHoursOfOperation", denied)
    policy = {"version": 1, "warm": {"window": {"hours_of_operation": "h1"}}}
    snapshot = run(fake, policy).snapshot
    assert snapshot.instances[0].hours_of_operation is None
    assert [e.operation for e in snapshot.errors] == ["DescribeHoursOfOperation"]


# --- the whole -------------------------------------------------------------------------------


def _busy_world(fake: FakeAws) -> None:
    flows = [flow(f"flow-{i}", document(fn(f"fn-{i % 7}"), fn("crm", "prod"))) for i in range(40)]
    one_instance(fake, flows)
    fake.on("lambda:GetFunctionConfiguration", function_config("x"))
    fake.on(
        "lambda:ListAliases", lambda r, p: {"Aliases": [{"Name": "prod", "FunctionVersion": "2"}]}
    )
    fake.on(
        "events:ListRules",
        lambda r, p: {
            "Rules": [
                {
                    "Name": f"warm-{i}",
                    "Arn": f"arn:aws:events:{r}:{ACCOUNT}:rule/warm-{i}",
                    "ScheduleExpression": "rate(5 minutes)",
                }
                for i in range(7)
            ]
        },
    )
    fake.on(
        "events:ListTargetsByRule",
        lambda r, p: {"Targets": [{"Id": "1", "Arn": fn(f"fn-{p['Rule'][-1]}")}]},
    )


# --- overlap ---------------------------------------------------------------------------------

WAIT = 10.0  # seconds a canned answer waits for another call before the test fails


def _after(event: threading.Event, why: str, answer: Answer) -> Answer:
    """`answer`, given only once `event` is set: proves another call did not wait for this."""

    def waiting(region: str, params: dict[str, Any]) -> dict[str, Any]:
        assert event.wait(WAIT), why
        return answer(region, params)

    return waiting


def _setting(event: threading.Event, answer: Answer) -> Answer:
    def setting(region: str, params: dict[str, Any]) -> dict[str, Any]:
        event.set()
        return answer(region, params)

    return setting


def test_warmers_overlap_connect_and_lambda_does_not_wait_for_associations(
    fake: FakeAws,
) -> None:
    rules_listed, schedules_listed, function_read = (threading.Event() for _ in range(3))
    one_instance(fake, [])
    fake.on(
        "connect:SearchContactFlows",
        _after(
            schedules_listed,
            "Scheduler waited for Connect",
            _after(
                rules_listed,
                "EventBridge waited for Connect",
                lambda r, p: {"ContactFlows": [flow("main", document(fn("crm")))]},
            ),
        ),
    )
    fake.on("events:ListRules", _setting(rules_listed, lambda r, p: {"Rules": []}))
    fake.on("scheduler:ListSchedules", _setting(schedules_listed, lambda r, p: {"Schedules": []}))
    fake.on(
        "connect:ListLambdaFunctions",
        _after(
            function_read,
            "Lambda waited for ListLambdaFunctions",
            lambda r, p: {"LambdaFunctions": [fn("crm")]},
        ),
    )
    fake.on("lambda:GetFunctionConfiguration", _setting(function_read, function_config("crm")))

    snapshot = run(fake).snapshot

    assert snapshot.errors == []
    assert snapshot.instances[0].lambda_functions == [fn("crm")]
    assert [f.arn for f in snapshot.functions] == [fn("crm")]


def test_a_functions_reads_fan_out_once_its_configuration_is_in(fake: FakeAws) -> None:
    one_instance(fake, [flow("main", document(fn("crm", "prod"), fn("crm", "4")))])
    policy_asked, aliases_listed = threading.Event(), threading.Event()
    configuration = function_config("crm")

    def versions(region: str, params: dict[str, Any]) -> dict[str, Any]:
        if "Qualifier" in params:  # version 4, or 7 that prod runs: after the unqualified one
            assert policy_asked.wait(WAIT), "a version read waited for the policies"
        return configuration(region, params)

    fake.on("lambda:GetFunctionConfiguration", versions)
    fake.on(
        "lambda:ListAliases",
        _setting(
            aliases_listed, lambda r, p: {"Aliases": [{"Name": "prod", "FunctionVersion": "7"}]}
        ),
    )
    # Each policy answers only once ListAliases did: they run side by side, not in turn.
    fake.on(
        "lambda:GetPolicy",
        _setting(policy_asked, _after(aliases_listed, "a policy read waited", not_found)),
    )
    fake.on(
        "lambda:ListProvisionedConcurrencyConfigs",
        _after(policy_asked, "provisioned concurrency waited for the policies", paged_configs([])),
    )

    (crm,) = run(fake).snapshot.functions

    assert crm.versions == [
        FunctionVersion(version="4", timeout=3),
        FunctionVersion(version="7", timeout=3),
    ]
    assert [p.qualifier for p in crm.policies] == ["4", "prod"]
    assert crm.provisioned_concurrency == []
    assert sorted(
        c.params.get("Qualifier", "-") for c in fake.called("lambda:GetFunctionConfiguration")
    ) == ["-", "4", "7"]


def paged_configs(configs: list[dict[str, Any]]) -> Answer:
    return lambda r, p: {"ProvisionedConcurrencyConfigs": configs}


def test_the_snapshot_is_deterministic_whatever_the_thread_interleaving(fake: FakeAws) -> None:
    _busy_world(fake)
    first = run(fake, max_workers=8)
    second = run(fake, max_workers=1)
    assert first.snapshot.to_json() == second.snapshot.to_json()
    assert first.snapshot == second.snapshot
    assert first.calls == second.calls
    assert first.snapshot.collected_at == NOW


def test_calls_are_counted_per_operation(fake: FakeAws) -> None:
    _busy_world(fake)
    collection = run(fake)
    counted: dict[str, int] = {}
    for call in fake.calls:
        counted[call.operation] = counted.get(call.operation, 0) + 1
    assert collection.calls == dict(sorted(counted.items()))
    assert collection.calls["events:ListTargetsByRule"] == 7
    # fn-0..fn-6 and crm: one configuration each, plus crm's version 2.
    assert collection.calls["lambda:GetFunctionConfiguration"] == 9


def test_progress_is_reported_as_work_proceeds(fake: FakeAws) -> None:
    _busy_world(fake)
    seen: list[tuple[str, str, int]] = []
    run(fake, progress=lambda service, step, count: seen.append((service, step, count)))
    assert ("sts", "account", 1) in seen
    assert ("connect", "flows", 40) in seen
    assert ("events", "rules", 7) in seen
    assert sum(count for service, step, count in seen if step == "functions") == 8


def test_a_read_only_violation_is_a_bug_that_escapes(
    fake: FakeAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        collect_base, "ALLOWED_OPERATIONS", collect_base.ALLOWED_OPERATIONS - {"events:ListRules"}
    )
    with pytest.raises(ReadOnlyViolation) as caught:
        run(fake)
    assert caught.value.operation == "events:ListRules"
    assert caught.value.exit_code == 4
    assert fake.called("events:ListRules") == []


def test_no_credentials_is_a_failure_that_says_what_to_do(
    offline_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    for name in (
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(name, raising=False)
    collection = collect(Policy.model_validate({"version": 1}), now=NOW)
    (failure,) = collection.snapshot.errors
    assert (failure.service, failure.operation, failure.code) == (
        "sts",
        "GetCallerIdentity",
        "NoCredentials",
    )
    assert failure.message == NO_CREDENTIALS_MESSAGE
    assert "warmcheck demo" in failure.message
    assert "make demo" not in failure.message  # works outside the repository too
    assert collection.snapshot.accounts == []
    assert collection.calls == {"sts:GetCallerIdentity": 1}


def test_an_unknown_profile_is_a_failure(offline_env: None) -> None:
    collection = collect(Policy.model_validate({"version": 1}), profile="no-such-profile", now=NOW)
    (failure,) = collection.snapshot.errors
    assert failure.code == "ProfileNotFound"
    assert isinstance(collection.snapshot, Snapshot)


# --- many functions in one region: ListFunctions instead of one read each --------------------


def _many(count: int) -> dict[str, Any]:
    return {
        "version": 1,
        "extra_functions": [fn(f"f{index:03d}") for index in range(count)],
        "warm": {"accept": ["eventbridge_rule"]},
    }


def _listed(names: list[str]) -> list[dict[str, Any]]:
    return [
        {"FunctionName": name, "FunctionArn": fn(name), "Version": "$LATEST", "Timeout": 7}
        for name in names
    ]


def test_many_functions_are_listed_fifty_a_page_instead_of_read_one_by_one(
    fake: FakeAws,
) -> None:
    listed = _listed([f"f{index:03d}" for index in range(60) if index != 7])  # f007 is gone
    listed += _listed([f"other{index}" for index in range(45)])  # not planned: listed anyway
    fake.on(
        "lambda:ListFunctions",
        lambda r, p: paged(
            listed, "Functions", p, limit="MaxItems", token_in="Marker", token_out="NextMarker"
        ),
    )
    fake.on("lambda:GetFunctionConfiguration", function_config("unexpected"))
    collection = run(fake, _many(60))

    assert len(fake.called("lambda:ListFunctions")) == 3  # 105 functions, 50 a page
    assert all(c.params["FunctionVersion"] == "ALL" for c in fake.called("lambda:ListFunctions"))
    assert fake.called("lambda:GetFunctionConfiguration") == []
    functions = {f.name: f for f in collection.snapshot.functions}
    assert functions["f007"].exists is False  # the whole listing was read: a fact
    assert functions["f001"].exists is True
    assert functions["f001"].timeout == 7
    assert collection.snapshot.errors == []
    assert collection.calls["lambda:ListFunctions"] == 3


def test_a_refused_listing_falls_back_to_one_read_each_and_is_no_gap(fake: FakeAws) -> None:
    fake.on("lambda:ListFunctions", denied)
    fake.on("lambda:GetFunctionConfiguration", function_config("f"))
    collection = run(fake, _many(50))
    assert len(fake.called("lambda:GetFunctionConfiguration")) == 50
    assert collection.snapshot.errors == []
    assert all(f.exists for f in collection.snapshot.functions)


def test_a_listing_stops_after_one_page_per_planned_function(fake: FakeAws) -> None:
    # 5,000 functions in the account, 50 planned (none of them listed early enough).
    listed = _listed([f"zz{index:04d}" for index in range(5000)])
    fake.on(
        "lambda:ListFunctions",
        lambda r, p: paged(
            listed, "Functions", p, limit="MaxItems", token_in="Marker", token_out="NextMarker"
        ),
    )
    fake.on("lambda:GetFunctionConfiguration", function_config("f"))
    collection = run(fake, _many(50))
    assert len(fake.called("lambda:ListFunctions")) == 50  # never more pages than functions
    # The listing stopped early, so an unlisted function is read, never assumed absent.
    assert len(fake.called("lambda:GetFunctionConfiguration")) == 50
    assert all(f.exists for f in collection.snapshot.functions)


def test_fewer_functions_than_a_page_are_read_one_by_one(fake: FakeAws) -> None:
    fake.on("lambda:GetFunctionConfiguration", function_config("f"))
    run(fake, _many(49))
    assert fake.called("lambda:ListFunctions") == []
    assert len(fake.called("lambda:GetFunctionConfiguration")) == 49
