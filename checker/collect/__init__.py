"""The live collectors: read the AWS accounts a policy covers into a `Snapshot`, read-only.

    collection = collect(policy, profile="prod", regions=["us-east-1"])
    collection.snapshot  # what AWS answered, every failed read in `errors`
    collection.calls     # {"connect:SearchContactFlows": 2, ...}

Phases (each phase's clients are built before its workers start; the workers run on one
bounded thread pool):

1. STS `GetCallerIdentity`: the account. Without it nothing else is read.
2. Connect, per scope region: the in-scope instances; then, per instance, flows, modules,
   Lambda associations and (when the policy names them) hours of operation.
3. The required functions, from the parsed flows and the policy. EventBridge and Scheduler are
   read in every region where a required function lives, plus the scope regions.
4. Scheduled rules' targets and Lambda-invoking schedules, in parallel.
5. Lambda, for every function required or targeted; IAM, for the execution role of every
   schedule that targets a required (function, qualifier).
6. Each attached managed policy once.

Nothing escapes `collect` but bugs (`ReadOnlyViolation` among them): every AWS error that
survives retries is a `CollectionFailure` in ``snapshot.errors``, and the caller decides the exit
code. The snapshot holds nothing volatile but ``collected_at`` (= `now`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from botocore.exceptions import BotoCoreError

from checker.arns import FunctionKey, parse_function_arn
from checker.collect import connect, events, iam, lambda_functions, scheduler, sts
from checker.collect.base import (
    ALLOWED_OPERATIONS,
    CallCounter,
    ClientFactory,
    Progress,
    ProgressReporter,
    ReadContext,
    ReadOnlyViolation,
    Recorder,
    Where,
    failure_from,
    iam_actions,
    required_iam_actions,
)
from checker.collect.plan import function_plans, hours_names, required_functions, scope_regions
from checker.policy import Policy
from checker.snapshot import (
    CollectionFailure,
    ConnectInstance,
    EventRule,
    IamRole,
    LambdaFunction,
    RolePolicy,
    Schedule,
    Snapshot,
)

__all__ = [
    "ALLOWED_OPERATIONS",
    "Collection",
    "ReadOnlyViolation",
    "collect",
    "collect_with",
    "iam_actions",
    "required_iam_actions",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Collection:
    """A snapshot and the API calls it took ("service:Operation" -> count)."""

    snapshot: Snapshot
    calls: dict[str, int] = field(default_factory=dict)


def collect(
    policy: Policy,
    *,
    profile: str | None = None,
    regions: Sequence[str] | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    max_workers: int = 8,
) -> Collection:
    """Read the accounts and regions `policy` covers, with the standard AWS configuration.

    `profile` picks a named profile; `regions` overrides ``policy.scope.regions`` (else the
    session's region). ``AWS_MAX_ATTEMPTS`` / ``max_attempts`` changes the attempts per call.
    """
    moment = _aware(now)
    try:
        factory = ClientFactory.from_profile(profile, max_workers=max_workers)
    except BotoCoreError as error:
        # A named profile that does not exist: nothing can be read.
        failure = failure_from(error, Where("sts", "GetCallerIdentity"))
        return Collection(Snapshot(collected_at=moment, errors=[failure]), {})
    return collect_with(
        policy, factory, regions=regions, now=moment, progress=progress, max_workers=max_workers
    )


def collect_with(
    policy: Policy,
    clients: ClientFactory,
    *,
    regions: Sequence[str] | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    max_workers: int = 8,
) -> Collection:
    """`collect` with a ready `ClientFactory` (how tests put fakes behind real clients)."""
    moment = _aware(now)
    recorder = Recorder()
    scope = scope_regions(policy, regions, clients.default_region)
    if not scope:
        recorder.add(
            CollectionFailure(
                service="sts",
                operation="GetCallerIdentity",
                code="NoRegion",
                message="no AWS region: pass --region, set scope.regions in the policy, or "
                "configure a default region (AWS_REGION, AWS_DEFAULT_REGION or the profile)",
            )
        )
        return _finish(moment, None, [], recorder, clients.counter)
    home = scope[0]
    clients.prepare("sts", [home])
    account = sts.caller_account(clients, recorder, home)
    if account is None:
        return _finish(moment, None, scope, recorder, clients.counter)
    ctx = ReadContext(clients, recorder, ProgressReporter(progress), account)
    ctx.progress("sts", "account", 1)
    with ThreadPoolExecutor(
        max_workers=max(1, max_workers), thread_name_prefix="warmcheck"
    ) as pool:
        instances = _read_connect(pool, ctx, policy, scope, moment)
        required = required_functions(policy, instances)
        service_regions = sorted({key.region for key in required} | set(scope))
        rules, schedules = _read_warmers(pool, ctx, service_regions)
        targeted = _targeted(rules, schedules)
        plans = function_plans(policy, required, targeted)
        role_arns = sorted(
            {
                schedule.target.role_arn
                for schedule in schedules
                if schedule.target.role_arn and scheduler.schedule_function(schedule) in required
            }
        )
        functions, roles = _read_functions_and_roles(pool, ctx, plans, role_arns, home)
    snapshot_regions = sorted(set(service_regions) | {plan.function.region for plan in plans})
    return _finish(
        moment,
        account,
        snapshot_regions,
        recorder,
        clients.counter,
        instances=instances,
        functions=functions,
        rules=rules,
        schedules=schedules,
        roles=roles,
    )


# --- phases ----------------------------------------------------------------------------------


def _read_connect(
    pool: ThreadPoolExecutor,
    ctx: ReadContext,
    policy: Policy,
    regions: list[str],
    now: datetime,
) -> list[ConnectInstance]:
    ctx.clients.prepare("connect", regions)
    found = _run(pool, [partial(connect.discover_instances, ctx, r, policy.scope) for r in regions])
    refs = sorted({ref for refs in found if refs is not None for ref in refs})
    if all(refs is not None for refs in found):
        named = connect.single_named_instance(policy.scope)
        for pattern in connect.unmatched_literals(policy.scope, refs):
            ctx.recorder.add(
                CollectionFailure(
                    service="connect",
                    operation="DescribeInstance" if named else "ListInstances",
                    account=ctx.account,
                    resource=pattern,
                    code="InstanceNotFound",
                    message=f"scope.instances names {pattern!r}, but no ACTIVE Connect instance "
                    f"matches it in {', '.join(regions)}",
                )
            )
    statuses = list(policy.scope.flow_statuses)
    wanted_hours = hours_names(policy)
    flows = _submit(pool, [partial(connect.read_flows, ctx, ref, statuses) for ref in refs])
    modules = _submit(pool, [partial(connect.read_modules, ctx, ref, statuses) for ref in refs])
    associations = _submit(
        pool, [partial(connect.read_lambda_associations, ctx, ref) for ref in refs]
    )
    # Hours of operation are read only when a window names them; otherwise they stay unread.
    hours = _submit(
        pool,
        [partial(connect.read_hours, ctx, ref, wanted_hours, now) for ref in refs if wanted_hours],
    )
    instances = []
    for index, ref in enumerate(refs):
        instances.append(
            ConnectInstance(
                id=ref.id,
                arn=ref.arn,
                alias=ref.alias,
                region=ref.region,
                account=ref.account,
                flows=flows[index].result(),
                modules=modules[index].result(),
                lambda_functions=associations[index].result(),
                hours_of_operation=hours[index].result() if hours else None,
            )
        )
    return instances


def _read_warmers(
    pool: ThreadPoolExecutor, ctx: ReadContext, regions: list[str]
) -> tuple[list[EventRule], list[Schedule]]:
    ctx.clients.prepare("events", regions)
    ctx.clients.prepare("scheduler", regions)
    listed_rules = _submit(pool, [partial(events.list_scheduled_rules, ctx, r) for r in regions])
    listed_schedules = _submit(
        pool, [partial(scheduler.list_lambda_schedules, ctx, r) for r in regions]
    )
    rule_reads = [
        pool.submit(events.read_rule, ctx, region, rule)
        for region, future in zip(regions, listed_rules, strict=True)
        for rule in future.result() or []
    ]
    schedule_reads = [
        pool.submit(scheduler.read_schedule, ctx, region, summary)
        for region, future in zip(regions, listed_schedules, strict=True)
        for summary in future.result() or []
    ]
    rules = sorted((future.result() for future in rule_reads), key=lambda rule: rule.arn)
    schedules = sorted(
        (s for s in (future.result() for future in schedule_reads) if s is not None),
        key=lambda schedule: schedule.arn,
    )
    return rules, schedules


def _targeted(rules: Iterable[EventRule], schedules: Iterable[Schedule]) -> set[FunctionKey]:
    """Every (function, qualifier) a scheduled rule or a schedule invokes."""
    keys = set()
    for rule in rules:
        for target in rule.targets or []:
            key = parse_function_arn(target.arn)
            if key is not None:
                keys.add(key)
    for schedule in schedules:
        key = scheduler.schedule_function(schedule)
        if key is not None:
            keys.add(key)
    return keys


def _read_functions_and_roles(
    pool: ThreadPoolExecutor,
    ctx: ReadContext,
    plans: list[lambda_functions.FunctionPlan],
    role_arns: list[str],
    home: str,
) -> tuple[list[LambdaFunction], list[IamRole]]:
    ctx.clients.prepare("lambda", sorted({plan.function.region for plan in plans}))
    if role_arns:
        ctx.clients.prepare("iam", [home])
    function_reads = [pool.submit(lambda_functions.read_function, ctx, plan) for plan in plans]
    role_reads = [pool.submit(iam.read_role, ctx, home, arn) for arn in role_arns]
    roles_read = [future.result() for future in role_reads]
    policy_arns = sorted({arn for read in roles_read for arn in read.attached or []})
    policy_reads = [pool.submit(iam.read_managed_policy, ctx, home, arn) for arn in policy_arns]
    managed: dict[str, RolePolicy | None] = {
        arn: future.result() for arn, future in zip(policy_arns, policy_reads, strict=True)
    }
    functions = [f for f in (future.result() for future in function_reads) if f is not None]
    return sorted(functions, key=lambda f: f.arn), iam.assemble_roles(roles_read, managed)


# --- helpers -----------------------------------------------------------------------------------


def _submit(pool: ThreadPoolExecutor, tasks: list[Callable[[], T]]) -> list[Future[T]]:
    return [pool.submit(task) for task in tasks]


def _run(pool: ThreadPoolExecutor, tasks: list[Callable[[], T]]) -> list[T]:
    return [future.result() for future in _submit(pool, tasks)]


def _aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _finish(
    now: datetime,
    account: str | None,
    regions: list[str],
    recorder: Recorder,
    counter: CallCounter,
    *,
    instances: list[ConnectInstance] | None = None,
    functions: list[LambdaFunction] | None = None,
    rules: list[EventRule] | None = None,
    schedules: list[Schedule] | None = None,
    roles: list[IamRole] | None = None,
) -> Collection:
    snapshot = Snapshot(
        collected_at=now,
        accounts=[account] if account else [],
        regions=regions,
        instances=sorted(instances or [], key=lambda instance: instance.arn),
        functions=functions or [],
        rules=rules or [],
        schedules=schedules or [],
        roles=roles or [],
        errors=recorder.failures(),
    )
    return Collection(snapshot=snapshot, calls=counter.counts())
