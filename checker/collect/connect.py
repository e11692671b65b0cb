"""Amazon Connect: the in-scope instances, their flows and modules with content, Lambda
associations, and (only when the policy names them) hours of operation.

Calls, fewest first, with every page at the model's limit:

- instances: one `DescribeInstance` when the scope names exactly one instance by ID or ARN
  (it can never cost more than listing); otherwise `ListInstances` (10 a page) filtered by
  the scope's patterns. Only ACTIVE instances are read: one still being created or whose
  creation failed has no flows.
- flows: `SearchContactFlows` (100 a page, content included) with ``StateCondition ACTIVE``
  and a ``StatusCondition`` per policy flow status; `DescribeContactFlow` only for a result
  without Content (``<id>:$SAVED`` for a SAVED one).
- modules: `SearchContactFlowModules` the same way; `DescribeContactFlowModule` only where
  Content is missing.
- associations: `ListLambdaFunctions` (25 a page).
- hours of operation, only when the policy's window names one: `ListHoursOfOperations`
  (1,000 a page, so one call finds them) and, per named one found, `DescribeHoursOfOperation`,
  `ListHoursOfOperationOverrides` (100 a page) and one `GetEffectiveHoursOfOperations` over
  the collection horizon. Neither the model nor the API reference limits that range, so one
  call covers it; should AWS refuse, the failure is recorded and `effective` stays None.

Each flow's and module's Content is parsed against its instance's region and account.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fnmatch import fnmatchcase
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from checker.collect.base import ABSENT, Absent, ReadContext, Where
from checker.domain.arns import parse_arn
from checker.domain.flows import content_sha256, parse_flow_content
from checker.domain.schedule import HORIZON
from checker.model.policy import FlowStatus, Scope
from checker.model.snapshot import (
    ClockTime,
    ContactFlow,
    EffectiveDay,
    FlowContent,
    FlowModule,
    HoursConfig,
    HoursOfOperation,
    HoursOverride,
    OpenInterval,
)

if TYPE_CHECKING:
    from mypy_boto3_connect import ConnectClient

# Page sizes: the `max` of each operation's MaxResults in botocore's connect model.
INSTANCES_PAGE = 10
SEARCH_PAGE = 100
ASSOCIATIONS_PAGE = 25
HOURS_PAGE = 1000
OVERRIDES_PAGE = 100
# Effective hours cover the engine's year, one day either side for any time zone's date line.

_GLOB = re.compile(r"[*?\[]")
_INSTANCE_ID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
_INSTANCE_ARN = re.compile(
    r"^arn:[^:]+:connect:(?P<region>[^:]+):(?P<account>\d{12}):instance/(?P<id>[^/]+)$"
)


@dataclass(frozen=True, order=True)
class InstanceRef:
    """An in-scope Connect instance, before its contents are read."""

    arn: str
    id: str
    alias: str | None
    region: str
    account: str


def literal_patterns(scope: Scope) -> list[str]:
    """Scope patterns without glob characters: each must name an instance that exists."""
    return [pattern for pattern in scope.instances if not _GLOB.search(pattern)]


def discover_instances(ctx: ReadContext, region: str, scope: Scope) -> list[InstanceRef] | None:
    """The in-scope ACTIVE instances in `region`, or None when they could not be read."""
    single = single_named_instance(scope)
    if single is not None:
        return _describe_named(ctx, region, single)
    client = ctx.clients.connect(region)
    where = Where("connect", "ListInstances", region=region, account=ctx.account)

    def list_all() -> list[dict[str, Any]]:
        pages = client.get_paginator("list_instances").paginate(
            PaginationConfig={"PageSize": INSTANCES_PAGE}
        )
        return [dict(item) for page in pages for item in page.get("InstanceSummaryList", [])]

    summaries = ctx.attempt(list_all, where)
    if summaries is None:
        return None
    found = []
    for summary in summaries:
        ref = _instance_ref(summary, region, ctx.account)
        if ref is not None and scope.includes_instance(
            instance_id=ref.id, arn=ref.arn, alias=ref.alias
        ):
            found.append(ref)
    ctx.progress("connect", "instances", len(found))
    return sorted(found)


def single_named_instance(scope: Scope) -> str | None:
    """The one instance ID or ARN the scope names, when that is all it names."""
    if len(scope.instances) != 1:
        return None
    pattern = scope.instances[0]
    if _GLOB.search(pattern):
        return None
    if _INSTANCE_ARN.match(pattern) or _INSTANCE_ID.match(pattern):
        return pattern
    return None


def _describe_named(ctx: ReadContext, region: str, named: str) -> list[InstanceRef] | None:
    arn = _INSTANCE_ARN.match(named)
    if arn is not None and arn["region"] != region:
        return []
    instance_id = arn["id"] if arn is not None else named
    client = ctx.clients.connect(region)
    where = Where("connect", "DescribeInstance", region=region, account=ctx.account, resource=named)

    def describe() -> dict[str, Any] | Absent:
        try:
            return dict(client.describe_instance(InstanceId=instance_id)["Instance"])
        except client.exceptions.ResourceNotFoundException:
            return ABSENT

    instance = ctx.attempt(describe, where)
    if instance is None:
        return None
    if isinstance(instance, Absent):
        return []
    ref = _instance_ref(instance, region, ctx.account)
    found = [ref] if ref is not None else []
    ctx.progress("connect", "instances", len(found))
    return found


def _instance_ref(summary: dict[str, Any], region: str, account: str) -> InstanceRef | None:
    if summary.get("InstanceStatus", "ACTIVE") != "ACTIVE":
        return None
    arn = str(summary["Arn"])
    parsed = parse_arn(arn)
    return InstanceRef(
        arn=arn,
        id=str(summary["Id"]),
        alias=summary.get("InstanceAlias"),
        region=parsed.region if parsed is not None and parsed.region else region,
        account=parsed.account if parsed is not None and parsed.account else account,
    )


def unmatched_literals(scope: Scope, found: list[InstanceRef]) -> list[str]:
    """Literal scope patterns that matched no instance in any region read."""
    return [
        pattern
        for pattern in literal_patterns(scope)
        if not any(
            fnmatchcase(name, pattern)
            for ref in found
            for name in (ref.id, ref.arn, ref.alias or "")
        )
    ]


# --- flows and modules ---------------------------------------------------------------------


def _status_criteria(statuses: list[FlowStatus]) -> dict[str, Any]:
    unique = sorted(set(statuses))
    if len(unique) == 1:
        return {"StatusCondition": unique[0]}
    return {"OrConditions": [{"StatusCondition": status} for status in unique]}


def flow_search_criteria(statuses: list[FlowStatus]) -> dict[str, Any]:
    """ACTIVE flows (or modules) in any of the policy's statuses."""
    return {"AndConditions": [{"StateCondition": "ACTIVE"}, _status_criteria(statuses)]}


def _search_active(
    ctx: ReadContext,
    instance: InstanceRef,
    statuses: list[FlowStatus],
    operation: Literal["SearchContactFlows", "SearchContactFlowModules"],
    result_key: str,
) -> list[dict[str, Any]] | None:
    """Every ACTIVE flow or module in the policy's statuses, content included (None: failed)."""
    client: Any = ctx.clients.connect(instance.region)  # the paginator name is chosen at run time
    where = Where(
        "connect",
        operation,
        region=instance.region,
        account=instance.account,
        resource=instance.arn,
    )
    paginator = (
        "search_contact_flows"
        if operation == "SearchContactFlows"
        else ("search_contact_flow_modules")
    )

    def search() -> list[dict[str, Any]]:
        pages = client.get_paginator(paginator).paginate(
            InstanceId=instance.id,
            SearchCriteria=flow_search_criteria(statuses),
            PaginationConfig={"PageSize": SEARCH_PAGE},
        )
        return [dict(item) for page in pages for item in page.get(result_key, [])]

    return ctx.attempt(search, where)


def read_flows(
    ctx: ReadContext, instance: InstanceRef, statuses: list[FlowStatus]
) -> list[ContactFlow] | None:
    """Every ACTIVE flow in the policy's statuses, with parsed content (None: search failed)."""
    found = _search_active(ctx, instance, statuses, "SearchContactFlows", "ContactFlows")
    if found is None:
        return None
    client = ctx.clients.connect(instance.region)
    flows = [_flow(ctx, client, instance, item) for item in found]
    ctx.progress("connect", "flows", len(flows))
    return sorted(flows, key=lambda flow: flow.arn)


def _content(
    ctx: ReadContext,
    instance: InstanceRef,
    item: dict[str, Any],
    sha_key: str,
    operation: str,
    describe: Callable[[], dict[str, Any]],
) -> tuple[FlowContent | None, str | None]:
    """Parsed content and its hash: from the search result, else one Describe call (None:
    that call failed and was recorded)."""
    content, sha = item.get("Content"), item.get(sha_key)
    if not content:
        where = Where(
            "connect",
            operation,
            region=instance.region,
            account=instance.account,
            resource=str(item["Arn"]),
        )
        described = ctx.attempt(describe, where)
        if described is None:
            return None, None
        content, sha = described.get("Content"), described.get(sha_key)
    text = str(content or "")
    parsed = parse_flow_content(text, region=instance.region, account=instance.account)
    return parsed, str(sha) if sha else content_sha256(text)


def _flow(
    ctx: ReadContext, client: ConnectClient, instance: InstanceRef, item: dict[str, Any]
) -> ContactFlow:
    status = item.get("Status", "PUBLISHED")
    flow_id = f"{item['Id']}:$SAVED" if status == "SAVED" else str(item["Id"])
    content, sha = _content(
        ctx,
        instance,
        item,
        "FlowContentSha256",
        "DescribeContactFlow",
        lambda: dict(
            client.describe_contact_flow(InstanceId=instance.id, ContactFlowId=flow_id)[
                "ContactFlow"
            ]
        ),
    )
    return ContactFlow(
        id=str(item["Id"]),
        arn=str(item["Arn"]),
        name=str(item.get("Name", item["Id"])),
        type=str(item.get("Type", "CONTACT_FLOW")),
        state=item.get("State", "ACTIVE"),
        status=status,
        content_sha256=sha,
        content=content,
    )


def read_modules(
    ctx: ReadContext, instance: InstanceRef, statuses: list[FlowStatus]
) -> list[FlowModule] | None:
    """Every ACTIVE module in the policy's statuses, with parsed content (None: search failed)."""
    found = _search_active(
        ctx, instance, statuses, "SearchContactFlowModules", "ContactFlowModules"
    )
    if found is None:
        return None
    client = ctx.clients.connect(instance.region)
    modules = [_module(ctx, client, instance, item) for item in found]
    ctx.progress("connect", "modules", len(modules))
    return sorted(modules, key=lambda module: module.arn)


def _module(
    ctx: ReadContext, client: ConnectClient, instance: InstanceRef, item: dict[str, Any]
) -> FlowModule:
    content, sha = _content(
        ctx,
        instance,
        item,
        "FlowModuleContentSha256",
        "DescribeContactFlowModule",
        lambda: dict(
            client.describe_contact_flow_module(
                InstanceId=instance.id, ContactFlowModuleId=str(item["Id"])
            )["ContactFlowModule"]
        ),
    )
    return FlowModule(
        id=str(item["Id"]),
        arn=str(item["Arn"]),
        name=str(item.get("Name", item["Id"])),
        state=item.get("State", "ACTIVE"),
        status=item.get("Status", "PUBLISHED"),
        content_sha256=sha,
        content=content,
    )


def read_lambda_associations(ctx: ReadContext, instance: InstanceRef) -> list[str] | None:
    """`ListLambdaFunctions`: the function ARNs associated with the instance."""
    client = ctx.clients.connect(instance.region)
    where = Where(
        "connect",
        "ListLambdaFunctions",
        region=instance.region,
        account=instance.account,
        resource=instance.arn,
    )

    def list_all() -> list[str]:
        pages = client.get_paginator("list_lambda_functions").paginate(
            InstanceId=instance.id, PaginationConfig={"PageSize": ASSOCIATIONS_PAGE}
        )
        return [str(arn) for page in pages for arn in page.get("LambdaFunctions", [])]

    found = ctx.attempt(list_all, where)
    if found is None:
        return None
    ctx.progress("connect", "lambda_functions", len(found))
    return sorted(set(found))


# --- hours of operation --------------------------------------------------------------------


def read_hours(
    ctx: ReadContext, instance: InstanceRef, wanted: frozenset[str], now: datetime
) -> list[HoursOfOperation] | None:
    """The hours of operation the policy names (by name, ID or ARN) that this instance has.

    None when they could not all be read: a named one missing from the list would otherwise
    read as "not found".
    """
    client = ctx.clients.connect(instance.region)

    def where(operation: str, resource: str) -> Where:
        return Where(
            "connect",
            operation,
            region=instance.region,
            account=instance.account,
            resource=resource,
        )

    def list_all() -> list[dict[str, Any]]:
        pages = client.get_paginator("list_hours_of_operations").paginate(
            InstanceId=instance.id, PaginationConfig={"PageSize": HOURS_PAGE}
        )
        return [
            dict(item) for page in pages for item in page.get("HoursOfOperationSummaryList", [])
        ]

    summaries = ctx.attempt(list_all, where("ListHoursOfOperations", instance.arn))
    if summaries is None:
        return None
    matched = [
        summary
        for summary in summaries
        if wanted & {str(summary.get(key)) for key in ("Id", "Arn", "Name") if summary.get(key)}
    ]
    found: list[HoursOfOperation] = []
    complete = True
    for summary in matched:
        hours_id, arn = str(summary["Id"]), str(summary["Arn"])
        described = ctx.attempt(
            partial(_describe_hours, client, instance.id, hours_id),
            where("DescribeHoursOfOperation", arn),
        )
        if described is None:
            complete = False
            continue
        overrides = ctx.attempt(
            partial(_overrides, client, instance.id, hours_id),
            where("ListHoursOfOperationOverrides", arn),
        )
        effective = ctx.attempt(
            partial(_effective, client, instance.id, hours_id, now),
            where("GetEffectiveHoursOfOperations", arn),
        )
        found.append(
            HoursOfOperation(
                id=hours_id,
                arn=arn,
                name=str(described.get("Name", summary.get("Name", hours_id))),
                time_zone=str(described.get("TimeZone", "UTC")),
                config=_hours_config(described.get("Config", [])),
                overrides=overrides,
                effective=effective,
            )
        )
    ctx.progress("connect", "hours_of_operation", len(found))
    if not complete:
        return None
    return sorted(found, key=lambda hours: hours.arn)


def _describe_hours(client: ConnectClient, instance_id: str, hours_id: str) -> dict[str, Any]:
    response = client.describe_hours_of_operation(
        InstanceId=instance_id, HoursOfOperationId=hours_id
    )
    return dict(response["HoursOfOperation"])


def _clock(value: Any) -> ClockTime:
    value = value or {}
    return ClockTime(hours=int(value.get("Hours", 0)), minutes=int(value.get("Minutes", 0)))


def _hours_config(config: Any) -> list[HoursConfig]:
    entries = [
        HoursConfig(
            day=entry["Day"], start=_clock(entry.get("StartTime")), end=_clock(entry.get("EndTime"))
        )
        for entry in config or []
    ]
    return sorted(entries, key=lambda entry: entry.model_dump_json())


def _overrides(client: ConnectClient, instance_id: str, hours_id: str) -> list[HoursOverride]:
    pages = client.get_paginator("list_hours_of_operation_overrides").paginate(
        InstanceId=instance_id,
        HoursOfOperationId=hours_id,
        PaginationConfig={"PageSize": OVERRIDES_PAGE},
    )
    overrides = []
    for page in pages:
        for item in page.get("HoursOfOperationOverrideList", []):
            entry: dict[str, Any] = dict(item)
            overrides.append(
                HoursOverride(
                    id=str(entry["HoursOfOperationOverrideId"]),
                    name=entry.get("Name"),
                    type=entry.get("OverrideType") or "STANDARD",
                    effective_from=date.fromisoformat(str(entry["EffectiveFrom"])),
                    effective_till=date.fromisoformat(str(entry["EffectiveTill"])),
                    config=_hours_config(entry.get("Config", [])),
                    recurrence=entry.get("RecurrenceConfig"),
                )
            )
    return sorted(overrides, key=lambda override: override.id)


def effective_range(now: datetime) -> tuple[date, date]:
    """The dates to ask for: the engine's horizon, widened a day each side for time zones."""
    return (now - timedelta(days=1)).date(), (now + HORIZON + timedelta(days=1)).date()


def _effective(
    client: ConnectClient, instance_id: str, hours_id: str, now: datetime
) -> list[EffectiveDay]:
    first, last = effective_range(now)
    response = client.get_effective_hours_of_operations(
        InstanceId=instance_id,
        HoursOfOperationId=hours_id,
        FromDate=first.isoformat(),
        ToDate=last.isoformat(),
    )
    days = []
    for entry in response.get("EffectiveHoursOfOperationList", []):
        day = date.fromisoformat(str(entry["Date"]))
        intervals = [_interval(day, hour) for hour in entry.get("OperationalHours", [])]
        days.append(EffectiveDay(date=day, hours=sorted(intervals, key=lambda i: i.start)))
    return sorted(days, key=lambda item: item.date)


def _interval(day: date, hour: Any) -> OpenInterval:
    start = _clock(hour.get("Start"))
    end = _clock(hour.get("End"))
    opens = datetime.combine(day, time(min(start.hours, 23), start.minutes))
    closes = datetime.combine(day, time(min(end.hours, 23), end.minutes))
    if end.hours == 24 or closes <= opens:
        # An end at or before the start (or 24:00) closes at the next midnight.
        closes = datetime.combine(day + timedelta(days=1), time(0, 0))
    return OpenInterval(start=opens, end=closes)
