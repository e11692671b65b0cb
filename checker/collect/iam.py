"""IAM: the identity policies of the Scheduler execution roles that must invoke a function.

Per role: `ListRolePolicies` + `GetRolePolicy` per inline policy, `ListAttachedRolePolicies`
(all paginated, 1,000 a page); per distinct attached managed policy, once for all roles:
`GetPolicy` (for its default version) + `GetPolicyVersion`. ``NoSuchEntity`` on the role means
``IamRole(exists=False)``. IAM returns documents as URL-encoded JSON (botocore usually decodes
them already); either way they are stored as canonical JSON text.

Permission boundaries and SCPs cannot be read this way; the engine says so in its report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from checker.collect.base import ReadContext, Where
from checker.domain.arns import parse_arn
from checker.load import untrusted_json
from checker.model.snapshot import IamRole, RolePolicy

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

PAGE = 1000  # MaxItems' max for the IAM list operations in botocore's iam model


@dataclass(frozen=True)
class RoleRead:
    """One role as far as its own calls go; managed documents are read once for all roles."""

    arn: str
    exists: bool
    inline: list[RolePolicy] | None = None
    attached: list[str] | None = None


def role_name(arn: str) -> str:
    """The RoleName in ``arn:aws:iam::<account>:role/<path>/<name>``."""
    parsed = parse_arn(arn)
    resource = parsed.resource if parsed is not None else arn
    return resource.rsplit("/", 1)[-1]


def policy_document_text(document: object) -> str:
    """An IAM policy document (URL-encoded JSON text or already decoded) as canonical JSON."""
    if isinstance(document, str):
        text = document.strip()
        if not text.startswith("{"):
            text = unquote(text)
        try:
            document = untrusted_json.loads(text)
        except ValueError:
            # Kept as read: the engine reports a document it cannot interpret.
            return text
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def read_role(ctx: ReadContext, region: str, arn: str) -> RoleRead:
    client = ctx.clients.iam(region)
    name = role_name(arn)
    parsed = parse_arn(arn)
    account = parsed.account if parsed is not None and parsed.account else ctx.account

    def where(operation: str) -> Where:
        return Where("iam", operation, account=account, resource=arn)

    inline = ctx.attempt(lambda: _inline(client, name), where("ListRolePolicies"))
    if isinstance(inline, _Missing):
        ctx.progress("iam", "roles", 1)
        return RoleRead(arn=arn, exists=False)
    attached = ctx.attempt(lambda: _attached(client, name), where("ListAttachedRolePolicies"))
    ctx.progress("iam", "roles", 1)
    if isinstance(attached, _Missing):
        return RoleRead(arn=arn, exists=False)
    return RoleRead(arn=arn, exists=True, inline=inline, attached=attached)


class _Missing:
    """The role does not exist (NoSuchEntity)."""


def _inline(client: IAMClient, name: str) -> list[RolePolicy] | _Missing:
    try:
        pages = client.get_paginator("list_role_policies").paginate(
            RoleName=name, PaginationConfig={"PageSize": PAGE}
        )
        names = [str(policy) for page in pages for policy in page.get("PolicyNames", [])]
    except client.exceptions.NoSuchEntityException:
        return _Missing()
    policies = []
    for policy_name in sorted(names):
        response = client.get_role_policy(RoleName=name, PolicyName=policy_name)
        policies.append(
            RolePolicy(
                name=policy_name,
                kind="inline",
                document=policy_document_text(response["PolicyDocument"]),
            )
        )
    return policies


def _attached(client: IAMClient, name: str) -> list[str] | _Missing:
    try:
        pages = client.get_paginator("list_attached_role_policies").paginate(
            RoleName=name, PaginationConfig={"PageSize": PAGE}
        )
        return sorted(
            {str(item["PolicyArn"]) for page in pages for item in page.get("AttachedPolicies", [])}
        )
    except client.exceptions.NoSuchEntityException:
        return _Missing()


def read_managed_policy(ctx: ReadContext, region: str, arn: str) -> RolePolicy | None:
    """A managed policy's default version (None: it could not be read)."""
    client = ctx.clients.iam(region)
    parsed = parse_arn(arn)
    account = parsed.account if parsed is not None and parsed.account else None
    where = Where("iam", "GetPolicy", account=account, resource=arn)

    def read() -> RolePolicy:
        policy: dict[str, Any] = dict(client.get_policy(PolicyArn=arn)["Policy"])
        version = client.get_policy_version(
            PolicyArn=arn, VersionId=str(policy["DefaultVersionId"])
        )["PolicyVersion"]
        return RolePolicy(
            name=str(policy.get("PolicyName") or role_name(arn)),
            kind="managed",
            arn=arn,
            document=policy_document_text(version.get("Document")),
        )

    return ctx.attempt(read, where)


def assemble_roles(reads: list[RoleRead], managed: dict[str, RolePolicy | None]) -> list[IamRole]:
    """Roles with inline and managed documents; None policies where any piece is missing."""
    roles = []
    for read in reads:
        if not read.exists:
            roles.append(IamRole(arn=read.arn, exists=False))
            continue
        policies: list[RolePolicy] | None = None
        if read.inline is not None and read.attached is not None:
            documents = [managed.get(arn) for arn in read.attached]
            if all(document is not None for document in documents):
                policies = [*read.inline, *(d for d in documents if d is not None)]
                policies.sort(key=lambda policy: (policy.kind, policy.name, policy.arn or ""))
        roles.append(IamRole(arn=read.arn, exists=True, policies=policies))
    return sorted(roles, key=lambda role: role.arn)
