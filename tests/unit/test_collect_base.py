"""checker.collect.base: the read-only guard, the IAM policy, rate limiting, error capture."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from checker.collect import (
    ALLOWED_OPERATIONS,
    ReadOnlyViolation,
    connect,
    events,
    iam,
    lambda_functions,
    organizations,
    scheduler,
)
from checker.collect.base import (
    BUCKET_MARGIN_SECONDS,
    CONNECT_BURST,
    CONNECT_RATE_PER_SECOND,
    LAMBDA_RATE_PER_SECOND,
    SERVICE_LIMITS,
    CallCounter,
    ClientFactory,
    Quota,
    RateLimiter,
    ServiceLimits,
    TokenBucket,
    discovery_iam_actions,
    iam_actions,
    required_iam_actions,
)
from checker.collect.iam import policy_document_text, role_name
from checker.errors import CheckerError

ROOT = Path(__file__).resolve().parents[2]
POLICY_FILE = ROOT / "policies" / "iam" / "warmcheck-readonly.json"
DISCOVERY_POLICY_FILE = ROOT / "policies" / "iam" / "warmcheck-discovery.json"
READ_VERBS = ("Get", "List", "Describe", "Search")
# Logs Insights starts and stops a read of log records: the only reads not named like one.
QUERY_OPERATIONS = frozenset({"logs:StartQuery", "logs:StopQuery"})

# Where the IAM policy needs more than the operation's own action: the Service Authorization
# Reference's dependent actions. Every other operation maps to the action of the same name.
EXPECTED_EXTRA_ACTIONS = {
    "connect:ListInstances": ("ds:DescribeDirectories",),
    "connect:DescribeInstance": ("ds:DescribeDirectories",),
    "connect:SearchContactFlows": ("connect:DescribeContactFlow",),
    "connect:SearchContactFlowModules": ("connect:DescribeContactFlowModule",),
}


@pytest.fixture
def factory(monkeypatch: pytest.MonkeyPatch) -> ClientFactory:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # An endpoint nothing listens on: should the guard fail, the test fails fast and offline.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    return ClientFactory.from_profile(None)


# --- the guard -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "call"),
    [
        (
            "lambda",
            lambda c: c.add_permission(
                FunctionName="f",
                StatementId="s",
                Action="lambda:InvokeFunction",
                Principal="events.amazonaws.com",
            ),
        ),
        ("events", lambda c: c.put_rule(Name="r", ScheduleExpression="rate(5 minutes)")),
        ("events", lambda c: c.describe_rule(Name="r")),
        ("connect", lambda c: c.associate_lambda_function(InstanceId="i", FunctionArn="a")),
        ("lambda", lambda c: c.invoke(FunctionName="f")),
        ("iam", lambda c: c.create_role(RoleName="r", AssumeRolePolicyDocument="{}")),
        ("scheduler", lambda c: c.delete_schedule(Name="s")),
    ],
)
def test_the_guard_refuses_anything_off_the_allow_list(
    factory: ClientFactory, service: str, call: Any
) -> None:
    factory.prepare(service, ["us-east-1"])
    with pytest.raises(ReadOnlyViolation) as caught:
        call(factory.client(service, "us-east-1"))
    assert isinstance(caught.value, CheckerError)
    assert caught.value.exit_code == 4
    assert "not on its read-only allow-list" in caught.value.message
    assert caught.value.operation.startswith(f"{service}:")
    # Refused before anything was sent or counted.
    assert factory.counter.counts() == {}


def test_allowed_calls_pass_the_guard_and_are_counted(factory: ClientFactory) -> None:
    factory.prepare("sts", ["us-east-1"])
    # Past the guard, the call goes to the (closed) endpoint and fails there, counted.
    with pytest.raises(Exception, match="Could not connect to the endpoint URL") as caught:
        factory.sts("us-east-1").get_caller_identity()
    assert not isinstance(caught.value, ReadOnlyViolation)
    assert factory.counter.counts() == {"sts:GetCallerIdentity": 1}


def test_every_allowed_operation_is_a_read_in_botocores_models(factory: ClientFactory) -> None:
    services = sorted({operation.split(":")[0] for operation in ALLOWED_OPERATIONS})
    for service in services:
        factory.prepare(service, ["us-east-1"])
    for operation in ALLOWED_OPERATIONS:
        service, name = operation.split(":")
        model = factory.client(service, "us-east-1").meta.service_model
        assert model.service_name == service
        assert name in model.operation_names, operation
        # AssumeRole changes nothing in AWS: it reaches a member account's read-only role.
        assert (
            name.startswith(READ_VERBS)
            or operation in QUERY_OPERATIONS
            or operation == "sts:AssumeRole"
        ), operation


@pytest.mark.parametrize(
    ("service", "operation", "member", "page"),
    [
        ("connect", "ListInstances", "MaxResults", connect.INSTANCES_PAGE),
        ("connect", "SearchContactFlows", "MaxResults", connect.SEARCH_PAGE),
        ("connect", "SearchContactFlowModules", "MaxResults", connect.SEARCH_PAGE),
        ("connect", "ListLambdaFunctions", "MaxResults", connect.ASSOCIATIONS_PAGE),
        ("connect", "ListHoursOfOperations", "MaxResults", connect.HOURS_PAGE),
        ("connect", "ListHoursOfOperationOverrides", "MaxResults", connect.OVERRIDES_PAGE),
        ("events", "ListRules", "Limit", events.PAGE),
        ("events", "ListTargetsByRule", "Limit", events.PAGE),
        ("scheduler", "ListSchedules", "MaxResults", scheduler.PAGE),
        ("lambda", "ListAliases", "MaxItems", lambda_functions.ALIASES_PAGE),
        (
            "lambda",
            "ListProvisionedConcurrencyConfigs",
            "MaxItems",
            lambda_functions.PROVISIONED_PAGE,
        ),
        ("iam", "ListRolePolicies", "MaxItems", iam.PAGE),
        ("iam", "ListAttachedRolePolicies", "MaxItems", iam.PAGE),
        ("organizations", "ListAccounts", "MaxResults", organizations.ACCOUNTS_PAGE),
        ("organizations", "ListAccountsForParent", "MaxResults", organizations.ACCOUNTS_PAGE),
    ],
)
def test_every_page_is_the_models_largest(
    factory: ClientFactory, service: str, operation: str, member: str, page: int
) -> None:
    factory.prepare(service, ["us-east-1"])
    model = factory.client(service, "us-east-1").meta.service_model
    shape = model.operation_model(operation).input_shape
    assert int(shape.members[member].metadata["max"]) == page


# --- the IAM policy ----------------------------------------------------------------------------


def test_the_iam_policy_grants_exactly_what_the_allow_list_needs() -> None:
    document = json.loads(POLICY_FILE.read_text(encoding="utf-8"))
    assert document["Version"] == "2012-10-17"
    granted: list[str] = []
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        assert set(statement) == {"Sid", "Effect", "Action", "Resource"}
        granted += statement["Action"]
    assert len(granted) == len(set(granted)), "an action is granted twice"
    assert set(granted) == required_iam_actions()
    assert not any("*" in action for action in granted)
    assert all(
        action.split(":")[1].startswith(READ_VERBS) or action in QUERY_OPERATIONS
        for action in granted
    )


def test_the_discovery_policy_grants_exactly_discovery_and_assume_role() -> None:
    document = json.loads(DISCOVERY_POLICY_FILE.read_text(encoding="utf-8"))
    assert document["Version"] == "2012-10-17"
    granted: list[str] = []
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        granted += statement["Action"]
    assert len(granted) == len(set(granted)), "an action is granted twice"
    assert set(granted) == discovery_iam_actions()
    assert discovery_iam_actions() == {
        "organizations:ListAccounts",
        "organizations:ListRoots",
        "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListAccountsForParent",
        "organizations:ListTagsForResource",
        "sts:AssumeRole",
    }
    # The member policy grants none of them: discovery happens in the management account only.
    assert not discovery_iam_actions() & required_iam_actions()
    assume = [s for s in document["Statement"] if "sts:AssumeRole" in s["Action"]]
    assert [s["Resource"] for s in assume] == [["arn:aws:iam::*:role/warmcheck-readonly"]]


def test_operations_map_to_iam_actions_of_the_same_name_plus_documented_dependencies() -> None:
    for operation in ALLOWED_OPERATIONS:
        assert iam_actions(operation) == (operation, *EXPECTED_EXTRA_ACTIONS.get(operation, ()))
    # The IAM names of the two Lambda reads people get wrong equal their API names.
    assert iam_actions("lambda:GetFunctionConfiguration") == ("lambda:GetFunctionConfiguration",)
    assert iam_actions("lambda:ListProvisionedConcurrencyConfigs") == (
        "lambda:ListProvisionedConcurrencyConfigs",
    )
    with pytest.raises(KeyError):
        iam_actions("lambda:AddPermission")


# --- rate limiting -----------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_connect_is_limited_to_its_documented_quota() -> None:
    assert (CONNECT_RATE_PER_SECOND, CONNECT_BURST) == (2.0, 5)


def test_the_bucket_allows_a_burst_then_paces_at_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2.0, 5, margin=0.0, clock=clock, sleep=clock.sleep)
    waits = [bucket.acquire() for _ in range(8)]
    assert waits[:5] == [0.0] * 5
    assert waits[5:] == pytest.approx([0.5, 0.5, 0.5])
    clock.now += 10  # idle: the bucket refills, but never beyond the burst
    assert [bucket.acquire() for _ in range(6)] == pytest.approx([0, 0, 0, 0, 0, 0.5])


def test_a_wait_gets_a_margin_that_shifts_requests_without_spreading_them() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2.0, 5, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(9):
        bucket.acquire()
        sent.append(clock.now)
    assert sent[:5] == [100.0] * 5  # the burst never waits, so it gets no margin
    assert sent[5] == pytest.approx(100.5 + BUCKET_MARGIN_SECONDS)
    # Later requests keep the rate's spacing: the margin is paid once, not per request.
    assert [b - a for a, b in pairwise(sent[5:])] == pytest.approx([0.5] * 3)


class ServerBucket:
    """The server's side of an equal quota: a request without a token is throttled."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, float(burst), now

    def admits(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@pytest.mark.parametrize(("margin", "throttled"), [(0.0, True), (BUCKET_MARGIN_SECONDS, False)])
def test_a_client_bucket_equal_to_the_servers_never_lands_a_request_early(
    margin: float, throttled: bool
) -> None:
    # Connect's quota on both sides, pages read one after another. The first request takes
    # 30 ms longer to arrive (its connection opens), so the server's first token comes back
    # 30 ms after the client's.
    clock = FakeClock()
    client = TokenBucket(2.0, 5, margin=margin, clock=clock, sleep=clock.sleep)
    server = ServerBucket(2.0, 5, clock.now)
    refused = []
    for index in range(12):
        client.acquire()
        clock.now += 0.08 if index == 0 else 0.05  # it arrives; the answer is immediate
        if not server.admits(clock.now):
            refused.append(index)
    assert bool(refused) is throttled
    if throttled:
        assert refused[0] == 5  # the first request past the burst: ListLambdaFunctions' page 6


def test_the_limiter_keeps_one_bucket_per_region_and_connect_api() -> None:
    clock = FakeClock()
    limiter = RateLimiter(
        {"connect": ServiceLimits(Quota(1.0, 1))}, margin=0.0, clock=clock, sleep=clock.sleep
    )
    assert limiter.acquire("connect", "us-east-1", "SearchContactFlows") == 0
    assert limiter.acquire("connect", "us-west-2", "SearchContactFlows") == 0
    assert limiter.acquire("connect", "us-east-1", "ListLambdaFunctions") == 0
    assert limiter.acquire("connect", "us-east-1", "SearchContactFlows") == pytest.approx(1.0)
    assert limiter.acquire("events", "us-east-1", "ListRules") == 0  # no limits: no bucket


def test_lambda_shares_one_control_plane_bucket_and_get_policy_has_its_own() -> None:
    clock = FakeClock()
    limiter = RateLimiter(SERVICE_LIMITS, margin=0.0, clock=clock, sleep=clock.sleep)
    control = ["GetFunctionConfiguration", "ListAliases", "ListProvisionedConcurrencyConfigs"]
    # The burst of 2 goes to the first two control-plane calls, whatever their API ...
    assert [limiter.acquire("lambda", "us-east-1", op) for op in control] == pytest.approx(
        [0, 0, 1 / LAMBDA_RATE_PER_SECOND]
    )
    # ... while GetPolicy and another region draw from buckets of their own.
    assert limiter.acquire("lambda", "us-east-1", "GetPolicy") == 0
    assert limiter.acquire("lambda", "us-west-2", "ListAliases") == 0


def test_lambda_stays_well_under_its_documented_quotas() -> None:
    # Lambda quotas: GetPolicy 15 req/s; every other control-plane API but GetFunction, 15 req/s
    # together. Even the first second (burst + rate) stays below 15.
    for quota in (SERVICE_LIMITS["lambda"].default, *SERVICE_LIMITS["lambda"].operations.values()):
        assert quota.rate + quota.burst <= 15 * 0.8
    assert not SERVICE_LIMITS["lambda"].per_operation
    assert set(SERVICE_LIMITS["lambda"].operations) == {"GetPolicy"}


def test_the_bucket_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(0, 5)
    with pytest.raises(ValueError, match="margin"):
        TokenBucket(1, 1, margin=-0.1)


def test_the_call_counter_sorts_by_operation() -> None:
    counter = CallCounter()
    for operation in ("lambda:GetPolicy", "connect:ListInstances", "lambda:GetPolicy"):
        counter.record(operation)
    assert list(counter.counts().items()) == [("connect:ListInstances", 1), ("lambda:GetPolicy", 2)]


# --- IAM documents -----------------------------------------------------------------------------


def test_policy_documents_are_decoded_to_canonical_json() -> None:
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}
    expected = json.dumps(document, sort_keys=True, separators=(",", ":"))
    encoded = (
        "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B%22Effect%22"
        "%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22%2A%22%7D%5D%7D"
    )
    assert policy_document_text(encoded) == expected
    assert policy_document_text(json.dumps(document)) == expected
    assert policy_document_text(document) == expected
    assert policy_document_text("%not json") == "%not json"


def test_role_names_drop_the_path() -> None:
    assert role_name("arn:aws:iam::123456789012:role/service-role/warmer") == "warmer"
    assert role_name("arn:aws:iam::123456789012:role/warmer") == "warmer"
