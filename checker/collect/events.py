"""EventBridge: the scheduled rules on the default bus and their targets.

`ListRules` (100 a page) on the default bus, then `ListTargetsByRule` (100 a page) only for rules
with a ScheduleExpression. Only scheduled rules go into the snapshot: a rule driven by an event
pattern never fires on a clock, so it cannot warm anything, and listing it would only add noise.
"""

from __future__ import annotations

from typing import Any

from checker.collect.base import ReadContext, Where
from checker.domain.arns import parse_arn
from checker.model.snapshot import EventRule, InputTransformer, RuleTarget

PAGE = 100  # Limit's max for ListRules and ListTargetsByRule in botocore's events model
DEFAULT_BUS = "default"


def list_scheduled_rules(ctx: ReadContext, region: str) -> list[dict[str, Any]] | None:
    """The default bus's rules that have a ScheduleExpression (None: could not be listed)."""
    client = ctx.clients.events(region)
    where = Where("events", "ListRules", region=region, account=ctx.account)

    def list_all() -> list[dict[str, Any]]:
        pages = client.get_paginator("list_rules").paginate(
            EventBusName=DEFAULT_BUS, PaginationConfig={"PageSize": PAGE}
        )
        return [dict(rule) for page in pages for rule in page.get("Rules", [])]

    rules = ctx.attempt(list_all, where)
    if rules is None:
        return None
    scheduled = [rule for rule in rules if rule.get("ScheduleExpression")]
    ctx.progress("events", "rules", len(scheduled))
    return scheduled


def read_rule(ctx: ReadContext, region: str, rule: dict[str, Any]) -> EventRule:
    """One scheduled rule with its targets (targets None: they could not be read)."""
    client = ctx.clients.events(region)
    arn = str(rule["Arn"])
    parsed = parse_arn(arn)
    account = parsed.account if parsed is not None and parsed.account else ctx.account
    where = Where("events", "ListTargetsByRule", region=region, account=account, resource=arn)

    def list_targets() -> list[RuleTarget]:
        pages = client.get_paginator("list_targets_by_rule").paginate(
            Rule=str(rule["Name"]),
            EventBusName=DEFAULT_BUS,
            PaginationConfig={"PageSize": PAGE},
        )
        return [_target(dict(target)) for page in pages for target in page.get("Targets", [])]

    targets = ctx.attempt(list_targets, where)
    ctx.progress("events", "targets", len(targets or []))
    return EventRule(
        arn=arn,
        name=str(rule["Name"]),
        region=region,
        account=account,
        event_bus=str(rule.get("EventBusName") or DEFAULT_BUS),
        state=str(rule.get("State", "ENABLED")),
        schedule_expression=rule.get("ScheduleExpression"),
        managed_by=rule.get("ManagedBy"),
        targets=sorted(targets, key=lambda target: target.id) if targets is not None else None,
    )


def _target(target: dict[str, Any]) -> RuleTarget:
    transformer = target.get("InputTransformer")
    return RuleTarget(
        id=str(target["Id"]),
        arn=str(target["Arn"]),
        role_arn=target.get("RoleArn"),
        input=target.get("Input"),
        input_path=target.get("InputPath"),
        input_transformer=(
            InputTransformer(
                input_paths_map=dict(transformer.get("InputPathsMap") or {}),
                input_template=str(transformer["InputTemplate"]),
            )
            if transformer
            else None
        ),
    )
