"""Organizations: which accounts a run reads, and a client factory per member account.

Discovery runs once, from the management (or a delegated-admin) account: `ListAccounts` (pages
of 20), or, when an include/exclude pattern names an OU, a walk of the OU tree (`ListRoots`,
`ListOrganizationalUnitsForParent`, `ListAccountsForParent`), which lists the accounts with
their OU path at the same cost. `ListTagsForResource` is called only when tag filters are set,
and only for accounts that every other filter keeps. With ``scope.accounts`` Organizations is
never called.

Every listed account gets exactly one outcome (`AccountOutcome`): excluded (by a filter),
inactive (``State`` not ACTIVE; the legacy ``Status`` when ``State`` is absent), denied (AWS
refused the role: the kind of policy it names, if it names one), failed (the role could not be
assumed for another reason) or scanned.

Each member is read through ``scope.organization.role`` with refreshing credentials: role
chaining caps a session at one hour, so a long run re-assumes before expiry.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from checker.collect.base import (
    ClientFactory,
    Recorder,
    Where,
    failure_from,
)
from checker.model.policy import Organization, Scope
from checker.model.snapshot import AccountOutcome, CollectionFailure, DenialKind, Shard

ACTIVE = "ACTIVE"
# Legacy `Status` (retired September 2026) to `State`, for an answer that has only the former.
_STATUS_TO_STATE = {
    "ACTIVE": "ACTIVE",
    "SUSPENDED": "SUSPENDED",
    "PENDING_CLOSURE": "PENDING_CLOSURE",
}
_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException"})
_OU_ID = re.compile(r"^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
# The largest page ListAccounts and ListAccountsForParent allow.
ACCOUNTS_PAGE = 20
# The longest session AssumeRole grants a chained role; credentials refresh before it ends.
SESSION_SECONDS = 3600


@dataclass(frozen=True)
class ListedAccount:
    """One account as Organizations (or scope.accounts) lists it."""

    id: str
    name: str | None = None
    state: str | None = ACTIVE
    # The OU path ("/Root/Prod") and the IDs of the root and every OU above it, when walked.
    path: str | None = None
    parents: tuple[str, ...] = ()


@dataclass
class Discovery:
    """The listed accounts, or None after recording why Organizations could not be read."""

    accounts: list[ListedAccount] | None
    source: str
    failures: list[CollectionFailure] = field(default_factory=list)


# --- sharding -----------------------------------------------------------------------------------


def parse_shard(text: str) -> Shard:
    """``I/N`` (1 <= I <= N) to a `Shard`; ValueError with a plain message otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if match is None:
        raise ValueError(f"expected I/N such as 1/4, got {text!r}")
    index, count = int(match[1]), int(match[2])
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"expected 1 <= I <= N, got {text!r}")
    return Shard(index=index, count=count)


def shard_of(account: str, count: int) -> int:
    """The 1-based shard `account` falls in: the same N always splits the same way, and an
    account joining or leaving the organization moves no other account."""
    return int(hashlib.sha256(account.encode("ascii")).hexdigest(), 16) % count + 1


def in_shard(account: str, shard: Shard | None) -> bool:
    return shard is None or shard_of(account, shard.count) == shard.index


# --- discovery ----------------------------------------------------------------------------------


def names_an_ou(patterns: Iterable[str]) -> bool:
    return any(p.startswith("/") or _OU_ID.match(p) for p in patterns)


def discover(clients: ClientFactory, recorder: Recorder, region: str, scope: Scope) -> Discovery:
    """The accounts the policy lists: scope.accounts as given, else Organizations' answer."""
    organization = scope.organization
    if organization is None:
        raise ValueError("discover needs scope.organization")
    if scope.accounts is not None:
        return Discovery([ListedAccount(id=a) for a in sorted(scope.accounts)], "accounts")
    clients.prepare("organizations", [region])
    client = clients.client("organizations", region)
    walk = names_an_ou([*organization.include, *organization.exclude])
    operation = "ListRoots" if walk else "ListAccounts"
    before = len(recorder.failures())
    read = _walk_tree if walk else _list_accounts
    accounts = recorder.attempt(lambda: read(client), Where("organizations", operation))
    failures = recorder.failures()[before:] if accounts is None else []
    return Discovery(accounts, "organizations", failures)


def _state(account: dict[str, Any]) -> str | None:
    state = account.get("State")
    if state:
        return str(state)
    status = account.get("Status")
    return _STATUS_TO_STATE.get(str(status), str(status)) if status else None


def _listed(account: dict[str, Any], path: str | None, parents: tuple[str, ...]) -> ListedAccount:
    return ListedAccount(
        id=str(account["Id"]),
        name=account.get("Name"),
        state=_state(account),
        path=path,
        parents=parents,
    )


def _list_accounts(client: Any) -> list[ListedAccount]:
    # Pages may be empty while more remain: the paginator follows NextToken to the end.
    pages = client.get_paginator("list_accounts").paginate(
        PaginationConfig={"PageSize": ACCOUNTS_PAGE}
    )
    found = {a["Id"]: _listed(a, None, ()) for page in pages for a in page.get("Accounts", [])}
    return [found[key] for key in sorted(found)]


def _walk_tree(client: Any) -> list[ListedAccount]:
    found: dict[str, ListedAccount] = {}
    queue: list[tuple[str, str, tuple[str, ...]]] = [
        (root["Id"], f"/{root.get('Name') or 'Root'}", (root["Id"],))
        for page in client.get_paginator("list_roots").paginate()
        for root in page.get("Roots", [])
    ]
    while queue:
        parent, path, parents = queue.pop(0)
        for page in client.get_paginator("list_accounts_for_parent").paginate(
            ParentId=parent, PaginationConfig={"PageSize": ACCOUNTS_PAGE}
        ):
            for account in page.get("Accounts", []):
                found[account["Id"]] = _listed(account, path, parents)
        for page in client.get_paginator("list_organizational_units_for_parent").paginate(
            ParentId=parent
        ):
            for unit in page.get("OrganizationalUnits", []):
                queue.append((unit["Id"], f"{path}/{unit.get('Name')}", (*parents, unit["Id"])))
    return [found[key] for key in sorted(found)]


def matches(pattern: str, account: ListedAccount) -> bool:
    """An account ID, an OU ID (at any depth), an OU path glob, or an account-name glob."""
    if pattern == "*":
        return True
    if _ACCOUNT_ID.match(pattern):
        return account.id == pattern
    if _OU_ID.match(pattern):
        return pattern in account.parents
    if pattern.startswith("/"):
        if account.path is None:
            return False
        # "/Root/Prod" is the accounts directly in Prod; "/Root/Prod/*" every account below it.
        return fnmatchcase(account.path, pattern) or fnmatchcase(
            f"{account.path}/{account.id}", pattern
        )
    return account.name is not None and fnmatchcase(account.name, pattern)


def filter_outcome(organization: Organization, account: ListedAccount) -> AccountOutcome | None:
    """Excluded or inactive, by what is already known (tags aside); None: still in scope."""
    if not any(matches(p, account) for p in organization.include):
        return _outcome(account, "excluded", reason="matched by no include pattern")
    for pattern in organization.exclude:
        if matches(pattern, account):
            return _outcome(account, "excluded", reason=f"matched by exclude {pattern!r}")
    if account.state != ACTIVE:
        return _outcome(account, "inactive", reason=f"State is {account.state or 'unknown'}")
    return None


def tags_outcome(
    clients: ClientFactory,
    recorder: Recorder,
    region: str,
    wanted: dict[str, str],
    account: ListedAccount,
) -> AccountOutcome | None:
    """Excluded when the account's tags do not match; failed when they cannot be read."""
    client = clients.client("organizations", region)

    def read() -> dict[str, str]:
        pages = client.get_paginator("list_tags_for_resource").paginate(ResourceId=account.id)
        return {t["Key"]: t["Value"] for page in pages for t in page.get("Tags", [])}

    where = Where("organizations", "ListTagsForResource", account=account.id, resource=account.id)
    tags = recorder.attempt(read, where)
    if tags is None:
        return _outcome(account, "failed", reason="its tags could not be read")
    for key, value in sorted(wanted.items()):
        if key not in tags or not fnmatchcase(tags[key], value):
            return _outcome(account, "excluded", reason=f"tag {key} does not match {value!r}")
    return None


def _outcome(account: ListedAccount, outcome: Any, **extra: Any) -> AccountOutcome:
    return AccountOutcome(
        account=account.id, name=account.name, state=account.state, outcome=outcome, **extra
    )


# --- assuming the member role --------------------------------------------------------------------


def denial_kind(message: str) -> DenialKind | None:
    """The kind of policy an AccessDenied message names, if it names one."""
    text = message.lower()
    if "service control policy" in text:
        return "scp"
    if "no identity-based policy allows" in text:
        return "implicit"
    if "resource-based policy" in text or "trust policy" in text:
        return "trust"
    if "explicit deny" in text:
        return "explicit"
    return None


@dataclass(frozen=True)
class Assumed:
    """A member account reached: its client factory; or why not (`outcome`, `failure`)."""

    account: ListedAccount
    clients: ClientFactory | None
    outcome: AccountOutcome | None = None
    failure: CollectionFailure | None = None


def assume(
    caller: ClientFactory,
    region: str,
    organization: Organization,
    account: ListedAccount,
    *,
    environ: Mapping[str, str] | None = None,
) -> Assumed:
    """Assume the member role once now (so a refusal is known before anything is read), with
    credentials that re-assume shortly before they expire. The external ID is read from
    `environ`, the environment the CLI hands over (the collectors never read os.environ)."""
    role_arn = organization.role_for(account.id)
    env = environ or {}
    external_id = env.get(organization.external_id_env) if organization.external_id_env else None
    sts = caller.sts(region)
    parameters: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": organization.session_name,
        "DurationSeconds": SESSION_SECONDS,
    }
    if external_id:
        parameters["ExternalId"] = external_id

    def fetch() -> dict[str, str]:
        credentials = sts.assume_role(**parameters)["Credentials"]
        expiry: datetime = credentials["Expiration"]
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": expiry.isoformat(),
        }

    try:
        first = fetch()
    except (ClientError, BotoCoreError) as error:
        failure = failure_from(
            error,
            Where("sts", "AssumeRole", region=region, account=account.id, resource=account.id),
        )
        denied = failure.code in _DENIED_CODES
        outcome = _outcome(
            account,
            "denied" if denied else "failed",
            denial=denial_kind(failure.message) if denied else None,
            reason=f"{role_arn} could not be assumed: {failure.code}",
        )
        message = f"{role_arn} could not be assumed, so account {account.id} was not read: "
        failure = failure.model_copy(update={"message": message + failure.message})
        return Assumed(account, None, outcome, failure)
    # botocore refreshes these itself when fewer than 15 minutes remain (its "advisory"
    # window; it insists at 10), well before the one-hour cap of a chained role.
    credentials = RefreshableCredentials.create_from_metadata(first, fetch, "assume-role")
    return Assumed(account, caller.for_role(credentials, account.id))


def scanned(account: ListedAccount) -> AccountOutcome:
    return _outcome(account, "scanned")


def partition(accounts: Sequence[ListedAccount], shard: Shard | None) -> list[ListedAccount]:
    return [account for account in accounts if in_shard(account.id, shard)]
