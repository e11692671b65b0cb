"""Lambda: the functions flows require or warmers target, read only as far as the engine needs.

Per function (a `FunctionPlan`: its qualifiers in use, i.e. called by a flow, named in
``extra_functions`` or targeted by a scheduled rule or schedule):

- `GetFunctionConfiguration` (unqualified): exists, $LATEST timeout, runtime.
  ``ResourceNotFoundException`` = ``exists=False`` (a fact, not an error) and nothing more is
  read. Any other failure leaves the function out of the snapshot, so the engine sees it as
  unread.
- `ListAliases` (paginated), only when an alias qualifier is in use: the engine needs aliases to
  tell whether an alias exists and which version it runs. With no alias in use, ``aliases`` is
  None ("not read"), which the engine never asks about.
- `GetFunctionConfiguration` with ``Qualifier=<version>`` once per version in use: a version
  qualifier called or targeted, or the version an alias in use points to. Asking by version
  rather than by alias never costs more (two aliases on one version cost one call) and fills
  ``FunctionVersion(version, timeout)`` the same way.
- `GetPolicy` for the unqualified function (stored under ``$LATEST``) and each alias or version
  qualifier in use; ``ResourceNotFoundException`` = ``FunctionPolicy(document=None)``.
- `ListProvisionedConcurrencyConfigs` (50 a page).

**What ``versions`` means.** It is not an inventory of published versions: it lists exactly the
versions in use (as above) that exist, each with its timeout. For every version the engine can
ask about (the qualifiers in use, and the versions their aliases run) it is therefore complete:
absent means Lambda said the version does not exist. A function with no version in use gets
``[]``. If any version read failed, ``versions`` is None (with the failure), because an absent
version could then no longer be told from an unread one.

**Required or only targeted.** Policies, versions' timeouts and provisioned concurrency matter
only for functions the policy requires: a function a warmer targets but no flow requires is
read for existence and qualifiers (WARM006/WARM007), not for its policies. Provisioned
concurrency is read only when some required qualifier accepts it as a warm source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from checker.arns import LATEST, FunctionKey, parse_function_arn
from checker.collect.base import ABSENT, Absent, ReadContext, Where
from checker.snapshot import (
    FunctionAlias,
    FunctionPolicy,
    FunctionVersion,
    LambdaFunction,
    ProvisionedConcurrency,
)

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

ALIASES_PAGE = 10000  # MaxItems' max for ListAliases in botocore's lambda model
PROVISIONED_PAGE = 50  # MaxItems' max for ListProvisionedConcurrencyConfigs


def is_version(qualifier: str) -> bool:
    return qualifier.isdigit()


def is_alias(qualifier: str) -> bool:
    return qualifier != LATEST and not qualifier.isdigit()


@dataclass(frozen=True)
class FunctionPlan:
    """What to read about one function."""

    function: FunctionKey
    qualifiers: frozenset[str]
    required: bool
    provisioned: bool

    @property
    def arn(self) -> str:
        return self.function.function_arn

    @property
    def aliases_in_use(self) -> frozenset[str]:
        return frozenset(q for q in self.qualifiers if is_alias(q))


def read_function(ctx: ReadContext, plan: FunctionPlan) -> LambdaFunction | None:
    """The function as far as `plan` needs it, or None when even its existence is unknown."""
    key = plan.function
    client = ctx.clients.lambda_(key.region)
    # The client is in the function's region: a name suffices in this account, another needs
    # the ARN (and a name is what every Lambda implementation, moto included, accepts).
    name = key.name if key.account == ctx.account else plan.arn

    def where(operation: str, resource: str = plan.arn) -> Where:
        return Where("lambda", operation, region=key.region, account=key.account, resource=resource)

    config = ctx.attempt(
        lambda: _configuration(client, name, None), where("GetFunctionConfiguration")
    )
    ctx.progress("lambda", "functions", 1)
    if config is None:
        return None
    if isinstance(config, Absent):
        return LambdaFunction(
            arn=plan.arn, name=key.name, region=key.region, account=key.account, exists=False
        )
    aliases = None
    if plan.aliases_in_use:
        aliases = ctx.attempt(lambda: _aliases(client, name), where("ListAliases"))
    versions = _versions(ctx, client, name, plan, aliases, where)
    policies: list[FunctionPolicy] = []
    if plan.required:
        for qualifier in sorted(plan.qualifiers | {LATEST}):
            resource = plan.arn if qualifier == LATEST else f"{plan.arn}:{qualifier}"
            policy = ctx.attempt(
                partial(_policy, client, name, qualifier), where("GetPolicy", resource)
            )
            if policy is not None:
                policies.append(policy)
    provisioned = None
    if plan.provisioned:
        provisioned = ctx.attempt(
            lambda: _provisioned(client, name), where("ListProvisionedConcurrencyConfigs")
        )
    return LambdaFunction(
        arn=plan.arn,
        name=key.name,
        region=key.region,
        account=key.account,
        exists=True,
        timeout=_int(config.get("Timeout")),
        runtime=config.get("Runtime"),
        versions=versions,
        aliases=aliases,
        policies=policies,
        provisioned_concurrency=provisioned,
    )


def _versions(
    ctx: ReadContext,
    client: LambdaClient,
    name: str,
    plan: FunctionPlan,
    aliases: list[FunctionAlias] | None,
    where: Callable[[str, str], Where],
) -> list[FunctionVersion] | None:
    wanted = {q for q in plan.qualifiers if is_version(q)}
    wanted |= {
        alias.function_version
        for alias in aliases or []
        if alias.name in plan.aliases_in_use and is_version(alias.function_version)
    }
    found: list[FunctionVersion] | None = []
    for version in sorted(wanted, key=int):
        config = ctx.attempt(
            partial(_configuration, client, name, version),
            where("GetFunctionConfiguration", f"{plan.arn}:{version}"),
        )
        if config is None:
            found = None
        elif found is not None and not isinstance(config, Absent):
            found.append(FunctionVersion(version=version, timeout=_int(config.get("Timeout"))))
    return found


def _configuration(
    client: LambdaClient, name: str, qualifier: str | None
) -> dict[str, Any] | Absent:
    try:
        if qualifier is None:
            return dict(client.get_function_configuration(FunctionName=name))
        return dict(client.get_function_configuration(FunctionName=name, Qualifier=qualifier))
    except client.exceptions.ResourceNotFoundException:
        return ABSENT


def _aliases(client: LambdaClient, name: str) -> list[FunctionAlias]:
    pages = client.get_paginator("list_aliases").paginate(
        FunctionName=name, PaginationConfig={"PageSize": ALIASES_PAGE}
    )
    aliases = []
    for page in pages:
        for alias in page.get("Aliases", []):
            routing: dict[str, Any] = dict(alias.get("RoutingConfig") or {})
            weights = routing.get("AdditionalVersionWeights") or {}
            aliases.append(
                FunctionAlias(
                    name=str(alias["Name"]),
                    function_version=str(alias["FunctionVersion"]),
                    additional_versions={str(k): float(v) for k, v in weights.items()},
                )
            )
    return sorted(aliases, key=lambda alias: alias.name)


def _policy(client: LambdaClient, name: str, qualifier: str) -> FunctionPolicy:
    try:
        if qualifier == LATEST:
            response = client.get_policy(FunctionName=name)
        else:
            response = client.get_policy(FunctionName=name, Qualifier=qualifier)
    except client.exceptions.ResourceNotFoundException:
        return FunctionPolicy(qualifier=qualifier, document=None)
    return FunctionPolicy(qualifier=qualifier, document=response["Policy"])


def _provisioned(client: LambdaClient, name: str) -> list[ProvisionedConcurrency]:
    pages = client.get_paginator("list_provisioned_concurrency_configs").paginate(
        FunctionName=name, PaginationConfig={"PageSize": PROVISIONED_PAGE}
    )
    configs = []
    for page in pages:
        for item in page.get("ProvisionedConcurrencyConfigs", []):
            entry: dict[str, Any] = dict(item)
            key = parse_function_arn(str(entry.get("FunctionArn", "")))
            configs.append(
                ProvisionedConcurrency(
                    qualifier=key.qualifier if key is not None else LATEST,
                    requested=int(entry.get("RequestedProvisionedConcurrentExecutions") or 0),
                    available=int(entry.get("AvailableProvisionedConcurrentExecutions") or 0),
                    allocated=int(entry.get("AllocatedProvisionedConcurrentExecutions") or 0),
                    status=entry.get("Status", "IN_PROGRESS"),
                )
            )
    return sorted(configs, key=lambda config: config.qualifier)


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
