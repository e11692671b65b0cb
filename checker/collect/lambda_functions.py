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
- `GetPolicy` for each qualifier in use (the unqualified function's policy is stored under
  ``$LATEST`` and read only when $LATEST itself is called or targeted: a resource policy
  applies to the exact qualifier it is on, and WARM009 judges only the policies that were
  read); ``ResourceNotFoundException`` = ``FunctionPolicy(document=None)``.
- `ListProvisionedConcurrencyConfigs` (50 a page), see below.

**Listing first.** Where an account holds at least `LIST_THRESHOLD` planned functions in one
region, `ListFunctions` with ``FunctionVersion=ALL`` (50 a page) answers every configuration and
every version's timeout in one page per 50: one call instead of fifty. It reads at most as many
pages as there are planned functions there (so an account of thousands of functions costs at
most twice the per-function reads); a function it lists needs no `GetFunctionConfiguration`, and
when the listing reached its end, a planned function it does not list does not exist. A listing
that fails or stops early is no evidence either way: what it did not answer is read one by one.

**Order.** `read_functions` asks every function's unqualified configuration first; as each
answer says a function exists, its other reads go to the run's executor as tasks of their own
(and an alias's version once its `ListAliases` is in), so one function's calls run side by side
rather than one after another. The executor (`executor.CallExecutor`) hands a read to a worker
only once the bucket of its Lambda quota group (`base.SERVICE_LIMITS`) has a token, so no
worker waits on GetPolicy's bucket while the other group has tokens to spend.
Only the orchestrating thread submits or assembles; a task never waits for another, so the
bounded pool cannot deadlock.

**What ``versions`` means.** It is not an inventory of published versions: it lists exactly the
versions in use (as above) that exist, each with its timeout. For every version the engine can
ask about (the qualifiers in use, and the versions their aliases run) it is therefore complete:
absent means Lambda said the version does not exist. A function with no version in use gets
``[]``. If any version read failed, ``versions`` is None (with the failure), because an absent
version could then no longer be told from an unread one.

**Required or only targeted.** Policies, versions' timeouts and provisioned concurrency matter
only for functions the policy requires: a function a warmer targets but no flow requires is
read for existence and qualifiers (WARM006/WARM007), not for its policies. Provisioned
concurrency is read only when some required version or alias accepts it as a warm source.
Lambda allocates provisioned concurrency to a version or an alias only, never to $LATEST
(PutProvisionedConcurrencyConfig takes "the version number or alias name"), so when the only
required qualifiers that accept it are $LATEST the answer is known without a call:
``provisioned_concurrency=[]``. The engine reads ``[]`` as "read, none", which is exactly true
for those qualifiers, and it asks about no other (`Analysis.provisioned` is asked only for
required qualifiers that accept provisioned concurrency). Like ``versions``, the list is then
not an inventory: configurations on qualifiers nothing uses are not looked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from queue import SimpleQueue
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from checker.collect.base import ABSENT, BUGS, Absent, ReadContext, Where
from checker.domain.arns import LATEST, FunctionKey, parse_function_arn
from checker.model.snapshot import (
    FunctionAlias,
    FunctionLogging,
    FunctionPolicy,
    FunctionVersion,
    LambdaFunction,
    ProvisionedConcurrency,
    ReservedConcurrency,
)

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

LIST_PAGE = 50  # MaxItems' max for ListFunctions
# Planned functions in one region of the account from which ListFunctions replaces one
# GetFunctionConfiguration per function (a page answers 50).
LIST_THRESHOLD = 50
ALIASES_PAGE = 10000  # MaxItems' max for ListAliases in botocore's lambda model
PROVISIONED_PAGE = 50  # MaxItems' max for ListProvisionedConcurrencyConfigs

# How provisioned concurrency is settled for a function: listed; known to be none without a
# call (only $LATEST accepts it); or not read at all (no required qualifier accepts it).
Provisioned = Literal["list", "latest-only", "not-accepted"]


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
    provisioned: Provisioned = "not-accepted"

    @property
    def arn(self) -> str:
        return self.function.function_arn

    @property
    def aliases_in_use(self) -> frozenset[str]:
        return frozenset(q for q in self.qualifiers if is_alias(q))

    @property
    def versions_in_use(self) -> frozenset[str]:
        return frozenset(q for q in self.qualifiers if is_version(q))

    @property
    def policy_qualifiers(self) -> list[str]:
        """The qualifiers whose resource policy is read: every one in use, if required."""
        return sorted(self.qualifiers) if self.required else []


Step = Literal["configuration", "aliases", "version", "policy", "provisioned", "concurrency"]
_OPERATION: dict[Step, str] = {
    "concurrency": "GetFunctionConcurrency",
    "configuration": "GetFunctionConfiguration",
    "aliases": "ListAliases",
    "version": "GetFunctionConfiguration",
    "policy": "GetPolicy",
    "provisioned": "ListProvisionedConcurrencyConfigs",
}


@dataclass(frozen=True)
class _Task:
    step: Step
    qualifier: str = LATEST

    @property
    def operation(self) -> str:
        return _OPERATION[self.step]


class _FunctionRead:
    """One function's answers as they come in. Only the orchestrating thread touches it."""

    def __init__(self, ctx: ReadContext, plan: FunctionPlan) -> None:
        key = plan.function
        self.ctx = ctx
        self.plan = plan
        self.client = ctx.clients.lambda_(key.region)
        # The client is in the function's region: a name suffices in this account, another
        # needs the ARN (and a name is what every Lambda implementation, moto included,
        # accepts).
        self.name = key.name if key.account == ctx.account else plan.arn
        self.config: dict[str, Any] | Absent | None = None
        self.aliases: list[FunctionAlias] | None = None
        self.versions: dict[str, dict[str, Any] | Absent | None] = {}
        self.policies: dict[str, FunctionPolicy | None] = {}
        self.provisioned: list[ProvisionedConcurrency] | None = None
        self.concurrency: ReservedConcurrency | None = None

    def _where(self, operation: str, qualifier: str = LATEST) -> Where:
        key = self.plan.function
        resource = self.plan.arn if qualifier == LATEST else f"{self.plan.arn}:{qualifier}"
        return Where("lambda", operation, region=key.region, account=key.account, resource=resource)

    def call(self, task: _Task) -> Callable[[], Any]:
        """The read `task` stands for, to run on a worker."""
        client, name, attempt = self.client, self.name, self.ctx.attempt
        if task.step == "configuration":
            return self._read_configuration
        if task.step == "aliases":
            return partial(attempt, partial(_aliases, client, name), self._where("ListAliases"))
        if task.step == "version":
            read = partial(_configuration, client, name, task.qualifier)
            return partial(attempt, read, self._where("GetFunctionConfiguration", task.qualifier))
        if task.step == "policy":
            read_policy = partial(_policy, client, name, task.qualifier)
            return partial(attempt, read_policy, self._where("GetPolicy", task.qualifier))
        if task.step == "concurrency":
            read_concurrency = partial(_concurrency, client, name)
            return partial(attempt, read_concurrency, self._where("GetFunctionConcurrency"))
        return partial(
            attempt,
            partial(_provisioned, client, name),
            self._where("ListProvisionedConcurrencyConfigs"),
        )

    def _read_configuration(self) -> dict[str, Any] | Absent | None:
        config = self.ctx.attempt(
            partial(_configuration, self.client, self.name, None),
            self._where("GetFunctionConfiguration"),
        )
        self.ctx.progress("lambda", "functions", 1)
        return config

    def record(self, task: _Task, result: Any) -> list[_Task]:
        """Keep `result`; the reads it makes possible."""
        if task.step == "configuration":
            self.config = result
            if result is None or isinstance(result, Absent):
                return []  # unread or absent: nothing more to ask
            return self._after_configuration()
        if task.step == "aliases":
            self.aliases = result
            return self._version_tasks(
                alias.function_version
                for alias in result or []
                if alias.name in self.plan.aliases_in_use and is_version(alias.function_version)
            )
        if task.step == "version":
            self.versions[task.qualifier] = result
        elif task.step == "policy":
            self.policies[task.qualifier] = result
        elif task.step == "concurrency":
            self.concurrency = result
        else:
            self.provisioned = result
        return []

    def _after_configuration(self) -> list[_Task]:
        plan = self.plan
        tasks = [_Task("aliases")] if plan.aliases_in_use else []
        tasks += self._version_tasks(plan.versions_in_use)
        tasks += [_Task("policy", qualifier) for qualifier in plan.policy_qualifiers]
        if plan.provisioned == "list":
            tasks.append(_Task("provisioned"))
        if plan.required:
            tasks.append(_Task("concurrency"))  # reserved concurrency 0: WARM019
        return tasks

    def _version_tasks(self, versions: Iterable[str]) -> list[_Task]:
        """One read per version not asked for yet (an alias may run a version in use)."""
        tasks = []
        for version in sorted(set(versions) - set(self.versions), key=int):
            self.versions[version] = None  # asked; the answer replaces it
            tasks.append(_Task("version", version))
        return tasks

    def function(self) -> LambdaFunction | None:
        """The function as far as its plan needs it; None when even its existence is unknown."""
        plan, key, config = self.plan, self.plan.function, self.config
        if config is None:
            return None
        if isinstance(config, Absent):
            return LambdaFunction(
                arn=plan.arn, name=key.name, region=key.region, account=key.account, exists=False
            )
        versions: list[FunctionVersion] | None = []
        for version in sorted(self.versions, key=int):
            answer = self.versions[version]
            if answer is None:
                versions = None
            elif versions is not None and not isinstance(answer, Absent):
                versions.append(
                    FunctionVersion(version=version, timeout=_int(answer.get("Timeout")))
                )
        provisioned: list[ProvisionedConcurrency] | None = None
        if plan.provisioned == "list":
            provisioned = self.provisioned
        elif plan.provisioned == "latest-only":
            provisioned = []  # $LATEST cannot have provisioned concurrency: see the module doc
        return LambdaFunction(
            arn=plan.arn,
            name=key.name,
            region=key.region,
            account=key.account,
            exists=True,
            timeout=_int(config.get("Timeout")),
            runtime=config.get("Runtime"),
            versions=versions,
            aliases=self.aliases,
            policies=[p for _, p in sorted(self.policies.items()) if p is not None],
            provisioned_concurrency=provisioned,
            state=_text(config.get("State")),
            state_reason=_text(config.get("StateReason")),
            concurrency=self.concurrency if plan.required else None,
            logging=_logging(config, key.name),
        )


# How `read_functions` hands a read to the run's executor: (read, region, its operation).
Submit = Callable[[Callable[[], Any], str, str], "Future[Any]"]


def read_functions(
    ctx: ReadContext, submit: Submit, plans: list[FunctionPlan]
) -> list[LambdaFunction]:
    """Every planned function, each of its calls a task given to ``submit``; by ARN.

    Runs on an orchestrating thread (never on a pool's worker): it alone submits follow-up
    reads as answers arrive and assembles the results. Answers arrive through a queue, so
    taking the next one costs the same with five pending reads or five hundred.
    """
    reads = [_FunctionRead(ctx, plan) for plan in plans]
    answered: SimpleQueue[tuple[_FunctionRead, _Task, Future[Any]]] = SimpleQueue()
    pending = 0
    listings = _listings(ctx, plans)

    def schedule(read: _FunctionRead, tasks: list[_Task]) -> None:
        nonlocal pending
        listing = listings.get(read.plan.function.region)
        queue = list(tasks)
        while queue:
            task = queue.pop(0)
            known = listing.answer(read, task) if listing is not None else None
            if known is not None:  # the listing answered: no call
                if task.step == "configuration":
                    ctx.progress("lambda", "functions", 1)
                queue += read.record(task, known)
            else:
                future = submit(read.call(task), read.plan.function.region, task.operation)
                pending += 1
                future.add_done_callback(partial(_answered, answered, read, task))

    for read in reads:
        schedule(read, [_Task("configuration")])
    while pending:
        read, task, future = answered.get()
        pending -= 1
        schedule(read, read.record(task, future.result()))
    functions = [f for f in (read.function() for read in reads) if f is not None]
    return sorted(functions, key=lambda function: function.arn)


def _answered(
    answered: SimpleQueue[tuple[_FunctionRead, _Task, Future[Any]]],
    read: _FunctionRead,
    task: _Task,
    future: Future[Any],
) -> None:
    answered.put((read, task, future))


@dataclass(frozen=True)
class _Listing:
    """One region's `ListFunctions` answer: configurations by (function name, version)."""

    configs: dict[tuple[str, str], dict[str, Any]]
    complete: bool

    def answer(self, read: _FunctionRead, task: _Task) -> dict[str, Any] | Absent | None:
        """The listing's answer to `task`, or None when it has none (read it one by one)."""
        if task.step not in ("configuration", "version") or read.name != read.plan.function.name:
            return None
        found = self.configs.get((read.plan.function.name, task.qualifier))
        if found is not None:
            return found
        # A complete listing that lacks the function (or version) is Lambda's "not found".
        return ABSENT if self.complete else None


def _listings(ctx: ReadContext, plans: list[FunctionPlan]) -> dict[str, _Listing]:
    """A listing for each region where this account has `LIST_THRESHOLD` planned functions."""
    counts: dict[str, int] = {}
    for plan in plans:
        if plan.function.account == ctx.account:
            counts[plan.function.region] = counts.get(plan.function.region, 0) + 1
    listings = {}
    for region, count in sorted(counts.items()):
        if count >= LIST_THRESHOLD:
            listing = _list_functions(ctx.clients.lambda_(region), max_pages=count)
            if listing is not None:
                listings[region] = listing
    return listings


def _list_functions(client: LambdaClient, *, max_pages: int) -> _Listing | None:
    """Up to `max_pages` pages of every function and version; None when the listing fails
    (the functions are then read one by one, so a refused listing is no gap in evidence)."""
    configs: dict[tuple[str, str], dict[str, Any]] = {}
    pages = client.get_paginator("list_functions").paginate(
        FunctionVersion="ALL", PaginationConfig={"PageSize": LIST_PAGE}
    )
    try:
        for number, page in enumerate(pages, start=1):
            for item in page.get("Functions", []):
                entry = dict(item)
                configs[(str(entry.get("FunctionName")), str(entry.get("Version")))] = entry
            if number >= max_pages and page.get("NextMarker"):
                return _Listing(configs, complete=False)
    except BUGS:
        raise
    except (ClientError, BotoCoreError):
        return None
    return _Listing(configs, complete=True)


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


def _concurrency(client: LambdaClient, name: str) -> ReservedConcurrency:
    response = client.get_function_concurrency(FunctionName=name)
    reserved = response.get("ReservedConcurrentExecutions")
    return ReservedConcurrency(reserved=_int(reserved))


def _logging(config: dict[str, Any], name: str) -> FunctionLogging:
    """LoggingConfig, with Lambda's defaults where a field is absent (older functions)."""
    logging: dict[str, Any] = dict(config.get("LoggingConfig") or {})
    log_format: Literal["Text", "JSON"] = "JSON" if logging.get("LogFormat") == "JSON" else "Text"
    return FunctionLogging(
        log_group=_text(logging.get("LogGroup")) or f"/aws/lambda/{name}",
        log_format=log_format,
        system_log_level=_text(logging.get("SystemLogLevel")) if log_format == "JSON" else None,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
