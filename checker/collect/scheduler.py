"""EventBridge Scheduler: the schedules that invoke a Lambda function.

`ListSchedules` (all groups, 100 a page) gives each schedule's target ARN; `GetSchedule` is
called only when that ARN is a Lambda function (a templated target) or the universal
``arn:aws:scheduler:::aws-sdk:lambda:invoke`` target, whose input names the function. Other
schedules (an SQS message, a Step Functions run) cannot warm a function and are left out.

A schedule whose `GetSchedule` failed is left out too, with its failure: the snapshot cannot
say "role unknown" (a missing role reads as "no role", which would be a wrong WARM004).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from checker.collect.base import ReadContext, Where
from checker.domain.arns import FunctionKey, parse_arn
from checker.domain.targets import invokes_lambda, schedule_invocation
from checker.model.snapshot import Schedule, ScheduleTarget

PAGE = 100  # MaxResults' max for ListSchedules in botocore's scheduler model


def list_lambda_schedules(ctx: ReadContext, region: str) -> list[dict[str, Any]] | None:
    """Summaries of every schedule (any group) whose target can invoke Lambda."""
    client = ctx.clients.scheduler(region)
    where = Where("scheduler", "ListSchedules", region=region, account=ctx.account)

    def list_all() -> list[dict[str, Any]]:
        pages = client.get_paginator("list_schedules").paginate(PaginationConfig={"PageSize": PAGE})
        return [dict(item) for page in pages for item in page.get("Schedules", [])]

    summaries = ctx.attempt(list_all, where)
    if summaries is None:
        return None
    chosen = [s for s in summaries if invokes_lambda(str((s.get("Target") or {}).get("Arn", "")))]
    ctx.progress("scheduler", "schedules", len(chosen))
    return chosen


def read_schedule(ctx: ReadContext, region: str, summary: dict[str, Any]) -> Schedule | None:
    """`GetSchedule` for one Lambda-invoking schedule (None: it could not be read)."""
    client = ctx.clients.scheduler(region)
    arn = str(summary["Arn"])
    group = str(summary.get("GroupName") or "default")
    parsed = parse_arn(arn)
    account = parsed.account if parsed is not None and parsed.account else ctx.account
    where = Where("scheduler", "GetSchedule", region=region, account=account, resource=arn)

    def get() -> dict[str, Any]:
        return dict(client.get_schedule(Name=str(summary["Name"]), GroupName=group))

    detail = ctx.attempt(get, where)
    if detail is None:
        return None
    target: dict[str, Any] = dict(detail.get("Target") or {})
    window: dict[str, Any] = dict(detail.get("FlexibleTimeWindow") or {})
    flexible = (
        int(window.get("MaximumWindowInMinutes") or 0) if window.get("Mode") == "FLEXIBLE" else 0
    )
    start, end = detail.get("StartDate"), detail.get("EndDate")
    return Schedule(
        arn=arn,
        name=str(detail.get("Name", summary["Name"])),
        group=str(detail.get("GroupName") or group),
        region=region,
        account=account,
        state=detail.get("State", summary.get("State", "ENABLED")),
        expression=detail.get("ScheduleExpression"),
        timezone=str(detail.get("ScheduleExpressionTimezone") or "UTC"),
        flexible_window_minutes=flexible,
        start_date=start.astimezone(UTC) if start is not None else None,
        end_date=end.astimezone(UTC) if end is not None else None,
        target=ScheduleTarget(
            arn=str(target.get("Arn", (summary.get("Target") or {}).get("Arn", ""))),
            role_arn=target.get("RoleArn"),
            input=target.get("Input"),
        ),
    )


def schedule_function(schedule: Schedule) -> FunctionKey | None:
    """The function (and qualifier) a schedule invokes, templated or universal."""
    target = schedule.target
    return schedule_invocation(
        target.arn, target.input, region=schedule.region, account=schedule.account
    )[0]
