"""One account's collection: read what a policy covers in one account into a `Snapshot`.

`collect_with` is what `checker.collect.collect` runs for a single account, and what
`members.collect_members` runs for each member reached through its role (with
`read_required_elsewhere` for the functions other accounts' flows call).

Order (each read starts as soon as what it depends on is known):

1. STS `GetCallerIdentity`: the account. Without it nothing else is read.
2. At once, side by side: Connect in the scope regions (the in-scope instances; then, per
   instance, flows, modules, Lambda associations and, when the policy names them, hours of
   operation) and EventBridge rules with their targets and Scheduler schedules in the scope
   regions, which need nothing from Connect.
3. As soon as flows and modules are in (associations and hours are not waited for), the
   required functions; EventBridge and Scheduler in the regions where a required function lives
   outside the scope.
4. With every warmer read: the targeted functions. Lambda for every function required or
   targeted, and IAM for the execution role of every schedule that targets a required
   (function, qualifier), side by side; each attached managed policy once.

Threads: every call goes to the run's one `executor.CallExecutor` (an organization's accounts
share it; a single account gets its own, `call_workers(max_workers)` threads), tagged with its
first call's (account, service, region, operation): the executor hands it to a worker only once
that bucket has a token (`base.SERVICE_LIMITS`), so no worker sleeps on a quota. Lambda's reads
fan out per function once its configuration says it exists. What waits for results (a phase's
orchestration) runs on an orchestrating thread of its own, never on a worker, so no worker ever
waits for a task queued behind it. The buckets keep Connect under its documented quota and
Lambda well under its account-wide control-plane quotas; for an account with many functions,
Lambda's quota, not Connect's, sets the pace.

Nothing escapes `collect_with` but bugs (`ReadOnlyViolation` among them): every AWS error that
survives retries is a `CollectionFailure` in ``snapshot.errors``, and the caller decides the exit
code. The snapshot holds nothing volatile but ``collected_at`` (= `now`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import checker.collect.cloudwatch as cloudwatch
import checker.collect.connect as connect
import checker.collect.events as events
import checker.collect.iam as iam
import checker.collect.lambda_functions as lambda_functions
import checker.collect.logs as logs
import checker.collect.scheduler as scheduler
import checker.collect.sts as sts
from checker.analysis.evidence import SILENT_SYSTEM_LEVELS, metric_queries
from checker.collect.base import (
    CallCounter,
    ClientFactory,
    Progress,
    ProgressReporter,
    ReadContext,
    Recorder,
)
from checker.collect.executor import Call, CallExecutor, call_workers
from checker.collect.plan import function_plans, hours_names, no_region, scope_regions
from checker.domain.arns import FunctionKey, parse_function_arn
from checker.domain.required import required_functions
from checker.model.policy import Policy
from checker.model.snapshot import (
    CollectionFailure,
    ConnectInstance,
    ContactFlow,
    EventRule,
    FlowModule,
    HoursOfOperation,
    IamRole,
    LambdaFunction,
    RolePolicy,
    RuntimeEvidence,
    Schedule,
    Snapshot,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Collection:
    """A snapshot and the API calls it took ("service:Operation" -> count)."""

    snapshot: Snapshot
    calls: dict[str, int] = field(default_factory=dict)


def collect_with(
    policy: Policy,
    clients: ClientFactory,
    *,
    regions: Sequence[str] | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    max_workers: int = 8,
    account: str | None = None,
    executor: CallExecutor | None = None,
) -> Collection:
    """`collect` with a ready `ClientFactory` (how tests put fakes behind real clients).

    With `account` (a member reached through its role) no `GetCallerIdentity` is made, and
    only that account's functions are read: another account's are read by that account.
    `executor` is the run's shared one (an organization's accounts share it); without it the
    account gets one of its own with `call_workers(max_workers)` threads.
    """
    moment = aware(now)
    member = account
    recorder = Recorder()
    scope = scope_regions(policy, regions, clients.default_region)
    if not scope:
        recorder.add(no_region("sts", "GetCallerIdentity"))
        return _finish(moment, None, [], recorder, clients.counter)
    home = scope[0]
    if member is None:
        clients.prepare("sts", [home])
        account = sts.caller_account(clients, recorder, home)
    if account is None:
        return _finish(moment, None, scope, recorder, clients.counter)
    ctx = ReadContext(clients, recorder, ProgressReporter(progress), account)
    ctx.progress("sts", "account", 1)
    with (
        _own_executor(clients, executor, max_workers) as shared,
        ThreadPoolExecutor(ORCHESTRATORS, thread_name_prefix="warmcheck-orchestrate") as run,
    ):
        pool = _Calls(shared, clients.account)
        # Warmers in the scope regions need nothing from Connect; Lambda's clients for the scope
        # regions (where most functions live) are built while Connect answers.
        warmers = [run.submit(_read_warmers, pool, ctx, scope)]
        run.submit(clients.prepare, "lambda", scope)
        connect_reads = _start_connect(pool, ctx, policy, scope, moment)
        required = required_functions(policy, connect_reads.contents())
        if member is not None:
            required = {key for key in required if key.account == member}
        extra = sorted({key.region for key in required} - set(scope))
        if extra:
            warmers.append(run.submit(_read_warmers, pool, ctx, extra))
        rules, schedules = _merge_warmers([future.result() for future in warmers])
        targeted = _targeted(rules, schedules)
        if member is not None:
            targeted = {key for key in targeted if key.account == member}
        plans = function_plans(policy, required, targeted)
        role_arns = sorted(
            {
                schedule.target.role_arn
                for schedule in schedules
                if schedule.target.role_arn and scheduler.schedule_function(schedule) in required
            }
        )
        roles = run.submit(_read_roles, pool, ctx, role_arns, home) if role_arns else None
        clients.prepare("lambda", sorted({plan.function.region for plan in plans}))
        functions = lambda_functions.read_functions(ctx, pool.lambda_, plans)
        instances = connect_reads.instances()
        read_roles = roles.result() if roles is not None else []
    evidence = _read_evidence(ctx, policy, moment, required, functions, rules, schedules)
    service_regions = sorted({*scope, *extra})
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
        roles=read_roles,
        evidence=evidence,
    )


def evidence_kinds(policy: Policy) -> list[str]:
    """The kinds of runtime evidence the policy asks for ("metrics", "logs")."""
    return [
        kind
        for kind, on in (("metrics", policy.evidence.metrics), ("logs", policy.evidence.logs))
        if on
    ]


def _read_evidence(
    ctx: ReadContext,
    policy: Policy,
    now: datetime,
    required: set[FunctionKey],
    functions: list[LambdaFunction],
    rules: list[EventRule],
    schedules: list[Schedule],
) -> RuntimeEvidence | None:
    """Metrics and logs over the lookback ending at `now`, as far as the policy asks."""
    settings = policy.evidence
    if not settings.metrics and not settings.logs:
        return None  # no CloudWatch or Logs call at all
    end = now.replace(second=0, microsecond=0)
    start = end - timedelta(seconds=settings.lookback)
    by_arn = {function.arn: function for function in functions}
    metrics = None
    if settings.metrics:
        targets = {
            s.arn: key for s in schedules if (key := scheduler.schedule_function(s)) is not None
        }
        provisioned = [
            key
            for key in required
            if any(
                pc.qualifier == key.qualifier and pc.status == "READY"
                for pc in by_arn[key.function_arn].provisioned_concurrency or []
            )
            if key.function_arn in by_arn
        ]
        queries = metric_queries(rules, schedules, targets, required, provisioned)
        metrics = cloudwatch.read_metrics(ctx, queries, start, end)
    read_logs = None
    if settings.logs:
        log_targets = [
            target
            for key in sorted(required)
            if (target := _log_target(key, by_arn.get(key.function_arn))) is not None
        ]
        read_logs = logs.read_logs(ctx, log_targets, start, end, settings.logs_max_gb)
    return RuntimeEvidence(start=start, end=end, metrics=metrics, logs=read_logs)


def _log_target(key: FunctionKey, function: LambdaFunction | None) -> logs.LogTarget | None:
    """What to query for `key`, or None when its records cannot or need not be read."""
    if function is None or not function.exists or function.logging is None:
        return None
    logging = function.logging
    if (logging.system_log_level or "").upper() in SILENT_SYSTEM_LEVELS:
        return None  # the engine says why: no START/REPORT records to read
    version = key.qualifier
    if not key.is_latest and not version.isdigit():
        alias = next((a for a in function.aliases or [] if a.name == version), None)
        if alias is None:
            return None
        version = alias.function_version
    return logs.LogTarget(
        function=key.arn,
        account=key.account,
        region=key.region,
        log_group=logging.log_group,
        log_format=logging.log_format,
        version=version,
    )


def read_required_elsewhere(
    policy: Policy,
    clients: ClientFactory,
    account: str,
    required: set[FunctionKey],
    targeted: set[FunctionKey],
    *,
    max_workers: int = 8,
    executor: CallExecutor | None = None,
) -> tuple[list[LambdaFunction], list[CollectionFailure]]:
    """Read `account`'s functions that flows in other accounts require (with what its own
    warmers target on them): the organization's cross-account references, after every
    account's flows are known."""
    recorder = Recorder()
    ctx = ReadContext(clients, recorder, ProgressReporter(None), account)
    plans = function_plans(policy, required, targeted)
    clients.prepare("lambda", sorted({plan.function.region for plan in plans}))
    with _own_executor(clients, executor, max_workers) as shared:
        functions = lambda_functions.read_functions(
            ctx, _Calls(shared, clients.account).lambda_, plans
        )
    return functions, recorder.failures()


# Threads that wait on others' work: scope warmers, extra-region warmers, IAM, a client build.
ORCHESTRATORS = 4


@contextmanager
def _own_executor(
    clients: ClientFactory, executor: CallExecutor | None, max_workers: int
) -> Iterator[CallExecutor]:
    """The run's executor, or one of this account's own, shut down when the account is read."""
    if executor is not None:
        yield executor
        return
    with CallExecutor(clients.limiter, call_workers(max_workers)) as own:
        yield own


@dataclass(frozen=True)
class _Calls:
    """One account's reads on the run's executor, each paced by that account's buckets."""

    executor: CallExecutor
    account: str  # the limiter's key for the account: the client factory's

    def submit(
        self, service: str, operation: str, tasks: Sequence[tuple[str, Callable[[], T]]]
    ) -> list[Future[T]]:
        """Each (region, task), whose first call is `service`'s `operation` in that region."""
        return [
            self.executor.submit(task, Call(self.account, service, region, operation))
            for region, task in tasks
        ]

    def run(
        self, service: str, operation: str, tasks: Sequence[tuple[str, Callable[[], T]]]
    ) -> list[T]:
        return [future.result() for future in self.submit(service, operation, tasks)]

    def lambda_(self, task: Callable[[], Any], region: str, operation: str) -> Future[Any]:
        return self.executor.submit(task, Call(self.account, "lambda", region, operation))


# --- phases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ConnectReads:
    """Each in-scope instance's reads, under way on the pool."""

    refs: list[connect.InstanceRef]
    flows: list[Future[list[ContactFlow] | None]]
    modules: list[Future[list[FlowModule] | None]]
    associations: list[Future[list[str] | None]]
    hours: list[Future[list[HoursOfOperation] | None]] | None

    def contents(self) -> list[ConnectInstance]:
        """The instances with flows and modules only: all the required set needs."""
        return [
            _instance(ref, flows=flows.result(), modules=modules.result())
            for ref, flows, modules in zip(self.refs, self.flows, self.modules, strict=True)
        ]

    def instances(self) -> list[ConnectInstance]:
        """The instances with everything read."""
        return [
            _instance(
                ref,
                flows=self.flows[index].result(),
                modules=self.modules[index].result(),
                lambda_functions=self.associations[index].result(),
                hours_of_operation=self.hours[index].result() if self.hours else None,
            )
            for index, ref in enumerate(self.refs)
        ]


def _instance(ref: connect.InstanceRef, **contents: Any) -> ConnectInstance:
    return ConnectInstance(
        id=ref.id, arn=ref.arn, alias=ref.alias, region=ref.region, account=ref.account, **contents
    )


def _start_connect(
    pool: _Calls,
    ctx: ReadContext,
    policy: Policy,
    regions: list[str],
    now: datetime,
) -> _ConnectReads:
    """Find the in-scope instances, then start every read of theirs; wait for none of them."""
    ctx.clients.prepare("connect", regions)
    first = "DescribeInstance" if connect.single_named_instance(policy.scope) else "ListInstances"
    found = pool.run(
        "connect",
        first,
        [(r, partial(connect.discover_instances, ctx, r, policy.scope)) for r in regions],
    )
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

    def each(operation: str, read: Callable[..., T], *args: Any) -> list[Future[T]]:
        tasks = [(ref.region, partial(read, ctx, ref, *args)) for ref in refs]
        return pool.submit("connect", operation, tasks)

    return _ConnectReads(
        refs=refs,
        flows=each("SearchContactFlows", connect.read_flows, statuses),
        modules=each("SearchContactFlowModules", connect.read_modules, statuses),
        associations=each("ListLambdaFunctions", connect.read_lambda_associations),
        # Hours of operation are read only when a window names them; otherwise they stay unread.
        hours=(
            each("ListHoursOfOperations", connect.read_hours, wanted_hours, now)
            if wanted_hours
            else None
        ),
    )


def _read_warmers(
    pool: _Calls, ctx: ReadContext, regions: list[str]
) -> tuple[list[EventRule], list[Schedule]]:
    """Scheduled rules with their targets and Lambda schedules in `regions` (orchestrating)."""
    ctx.clients.prepare("events", regions)
    ctx.clients.prepare("scheduler", regions)
    listed_rules = pool.submit(
        "events", "ListRules", [(r, partial(events.list_scheduled_rules, ctx, r)) for r in regions]
    )
    listed_schedules = pool.submit(
        "scheduler",
        "ListSchedules",
        [(r, partial(scheduler.list_lambda_schedules, ctx, r)) for r in regions],
    )
    rule_reads = pool.submit(
        "events",
        "ListTargetsByRule",
        [
            (region, partial(events.read_rule, ctx, region, rule))
            for region, future in zip(regions, listed_rules, strict=True)
            for rule in future.result() or []
        ],
    )
    schedule_reads = pool.submit(
        "scheduler",
        "GetSchedule",
        [
            (region, partial(scheduler.read_schedule, ctx, region, summary))
            for region, future in zip(regions, listed_schedules, strict=True)
            for summary in future.result() or []
        ],
    )
    rules = [future.result() for future in rule_reads]
    schedules = [s for s in (future.result() for future in schedule_reads) if s is not None]
    return rules, schedules


def _merge_warmers(
    reads: list[tuple[list[EventRule], list[Schedule]]],
) -> tuple[list[EventRule], list[Schedule]]:
    rules = sorted((rule for read in reads for rule in read[0]), key=lambda rule: rule.arn)
    schedules = sorted((s for read in reads for s in read[1]), key=lambda s: s.arn)
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


def _read_roles(pool: _Calls, ctx: ReadContext, role_arns: list[str], home: str) -> list[IamRole]:
    """The execution roles, then each attached managed policy once (orchestrating)."""
    ctx.clients.prepare("iam", [home])
    roles_read = pool.run(
        "iam",
        "ListRolePolicies",
        [(home, partial(iam.read_role, ctx, home, arn)) for arn in role_arns],
    )
    policy_arns = sorted({arn for read in roles_read for arn in read.attached or []})
    policies = pool.run(
        "iam",
        "GetPolicy",
        [(home, partial(iam.read_managed_policy, ctx, home, arn)) for arn in policy_arns],
    )
    managed: dict[str, RolePolicy | None] = dict(zip(policy_arns, policies, strict=True))
    return iam.assemble_roles(roles_read, managed)


# --- helpers -----------------------------------------------------------------------------------


def aware(now: datetime | None) -> datetime:
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
    evidence: RuntimeEvidence | None = None,
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
        evidence=evidence,
    )
    return Collection(snapshot=snapshot, calls=counter.counts())
