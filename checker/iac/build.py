"""A Plan (and, optionally, the deployed state) as a Snapshot the engine judges like any other.

Planned resources replace deployed ones with the same ARN; everything else deployed stays, so a
planned flow is judged against warmers that already exist. What neither the templates nor the
deployed state show (a function defined elsewhere, associations made outside the templates) is
recorded as unread evidence, never as absent.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from checker.domain.arns import LATEST, connect_resource_id, parse_arn, parse_function_arn
from checker.domain.flows import content_sha256, parse_flow_content
from checker.iac.model import Gap, Located, Plan, PlannedFlow, Unknowns, is_unknown
from checker.model.snapshot import (
    CollectionFailure,
    ConnectInstance,
    ContactFlow,
    EventRule,
    FlowContent,
    FlowModule,
    FunctionAlias,
    FunctionPolicy,
    IamRole,
    LambdaFunction,
    ProvisionedConcurrency,
    RolePolicy,
    RuleTarget,
    Schedule,
    ScheduleTarget,
    Snapshot,
)

GAP_CODE = "UnknownBeforeDeploy"
_MARKER = re.compile(r"#\{\?\d+\}")


def to_snapshot(plan: Plan, deployed: Snapshot | None, now: datetime) -> Snapshot:
    builder = _Builder(plan, deployed)
    return builder.build(now)


class _Builder:
    def __init__(self, plan: Plan, deployed: Snapshot | None) -> None:
        self.plan = plan
        self.deployed = deployed
        self.errors: list[CollectionFailure] = list(deployed.errors) if deployed else []

    def gap(self, resource: str, reason: str, where: Located | None) -> None:
        at = f"{where.file}:{where.line}: " if where is not None else ""
        if where is not None:
            self.plan.locate(resource, where)  # so its WARM901 annotates the template line
        self.errors.append(
            CollectionFailure(
                service="iac",
                operation="resolve",
                resource=resource,
                code=GAP_CODE,
                message=f"{at}{reason}",
            )
        )

    def build(self, now: datetime) -> Snapshot:
        for gap in self.plan.gaps:
            self.gap(gap.resource, gap.reason, gap.where)
        instances = self._instances()
        functions = self._functions()
        self._outside_functions(instances, functions)
        deployed = self.deployed
        rules, schedules = self._rules(), self._schedules()
        # Every place a planned resource lives is in the templates' scope: an instance given
        # by ARN, a function in another account the stack grants, never "another account".
        placed: list[ConnectInstance | LambdaFunction | EventRule | Schedule] = [
            *instances,
            *functions,
            *rules,
            *schedules,
        ]
        accounts = {r.account for r in placed} | set(self.plan.accounts)
        regions = {r.region for r in placed} | set(self.plan.regions)
        if deployed is not None:
            accounts |= set(deployed.accounts)
            regions |= set(deployed.regions)
        return Snapshot(
            source="iac",
            collected_at=deployed.collected_at if deployed else now,
            accounts=sorted(accounts),
            regions=sorted(regions),
            instances=instances,
            functions=functions,
            rules=rules,
            schedules=schedules,
            roles=self._roles(),
            errors=self.errors,
        )

    # --- Connect ----------------------------------------------------------------------------

    def _instances(self) -> list[ConnectInstance]:
        defined = {instance.arn: instance for instance in self.plan.instances}
        deployed = {i.arn: i for i in (self.deployed.instances if self.deployed else [])}
        flows_by_instance: dict[str, list[PlannedFlow]] = defaultdict(list)
        for flow in self.plan.flows:
            flows_by_instance[flow.instance_arn].append(flow)
        associated: dict[str, set[str]] = defaultdict(set)
        for association in self.plan.associations:
            associated[association.instance_arn].add(association.function_arn)
        result = [i for arn, i in deployed.items() if arn not in flows_by_instance]
        for arn in sorted(set(flows_by_instance) | set(defined)):
            parsed = parse_arn(arn)
            region = parsed.region if parsed else ""
            account = parsed.account if parsed else ""
            planned_flows = flows_by_instance.get(arn, [])
            flows = [
                ContactFlow.model_validate(self._holder(f, region, account))
                for f in planned_flows
                if not f.module
            ]
            modules = [
                FlowModule.model_validate(self._holder(f, region, account))
                for f in planned_flows
                if f.module
            ]
            existing = deployed.get(arn)
            lambda_functions: list[str] | None = sorted(associated.get(arn, set()))
            hours = None
            if existing is not None:
                planned_arns = {f.arn for f in flows} | {m.arn for m in modules}
                flows = [f for f in existing.flows or [] if f.arn not in planned_arns] + flows
                modules = [m for m in existing.modules or [] if m.arn not in planned_arns] + modules
                hours = existing.hours_of_operation
                if existing.lambda_functions is None:
                    lambda_functions = None
                else:
                    lambda_functions = sorted(
                        set(existing.lambda_functions) | associated.get(arn, set())
                    )
            elif arn in defined:
                hours = []
            elif self._calls_unassociated([*flows, *modules], associated.get(arn, set())):
                where = planned_flows[0].where if planned_flows else None
                self.gap(
                    arn,
                    "the Connect instance is not defined in the templates, so Lambda "
                    "associations made elsewhere are unknown (pass --with-snapshot FILE)",
                    where,
                )
                lambda_functions = None
            if region == "" or account == "" or not account.isdigit() or len(account) != 12:
                where = planned_flows[0].where if planned_flows else None
                self.gap(arn, f"{arn!r} is not a Connect instance ARN", where)
                continue
            alias = defined[arn].alias if arn in defined else existing.alias if existing else None
            result.append(
                ConnectInstance(
                    id=connect_resource_id(arn, "instance"),
                    arn=arn,
                    alias=alias,
                    region=region,
                    account=account,
                    flows=flows,
                    modules=modules,
                    lambda_functions=lambda_functions,
                    hours_of_operation=hours,
                )
            )
        return result

    @staticmethod
    def _calls_unassociated(holders: list[ContactFlow | FlowModule], associated: set[str]) -> bool:
        for holder in holders:
            for reference in holder.content.lambda_references if holder.content else []:
                key = parse_function_arn(reference.function or "")
                if (
                    key is not None
                    and key.function_arn not in associated
                    and (key.arn not in associated)
                ):
                    return True
        return False

    def _content(self, flow: PlannedFlow, region: str, account: str) -> FlowContent | None:
        if flow.content is None:
            self.gap(
                flow.arn, f"its content is unknown before deploy: {flow.content_reason}", flow.where
            )
            return None
        content = parse_flow_content(flow.content, region=region, account=account)
        return _explain_unknowns(content, self.plan.unknowns)

    def _holder(self, flow: PlannedFlow, region: str, account: str) -> dict[str, object]:
        """What a planned flow and a planned module both become."""
        return {
            "id": connect_resource_id(flow.arn, "flow-module" if flow.module else "contact-flow"),
            "arn": flow.arn,
            "name": flow.name,
            "state": "ARCHIVED" if flow.state == "ARCHIVED" else "ACTIVE",
            "content_sha256": content_sha256(flow.content) if flow.content else None,
            "content": self._content(flow, region, account),
        }

    # --- Lambda -----------------------------------------------------------------------------

    def _statements(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        by_qualifier: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for permission in self.plan.permissions:
            key = parse_function_arn(permission.function)
            if key is None:
                self.gap(
                    permission.function,
                    f"{permission.where.label}: {permission.function!r} is not a function ARN",
                    permission.where,
                )
                continue
            statement: dict[str, Any] = {
                "Sid": permission.where.label,
                "Effect": "Allow",
                "Principal": _principal(permission.principal),
                "Action": permission.action,
                "Resource": key.arn,
            }
            condition: dict[str, Any] = {}
            if permission.source_arn:
                condition["ArnLike"] = {"AWS:SourceArn": permission.source_arn}
            if permission.source_account:
                condition["StringEquals"] = {"AWS:SourceAccount": permission.source_account}
            if condition:
                statement["Condition"] = condition
            by_qualifier[(key.function_arn, key.qualifier)].append(statement)
        return by_qualifier

    def _functions(self) -> list[LambdaFunction]:
        statements = self._statements()
        aliases: dict[str, list[FunctionAlias]] = defaultdict(list)
        provisioned: dict[str, list[ProvisionedConcurrency]] = defaultdict(list)
        for alias in self.plan.aliases:
            key = parse_function_arn(alias.function)
            if key is None:
                continue
            aliases[key.function_arn].append(
                FunctionAlias(name=alias.name, function_version=alias.version)
            )
            if alias.provisioned > 0:
                provisioned[key.function_arn].append(
                    ProvisionedConcurrency(
                        qualifier=alias.name,
                        requested=alias.provisioned,
                        available=alias.provisioned,
                        allocated=alias.provisioned,
                    )
                )
        planned: dict[str, LambdaFunction] = {}
        for function in self.plan.functions:
            qualifiers = [LATEST] + [a.name for a in aliases[function.arn]]
            planned[function.arn] = LambdaFunction(
                arn=function.arn,
                name=function.name,
                region=function.region,
                account=function.account,
                exists=True,
                timeout=function.timeout,
                versions=[],
                aliases=aliases[function.arn],
                policies=[
                    FunctionPolicy(
                        qualifier=qualifier,
                        document=_document(statements.get((function.arn, qualifier), [])),
                    )
                    for qualifier in qualifiers
                ],
                provisioned_concurrency=provisioned[function.arn],
            )
        result = list(planned.values())
        for existing in self.deployed.functions if self.deployed else []:
            if existing.arn in planned:
                continue
            result.append(_with_statements(existing, statements))
        return result

    def _outside_functions(
        self, instances: list[ConnectInstance], functions: list[LambdaFunction]
    ) -> None:
        known = {function.arn for function in functions}
        for instance in instances:
            holders: list[ContactFlow | FlowModule] = [
                *(instance.flows or []),
                *(instance.modules or []),
            ]
            for holder in holders:
                for reference in holder.content.lambda_references if holder.content else []:
                    key = parse_function_arn(reference.function or "")
                    if key is None or key.function_arn in known:
                        continue
                    known.add(key.function_arn)
                    self.gap(
                        key.arn,
                        f"{holder.name} calls it, but it is not defined in the templates "
                        "(pass --with-snapshot FILE with the deployed state to judge it)",
                        self.plan.labels.get(holder.arn),
                    )

    # --- EventBridge, Scheduler, IAM ----------------------------------------------------------

    def _rules(self) -> list[EventRule]:
        planned = []
        for rule in self.plan.rules:
            targets = []
            for target in rule.targets:
                if is_unknown(target.arn):
                    self.gap(
                        rule.arn,
                        f"target {target.id} is known only at deploy: "
                        + "; ".join(self.plan.unknowns.reasons_in(target.arn)),
                        rule.where,
                    )
                    continue
                targets.append(
                    RuleTarget(
                        id=target.id,
                        arn=target.arn,
                        role_arn=target.role_arn,
                        input=target.input,
                        input_path=target.input_path,
                    )
                )
            schedule = rule.schedule
            if schedule is not None and is_unknown(schedule):
                self.gap(rule.arn, "its schedule expression is known only at deploy", rule.where)
                schedule = None
            state = rule.state
            if is_unknown(state):
                self.gap(rule.arn, "its State is known only at deploy", rule.where)
            planned.append(
                EventRule(
                    arn=rule.arn,
                    name=rule.name,
                    region=rule.region,
                    account=rule.account,
                    event_bus=rule.bus,
                    state=state,
                    schedule_expression=schedule,
                    targets=targets,
                )
            )
        arns = {rule.arn for rule in planned}
        kept = [r for r in (self.deployed.rules if self.deployed else []) if r.arn not in arns]
        return kept + planned

    def _schedules(self) -> list[Schedule]:
        planned = []
        for schedule in self.plan.schedules:
            state = schedule.state if schedule.state in ("ENABLED", "DISABLED") else "ENABLED"
            if state != schedule.state:
                self.gap(schedule.arn, "its State is known only at deploy", schedule.where)
            try:
                planned.append(
                    Schedule.model_validate(
                        {
                            "arn": schedule.arn,
                            "name": schedule.name,
                            "group": schedule.group,
                            "region": schedule.region,
                            "account": schedule.account,
                            "state": state,
                            "expression": schedule.expression
                            if schedule.expression and not is_unknown(schedule.expression)
                            else None,
                            "timezone": schedule.timezone,
                            "flexible_window_minutes": schedule.flexible_minutes,
                            "start_date": schedule.start,
                            "end_date": schedule.end,
                            "target": ScheduleTarget(
                                arn=schedule.target_arn,
                                role_arn=schedule.role_arn,
                                input=schedule.input,
                            ),
                        }
                    )
                )
            except ValidationError as error:
                detail = error.errors()[0]
                self.gap(
                    schedule.arn,
                    f"{'.'.join(str(p) for p in detail['loc'])}: {detail['msg']}",
                    schedule.where,
                )
        arns = {schedule.arn for schedule in planned}
        deployed = self.deployed.schedules if self.deployed else []
        return [s for s in deployed if s.arn not in arns] + planned

    def _roles(self) -> list[IamRole]:
        planned = []
        # Only a schedule's execution role is judged: a Lambda's own role is not evidence.
        used = {schedule.role_arn for schedule in self.plan.schedules}
        for role in self.plan.roles:
            if role.unknown and role.arn in used:
                self.gap(role.arn, role.unknown, role.where)
            planned.append(
                IamRole(
                    arn=role.arn,
                    exists=True,
                    policies=None
                    if role.unknown
                    else [
                        RolePolicy(name=name, kind="inline", document=document)
                        for name, document in role.documents
                    ],
                )
            )
        arns = {role.arn for role in planned}
        deployed = self.deployed.roles if self.deployed else []
        return [r for r in deployed if r.arn not in arns] + planned


def _principal(principal: str) -> Any:
    if principal == "*":
        return "*"
    if principal.endswith(".amazonaws.com"):
        return {"Service": principal}
    return {"AWS": principal}


def _document(statements: list[dict[str, Any]]) -> str | None:
    if not statements:
        return None  # Lambda answers ResourceNotFoundException: no policy at all
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def _with_statements(
    function: LambdaFunction, statements: dict[tuple[str, str], list[dict[str, Any]]]
) -> LambdaFunction:
    """A deployed function with the planned permissions added to the policies that were read."""
    policies = []
    changed = False
    for policy in function.policies:
        added = statements.get((function.arn, policy.qualifier), [])
        if not added:
            policies.append(policy)
            continue
        changed = True
        existing: list[Any] = []
        if policy.document is not None:
            try:
                loaded = json.loads(policy.document)
                existing = list(loaded.get("Statement", []))
            except (ValueError, AttributeError):
                policies.append(policy)
                continue
        policies.append(
            FunctionPolicy(qualifier=policy.qualifier, document=_document(existing + added))
        )
    return function.model_copy(update={"policies": policies}) if changed else function


def _explain_unknowns(content: FlowContent, unknowns: Unknowns) -> FlowContent:
    """A reference that holds an unknown marker says why, instead of "template text?"."""
    references = []
    for reference in content.lambda_references:
        if reference.value is not None and is_unknown(reference.value):
            reasons = "; ".join(unknowns.reasons_in(reference.value))
            reference = reference.model_copy(
                update={
                    "kind": "placeholder",
                    "value": _MARKER.sub("<unknown>", reference.value),
                    "function": None,
                    "note": f"unknown before deploy: {reasons}",
                }
            )
        references.append(reference)
    return content.model_copy(update={"lambda_references": references})


__all__ = ["GAP_CODE", "Gap", "to_snapshot"]
