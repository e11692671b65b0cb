"""The live collectors: read the AWS accounts a policy covers into a `Snapshot`, read-only.

    collection = collect(policy, profile="prod", regions=["us-east-1"])
    collection.snapshot  # what AWS answered, every failed read in `errors`
    collection.calls     # {"connect:SearchContactFlows": 2, ...}

Where things are: `base` (the read-only allow-list, the client factory, limiters, the shared
executor, call counting, failure capture), `account` (one account's collection, in the order its
reads depend on each other), `members` (an organization: discovery, roles, accounts side by
side), one module per AWS service (`connect`, `events`, `scheduler`, `lambda_functions`, `iam`,
`cloudwatch`, `logs`, `sts`, `organizations`), `plan` (what to read) and `shard` (partition and
merge). This module only picks one account or an organization.

Nothing escapes `collect` but bugs (`ReadOnlyViolation` among them): every AWS error that
survives retries is a `CollectionFailure` in ``snapshot.errors``, and the caller decides the exit
code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from botocore.exceptions import BotoCoreError

from checker.collect.account import Collection, aware, collect_with, evidence_kinds
from checker.collect.base import (
    ALLOWED_OPERATIONS,
    AwsAccess,
    ClientFactory,
    Progress,
    ReadOnlyViolation,
    Where,
    failure_from,
    iam_actions,
    required_iam_actions,
)
from checker.collect.members import collect_members
from checker.model.policy import Policy
from checker.model.snapshot import Shard, Snapshot

__all__ = [
    "ALLOWED_OPERATIONS",
    "AwsAccess",
    "Collection",
    "ReadOnlyViolation",
    "collect",
    "collect_with",
    "iam_actions",
    "required_iam_actions",
]


def collect(
    policy: Policy,
    *,
    profile: str | None = None,
    regions: Sequence[str] | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    max_workers: int = 8,
    shard: Shard | None = None,
    access: AwsAccess | None = None,
    environ: Mapping[str, str] | None = None,
) -> Collection:
    """Read the accounts and regions `policy` covers, with the standard AWS configuration or,
    given `access`, with that endpoint and those credentials alone (``Sandbox.access()``; no
    environment variable or AWS config file is read then).

    `profile` picks a named profile; `regions` overrides ``policy.scope.regions`` (else the
    session's region). ``AWS_MAX_ATTEMPTS`` / ``max_attempts`` changes the attempts per call.
    With ``scope.organization`` the caller's account discovers the members (this `shard` of
    them) and reads each through its role (`members.collect_members`), sending the policy's
    `external_id_env` variable from `environ` (the CLI passes its environment; the collectors
    never read ``os.environ`` themselves).
    """
    if access is not None and profile is not None:
        raise ValueError("collect takes a profile or explicit access, not both")
    moment = aware(now)
    evidence = evidence_kinds(policy)
    try:
        factory = (
            ClientFactory.from_access(access, max_workers=max_workers, evidence=evidence)
            if access is not None
            else ClientFactory.from_profile(profile, max_workers=max_workers, evidence=evidence)
        )
    except BotoCoreError as error:
        # A named profile that does not exist: nothing can be read.
        failure = failure_from(error, Where("sts", "GetCallerIdentity"))
        return Collection(Snapshot(collected_at=moment, errors=[failure]), {})
    if policy.scope.organization is not None:
        return collect_members(
            policy,
            factory,
            regions=regions,
            now=moment,
            shard=shard,
            max_workers=max_workers,
            environ=environ,
        )
    return collect_with(
        policy, factory, regions=regions, now=moment, progress=progress, max_workers=max_workers
    )
