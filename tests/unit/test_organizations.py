"""Organizations without AWS: policy keys, filters, denial kinds, shards, merge, the IAM files."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.collect.base import AwsAccess, ClientFactory, required_iam_actions
from checker.collect.organizations import (
    ListedAccount,
    assume,
    denial_kind,
    filter_outcome,
    in_shard,
    matches,
    parse_shard,
    shard_of,
)
from checker.collect.shard import ShardFile, combine_functions, merge
from checker.engine import evaluate
from checker.errors import PolicyError, SnapshotError
from checker.load.policy import load_policy
from checker.model.policy import Organization
from checker.model.snapshot import (
    AccountOutcome,
    FunctionPolicy,
    LambdaFunction,
    OrganizationScan,
    Shard,
    Snapshot,
)
from tests.scenario import ACCOUNT as SCENARIO_ACCOUNT
from tests.scenario import NOW as SCENARIO_NOW
from tests.scenario import REGION, default_policy, healthy
from tests.unit.test_collect import EAST, AwsError, FakeAws, fake, offline_env
from tests.unit.test_flow_reach import REF, invoking

__all__ = ["fake", "offline_env"]  # fixtures, used by name

ROOT = Path(__file__).resolve().parents[2]
STACKSET = ROOT / "policies" / "iam" / "warmcheck-member-role.stackset.yaml"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
ACCOUNTS = [f"{n:012d}" for n in range(100000000001, 100000000041)]


# --- the policy keys -----------------------------------------------------------------------------


def _policy(tmp_path: Path, scope: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(f"version: 1\nscope:\n{scope}", encoding="utf-8")
    return path


def test_the_organization_keys_load_with_their_defaults(tmp_path: Path) -> None:
    loaded = load_policy(_policy(tmp_path, "  organization:\n    exclude: [/Root/Sandbox/*]\n"))
    organization = loaded.policy.scope.organization
    assert organization is not None
    assert organization.role_for("222222222222") == (
        "arn:aws:iam::222222222222:role/warmcheck-readonly"
    )
    assert organization.include == ["*"]
    assert organization.session_name == "warmcheck"
    assert organization.external_id_env == "WARMCHECK_EXTERNAL_ID"


@pytest.mark.parametrize(
    ("scope", "says"),
    [
        ('  accounts: ["111111111111"]\n', "scope.organization.role"),
        ('  organization:\n    role: "arn:aws:iam::1:role/x"\n', "{account}"),
        ("  organization:\n    session_name: 'has space'\n", "session_name"),
        ('  organization: {}\n  accounts: ["12"]\n', "12-digit"),
        ('  organization: {}\n  accounts: ["111111111111", "111111111111"]\n', "twice"),
    ],
)
def test_bad_organization_keys_name_the_field(tmp_path: Path, scope: str, says: str) -> None:
    with pytest.raises(PolicyError) as raised:
        load_policy(_policy(tmp_path, scope))
    assert says in str(raised.value.message)
    assert "policy.yaml:" in raised.value.message


# --- filters -----------------------------------------------------------------------------------


PROD_WEB = ListedAccount(
    id="222222222222",
    name="prod-web",
    path="/Root/Prod/Web",
    parents=("r-ab12", "ou-ab12-11111111", "ou-ab12-22222222"),
)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*", True),
        ("222222222222", True),
        ("333333333333", False),
        ("prod-*", True),
        ("staging-*", False),
        ("ou-ab12-11111111", True),
        ("ou-ab12-99999999", False),
        ("r-ab12", True),
        ("/Root/Prod/*", True),
        ("/Root/Prod/Web", True),
        ("/Root/Prod", False),
        ("/Root/Staging/*", False),
    ],
)
def test_include_patterns_name_accounts_names_ous_and_paths(pattern: str, expected: bool) -> None:
    assert matches(pattern, PROD_WEB) is expected


def test_exclude_wins_then_state_decides() -> None:
    organization = Organization(include=["/Root/Prod/*"], exclude=["prod-web"])
    excluded = filter_outcome(organization, PROD_WEB)
    assert excluded is not None
    assert excluded.outcome == "excluded"
    assert "prod-web" in (excluded.reason or "")
    suspended = ListedAccount(id="444444444444", name="old", state="SUSPENDED", path="/Root")
    inactive = filter_outcome(Organization(), suspended)
    assert inactive is not None
    assert inactive.outcome == "inactive"
    assert filter_outcome(Organization(), PROD_WEB) is None
    outside = filter_outcome(Organization(include=["/Root/Staging/*"]), PROD_WEB)
    assert outside is not None
    assert outside.outcome == "excluded"


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (
            (
                "User: arn:aws:sts::1:assumed-role/ci is not authorized to perform: sts:AssumeRole "
                "on resource: arn:aws:iam::2:role/r with an explicit deny in a service control "
                "policy: arn:aws:organizations::1:policy/o-1/service_control_policy/p-1"
            ),
            "scp",
        ),
        (
            (
                "User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole on "
                "resource: arn:aws:iam::2:role/r because no identity-based policy allows the "
                "sts:AssumeRole action"
            ),
            "implicit",
        ),
        (
            (
                "User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole on "
                "resource: arn:aws:iam::2:role/r because no resource-based policy allows the "
                "sts:AssumeRole action"
            ),
            "trust",
        ),
        (
            (
                "User: u is not authorized to perform: sts:AssumeRole on resource: r with an "
                "explicit deny in an identity-based policy"
            ),
            "explicit",
        ),
        ("User: u is not authorized to perform: sts:AssumeRole on resource: r", None),
    ],
)
def test_the_kind_of_denial_is_read_from_the_message(message: str, kind: str | None) -> None:
    assert denial_kind(message) == kind


# --- shards ------------------------------------------------------------------------------------


def test_a_shard_split_is_stable_and_complete() -> None:
    for count in (1, 2, 3, 7):
        parts = [
            [a for a in ACCOUNTS if in_shard(a, Shard(index=i, count=count))]
            for i in range(1, count + 1)
        ]
        assert sorted(a for part in parts for a in part) == sorted(ACCOUNTS)
        # An account's shard depends on its ID and N only: others joining never move it.
        for account in ACCOUNTS:
            assert shard_of(account, count) == shard_of(account, count)
            assert in_shard(account, Shard(index=shard_of(account, count), count=count))
    assert len({shard_of(a, 4) for a in ACCOUNTS}) == 4  # 40 accounts reach every shard of 4
    # Pinned (sha256 of the ID, mod N): a changed split would move accounts between runners.
    pinned = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555"]
    assert [shard_of(a, 4) for a in pinned] == [4, 1, 1, 3, 1]


@pytest.mark.parametrize("text", ["0/3", "4/3", "1", "a/b", "1/0", "-1/2"])
def test_a_bad_shard_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"I/N|1 <= I <= N"):
        parse_shard(text)


def test_the_shard_flag_is_bad_input(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "checker", "collect", "--shard", "3/2", "--out", "x.json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "--shard" in result.stderr
    assert "Traceback" not in result.stderr


def _shard(index: int, count: int, listed: list[str]) -> Snapshot:
    mine = [a for a in listed if shard_of(a, count) == index]
    return Snapshot(
        collected_at=NOW,
        accounts=mine,
        organization=OrganizationScan(
            source="organizations",
            listed=listed,
            outcomes=[AccountOutcome(account=a, outcome="scanned") for a in mine],
            shards=[Shard(index=index, count=count)],
        ),
    )


def test_merge_joins_every_shard_once() -> None:
    listed = ACCOUNTS[:10]
    merged = merge([ShardFile(f"s{i}", _shard(i, 3, listed)) for i in (3, 1, 2)])
    assert merged.accounts == sorted(listed)
    assert merged.organization is not None
    assert merged.organization.shards == []
    assert [o.account for o in merged.organization.outcomes] == sorted(listed)


@pytest.mark.parametrize(
    ("indexes", "says"),
    [
        ((1, 2), "3/3 missing"),
        ((1, 2, 2, 3), "given twice"),
    ],
)
def test_merge_refuses_missing_and_repeated_shards(indexes: tuple[int, ...], says: str) -> None:
    listed = ACCOUNTS[:10]
    with pytest.raises(SnapshotError, match=says):
        merge([ShardFile(f"s{i}", _shard(i, 3, listed)) for i in indexes])


def test_merge_refuses_shards_of_different_splits_or_lists() -> None:
    listed = ACCOUNTS[:10]
    with pytest.raises(SnapshotError, match="split into"):
        merge([ShardFile("a", _shard(1, 2, listed)), ShardFile("b", _shard(2, 3, listed))])
    with pytest.raises(SnapshotError, match="account list differs"):
        merge([ShardFile("a", _shard(1, 2, listed)), ShardFile("b", _shard(2, 2, listed[:-1]))])
    with pytest.raises(SnapshotError, match="not a shard"):
        merge([ShardFile("a", Snapshot(collected_at=NOW))])


def test_two_reads_of_one_function_combine_in_any_order() -> None:
    arn = "arn:aws:lambda:us-east-1:222222222222:function:f"
    own = LambdaFunction(
        arn=arn,
        name="f",
        region="us-east-1",
        account="222222222222",
        exists=True,
        timeout=5,
        policies=[FunctionPolicy(qualifier="$LATEST", document="{}")],
    )
    theirs = own.model_copy(
        update={"timeout": None, "policies": [FunctionPolicy(qualifier="live", document=None)]}
    )
    one = combine_functions([own, theirs])
    other = combine_functions([theirs, own])
    assert one == other
    assert [p.qualifier for p in one[0].policies] == ["$LATEST", "live"]
    assert one[0].timeout == 5


# --- the IAM files -----------------------------------------------------------------------------


def _cfn_yaml() -> dict[str, object]:
    class Loader(yaml.SafeLoader):
        pass

    def tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
        return {suffix: loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else ""}

    Loader.add_multi_constructor("!", tag)
    data = yaml.load(STACKSET.read_text(encoding="utf-8"), Loader=Loader)
    assert isinstance(data, dict)
    return data


def test_the_member_role_stackset_grants_the_read_only_policy_and_trusts_only_the_scanner() -> None:
    resources = _cfn_yaml()["Resources"]
    assert isinstance(resources, dict)
    role = resources["WarmcheckReadOnlyRole"]["Properties"]
    actions = {
        action
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        for action in statement["Action"]
    }
    assert actions == required_iam_actions()
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": {"Ref": "ScannerPrincipalArn"}}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    assert role["MaxSessionDuration"] == 3600


def test_the_member_role_stackset_passes_cfn_lint() -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), str(STACKSET)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_discovery_policy_is_valid_json() -> None:
    document = json.loads((ROOT / "policies" / "iam" / "warmcheck-discovery.json").read_text())
    assert document["Version"] == "2012-10-17"


# --- assuming the member role (canned STS answers, real botocore clients) ----------------------


def _credentials(minutes: int) -> dict[str, Any]:
    return {
        "Credentials": {
            "AccessKeyId": f"ASIA{minutes:04d}",
            "SecretAccessKey": "secret",
            "SessionToken": "token",
            "Expiration": datetime.now(UTC) + timedelta(minutes=minutes),
        },
        "AssumedRoleUser": {"AssumedRoleId": "AROA:warmcheck", "Arn": "arn:aws:sts::2:x"},
    }


def test_the_role_is_assumed_with_external_id_and_session_name_and_refreshes(
    fake: FakeAws,
) -> None:
    expiries = iter([5, 60])  # the first session is about to expire: it must be re-assumed
    fake.on("sts:AssumeRole", lambda r, p: _credentials(next(expiries)))
    caller = ClientFactory.from_profile(None, customize=fake.install)
    caller.prepare("sts", [EAST])
    organization = Organization(session_name="warmcheck-ci", external_id_env="MY_EXTERNAL_ID")
    member = ListedAccount(id="222222222222", name="prod")
    reached = assume(
        caller,
        EAST,
        organization,
        member,
        environ={"MY_EXTERNAL_ID": "a-shared-secret"},
    )
    assert reached.outcome is None
    assert reached.clients is not None
    assert reached.clients.account == "222222222222"
    # Service models are parsed once for the whole organization, not once per member.
    assert reached.clients.data_loader is caller.data_loader
    (first,) = fake.called("sts:AssumeRole")
    assert first.params == {
        "RoleArn": "arn:aws:iam::222222222222:role/warmcheck-readonly",
        "RoleSessionName": "warmcheck-ci",
        "DurationSeconds": 3600,
        "ExternalId": "a-shared-secret",
    }
    credentials = reached.clients._session.get_credentials()
    assert credentials is not None
    assert credentials.get_frozen_credentials().access_key == "ASIA0060"  # refreshed
    assert len(fake.called("sts:AssumeRole")) == 2


def test_explicit_access_reaches_members_without_the_environment(
    fake: FakeAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Everything the environment says points elsewhere; explicit access must win everywhere,
    # the member factories included, and a one-minute session must be re-assumed.
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://elsewhere.invalid")
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", "http://elsewhere.invalid")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "FROM-THE-ENVIRONMENT")
    expiries = iter([1, 60])
    fake.on("sts:AssumeRole", lambda r, p: _credentials(next(expiries)))
    access = AwsAccess(
        region=EAST,
        access_key_id="EXPLICIT",
        secret_access_key="secret",
        endpoint_url="http://127.0.0.1:9",
    )
    caller = ClientFactory.from_access(access, customize=fake.install)
    caller.prepare("sts", [EAST])
    assert caller.sts(EAST).meta.endpoint_url == "http://127.0.0.1:9"
    own = caller._session.get_credentials()
    assert own is not None
    assert own.access_key == "EXPLICIT"
    reached = assume(caller, EAST, Organization(), ListedAccount(id="222222222222"), environ={})
    member = reached.clients
    assert member is not None
    assert (member.account, member.endpoint_url) == ("222222222222", "http://127.0.0.1:9")
    member.prepare("lambda", [EAST])
    assert member.lambda_(EAST).meta.endpoint_url == "http://127.0.0.1:9"
    assert member.limiter is caller.limiter
    credentials = member._session.get_credentials()
    assert credentials is not None
    assert credentials.get_frozen_credentials().access_key == "ASIA0060"  # re-assumed
    assert len(fake.called("sts:AssumeRole")) == 2


def test_a_refusal_is_an_outcome_and_a_failure_naming_the_account(fake: FakeAws) -> None:
    def refuse(region: str, params: dict[str, Any]) -> dict[str, Any]:
        raise AwsError(
            "AccessDenied",
            403,
            "User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole on "
            "resource: r with an explicit deny in a service control policy",
        )

    fake.on("sts:AssumeRole", refuse)
    caller = ClientFactory.from_profile(None, customize=fake.install)
    caller.prepare("sts", [EAST])
    member = ListedAccount(id="333333333333", name="locked")
    reached = assume(
        caller,
        EAST,
        Organization(external_id_env=None),
        member,
        environ={},
    )
    assert reached.clients is None
    assert reached.outcome is not None
    assert (reached.outcome.outcome, reached.outcome.denial) == ("denied", "scp")
    assert reached.failure is not None
    assert reached.failure.resource == "333333333333"
    assert "ExternalId" not in fake.called("sts:AssumeRole")[0].params


# --- judging a Lambda in an account that was not read ----------------------------------------


def _calling_elsewhere(outcome: AccountOutcome | None, listed: list[str]) -> list[str]:
    scenario = healthy()
    elsewhere = f"arn:aws:lambda:{REGION}:333333333333:function:partner-lookup"
    scenario.flows.append(invoking("partner", elsewhere))
    scenario.associations.append(elsewhere)
    snapshot = scenario.snapshot().model_copy(
        update={
            "organization": OrganizationScan(
                source="organizations",
                listed=sorted([SCENARIO_ACCOUNT, *listed]),
                outcomes=[
                    AccountOutcome(account=SCENARIO_ACCOUNT, outcome="scanned"),
                    *([outcome] if outcome else []),
                ],
            )
        }
    )
    report = evaluate(default_policy(), snapshot, SCENARIO_NOW, policy_ref=REF)
    (entry,) = [c for c in report.coverage if c.function == elsewhere]
    assert entry.status == "unknown"  # never assumed warm, never missing
    return [f.message for f in report.findings if f.resource == elsewhere]


def test_a_lambda_in_a_denied_member_says_why_it_was_not_read() -> None:
    denied = AccountOutcome(
        account="333333333333",
        outcome="denied",
        denial="scp",
        reason="arn:aws:iam::333333333333:role/warmcheck-readonly could not be assumed",
    )
    (message,) = _calling_elsewhere(denied, ["333333333333"])
    assert "account 333333333333, which was denied: arn:aws:iam::333333333333" in message


def test_a_lambda_in_an_account_the_organization_does_not_list_says_so() -> None:
    (message,) = _calling_elsewhere(None, [])
    assert "which the organization does not list" in message


def test_the_collector_reads_the_external_id_only_from_the_environment_it_is_handed(
    fake: FakeAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DESIGN: the CLI is the only place that reads the environment; it hands it over.
    monkeypatch.setenv("MY_EXTERNAL_ID", "from-the-process")
    fake.on("sts:AssumeRole", lambda r, p: _credentials(60))
    caller = ClientFactory.from_profile(None, customize=fake.install)
    caller.prepare("sts", [EAST])
    organization = Organization(external_id_env="MY_EXTERNAL_ID")
    member = ListedAccount(id="222222222222", name="prod")
    assume(caller, EAST, organization, member)
    assume(caller, EAST, organization, member, environ={"MY_EXTERNAL_ID": "handed-over"})
    first, second = fake.called("sts:AssumeRole")
    assert "ExternalId" not in first.params
    assert second.params["ExternalId"] == "handed-over"


def test_no_region_anywhere_is_the_same_failure_for_an_organization(
    fake: FakeAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker.collect.members import collect_members
    from checker.model.policy import Policy

    monkeypatch.delenv("AWS_DEFAULT_REGION")
    policy = Policy.model_validate({"version": 1, "scope": {"organization": {}}})
    caller = ClientFactory.from_profile(None, customize=fake.install)
    collection = collect_members(policy, caller, environ={})
    (failure,) = collection.snapshot.errors
    assert (failure.service, failure.operation, failure.code) == (
        "organizations",
        "ListAccounts",
        "NoRegion",
    )
    # The one wording the single-account run gives too: every way to name a region.
    assert "--region" in failure.message
    assert "AWS_DEFAULT_REGION" in failure.message
    assert fake.calls == []
