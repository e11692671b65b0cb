"""Terraform plan JSON (`terraform show -json PLAN`) into a Plan.

`resource_changes[].change.after` holds what each resource will look like; a resource the plan
deletes is gone. Values Terraform knows only after apply (`after_unknown`) are looked up in
`configuration`: an expression that references another resource (`aws_lambda_function.x.arn`)
resolves to that resource's symbolic identity, so "the target is the function this plan
creates" is judged exactly; anything else stays unknown with its reason. Lines point into the
plan file, as code scanning shows them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checker.domain.arns import parse_arn, resolve_function_reference
from checker.domain.permissions import INVOKE_ACTION
from checker.iac.model import (
    SYMBOLIC_ACCOUNT,
    SYMBOLIC_REGION,
    Gap,
    Located,
    Plan,
    PlannedAlias,
    PlannedAssociation,
    PlannedFlow,
    PlannedFunction,
    PlannedPermission,
    PlannedRole,
    PlannedRule,
    PlannedSchedule,
    PlannedTarget,
    is_unknown,
)
from checker.load.documents import LoadedDocument

_INDEX = re.compile(r"\[[^\]]*\]")


def is_terraform_plan(data: Mapping[str, Any]) -> bool:
    return "format_version" in data and ("resource_changes" in data or "planned_values" in data)


def read_plan(
    path: Path,
    document: LoadedDocument,
    plan: Plan,
    given: Mapping[str, str],
) -> None:
    _PlanReader(path, document, plan, given).read()


class _PlanReader:
    def __init__(
        self, path: Path, document: LoadedDocument, plan: Plan, given: Mapping[str, str]
    ) -> None:
        self.path = path
        self.file = str(path)
        self.document = document
        self.data: Mapping[str, Any] = document.data
        self.plan = plan
        changes = self.data.get("resource_changes") or []
        self.changes: list[tuple[int, Mapping[str, Any]]] = [
            (index, change)
            for index, change in enumerate(changes)
            if isinstance(change, Mapping)
            and change.get("mode", "managed") == "managed"
            and isinstance(change.get("change"), Mapping)
        ]
        self.by_address = {str(c.get("address")): (i, c) for i, c in self.changes}
        self.region = given.get("AWS::Region") or self._region() or SYMBOLIC_REGION
        self.account = given.get("AWS::AccountId") or self._account() or SYMBOLIC_ACCOUNT
        plan.regions.add(self.region)
        plan.accounts.add(self.account)

    # --- the plan's region and account --------------------------------------------------------

    def _region(self) -> str | None:
        providers = (self.data.get("configuration") or {}).get("provider_config") or {}
        aws = providers.get("aws") if isinstance(providers, Mapping) else None
        if isinstance(aws, Mapping):
            region = ((aws.get("expressions") or {}).get("region") or {}).get("constant_value")
            if isinstance(region, str):
                return region
        return self._from_known_arns("region")

    def _account(self) -> str | None:
        return self._from_known_arns("account")

    def _from_known_arns(self, part: str) -> str | None:
        found = set()
        for _, change in self.changes:
            after = change["change"].get("after")
            arn = after.get("arn") if isinstance(after, Mapping) else None
            parsed = parse_arn(arn) if isinstance(arn, str) else None
            if parsed is not None and getattr(parsed, part):
                found.add(getattr(parsed, part))
        if part == "account":
            found = {account for account in found if re.fullmatch(r"\d{12}", account)}
        return sorted(found)[0] if len(found) == 1 else None

    # --- values -------------------------------------------------------------------------------

    def where(self, index: int, address: str) -> Located:
        position = self.document.source.locate(["resource_changes", index])
        return Located(self.file, position[0] if position else 1, address)

    def value(self, address: str, *path: str | int) -> Any:
        """An attribute of a planned resource: its known value, a symbolic identity of the
        resource it references, or an unknown marker; None when it is not set."""
        _, change = self.by_address[address]
        after: Any = change["change"].get("after")
        unknown: Any = change["change"].get("after_unknown")
        for segment in path:
            after = _child(after, segment)
            unknown = _child(unknown, segment)
        if unknown is True:
            return self._from_configuration(address, path)
        return after

    def _from_configuration(self, address: str, path: tuple[str | int, ...]) -> Any:
        expression = _child(self._configuration(address), "expressions")
        for segment in path:
            expression = _child(expression, segment)
        references = expression.get("references") if isinstance(expression, Mapping) else None
        module = _module_prefix(address)
        for reference in references or []:
            parts = str(reference).split(".")
            if parts[0] in ("var", "local", "data", "module", "path", "count", "each"):
                continue
            if len(parts) >= 3:
                target = module + _INDEX.sub("", f"{parts[0]}.{parts[1]}")
                identity = self.identity(target, parts[2])
                if identity is not None:
                    return identity
        what = ".".join(str(p) for p in path)
        return self.plan.unknowns.marker(f"{address}.{what} is known only after apply")

    def _configuration(self, address: str) -> Any:
        parts = _INDEX.sub("", address).split(".")
        module: Any = (self.data.get("configuration") or {}).get("root_module") or {}
        while parts and parts[0] == "module" and len(parts) > 2:
            module = _child(_child(_child(module, "module_calls"), parts[1]), "module")
            parts = parts[2:]
        wanted = ".".join(parts)
        for resource in _child(module, "resources") or []:
            if isinstance(resource, Mapping) and resource.get("address") == wanted:
                return resource
        return None

    def identity(self, address: str, attribute: str) -> str | None:
        """A planned resource's attribute that is fixed by its name: its symbolic identity."""
        matches = [a for a in self.by_address if _INDEX.sub("", a) == address]
        if len(matches) != 1:
            return None
        (exact,) = matches
        kind = str(self.by_address[exact][1].get("type"))
        known = self.value(exact, attribute) if attribute != "arn" else None
        if isinstance(known, str) and not is_unknown(known):
            return known
        after = self.by_address[exact][1]["change"].get("after") or {}
        if isinstance(after.get(attribute), str):
            return str(after[attribute])
        name = self._known(exact, "function_name" if kind == "aws_lambda_function" else "name")
        if name is None:
            return None
        if kind == "aws_lambda_function" and attribute in ("arn", "function_name"):
            return self._arn("lambda", f"function:{name}") if attribute == "arn" else name
        if kind == "aws_cloudwatch_event_rule" and attribute in ("arn", "name", "id"):
            return self._arn("events", f"rule/{name}") if attribute == "arn" else name
        if kind == "aws_scheduler_schedule" and attribute == "arn":
            group = self._known(exact, "group_name") or "default"
            return self._arn("scheduler", f"schedule/{group}/{name}")
        if kind == "aws_iam_role" and attribute in ("arn", "name", "id"):
            return f"arn:aws:iam::{self.account}:role/{name}" if attribute == "arn" else name
        if kind == "aws_lambda_alias" and attribute == "arn":
            function = self._function_arn(exact, "function_name")
            return f"{function}:{name}" if function else None
        return None

    def _known(self, address: str, *path: str | int) -> str | None:
        value = self.value(address, *path)
        return value if isinstance(value, str) and not is_unknown(value) else None

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def _function_arn(self, address: str, attribute: str) -> str | None:
        value = self._known(address, attribute)
        if value is None:
            return None
        key = resolve_function_reference(value, region=self.region, account=self.account)
        return key.function_arn if key is not None else None

    # --- resources ----------------------------------------------------------------------------

    def _gap(self, address: str, reason: str, where: Located) -> None:
        self.plan.gaps.append(Gap(f"{self.file}:{address}", f"{address}: {reason}", where))

    def read(self) -> None:
        rules: dict[str, PlannedRule] = {}
        roles: dict[str, PlannedRole] = {}
        later: list[tuple[int, str, str]] = []
        for index, change in self.changes:
            address = str(change.get("address"))
            actions = change["change"].get("actions") or []
            if change["change"].get("after") is None or actions == ["delete"]:
                continue
            kind = str(change.get("type"))
            where = self.where(index, address)
            if kind in ("aws_cloudwatch_event_target", "aws_iam_role_policy"):
                later.append((index, address, kind))
            elif kind == "aws_cloudwatch_event_rule":
                rules[address] = self._rule(address, where)
            elif kind == "aws_iam_role":
                roles[address] = self._role(address, where)
            else:
                reader = getattr(self, "_read_" + kind, None)
                if reader is not None:
                    reader(address, where)
        for index, address, kind in later:
            where = self.where(index, address)
            if kind == "aws_cloudwatch_event_target":
                self._target(address, where, rules)
            else:
                self._role_policy(address, where, roles)
        self.plan.rules.extend(rules.values())
        self.plan.roles.extend(roles.values())

    def _instance_arn(self, address: str, attribute: str) -> str:
        value = self.value(address, attribute)
        if isinstance(value, str) and value.startswith("arn:"):
            return value
        if isinstance(value, str) and not is_unknown(value):
            return self._arn("connect", f"instance/{value}")
        return self._arn("connect", f"instance/unresolved-{_INDEX.sub('', address)}")

    def _flow(self, address: str, where: Located, *, module: bool) -> None:
        instance = self._instance_arn(address, "instance_id")
        if "/instance/unresolved-" in instance:
            self.plan.gaps.append(
                Gap(instance, f"the Connect instance of {address} is known only after apply", where)
            )
        arn = self._known(address, "arn") or (
            f"{instance}/{'flow-module' if module else 'contact-flow'}/"
            + re.sub(r"[^A-Za-z0-9_-]", "-", address)[:64]
        )
        content = self.value(address, "content")
        reason = ""
        if not isinstance(content, str) or is_unknown(content):
            content, reason = self._flow_file(address)
        self.plan.flows.append(
            PlannedFlow(
                arn=arn,
                name=self._known(address, "name") or address,
                instance_arn=instance,
                module=module,
                where=where,
                content=content,
                content_reason=reason,
            )
        )
        self.plan.locate(arn, where)

    def _flow_file(self, address: str) -> tuple[str | None, str]:
        filename = self._known(address, "filename")
        if filename is None:
            reason = (
                f"{address}.content is known only after apply (templatefile() or a "
                "value from a resource not yet created)"
            )
            return None, reason
        candidate = (self.path.parent / filename).resolve()
        try:
            return candidate.read_text(encoding="utf-8"), ""
        except (OSError, UnicodeDecodeError):
            return None, f"{address}.filename {filename!r} could not be read beside the plan"

    def _read_aws_connect_contact_flow(self, address: str, where: Located) -> None:
        self._flow(address, where, module=False)

    def _read_aws_connect_contact_flow_module(self, address: str, where: Located) -> None:
        self._flow(address, where, module=True)

    def _read_aws_connect_lambda_function_association(self, address: str, where: Located) -> None:
        instance = self._instance_arn(address, "instance_id")
        function = self._function_arn(address, "function_arn")
        if function is None or "/instance/unresolved-" in instance:
            self._gap(address, "the instance or function is known only after apply", where)
            return
        self.plan.associations.append(PlannedAssociation(instance, function))

    def _read_aws_lambda_function(self, address: str, where: Located) -> None:
        name = self._known(address, "function_name")
        arn = self.identity(_INDEX.sub("", address), "arn") if name else None
        if name is None or arn is None:
            self._gap(address, "its name is known only after apply", where)
            return
        timeout = self.value(address, "timeout")
        self.plan.functions.append(
            PlannedFunction(
                arn=self._known(address, "arn") or arn,
                name=name,
                region=self.region,
                account=self.account,
                where=where,
                timeout=timeout if isinstance(timeout, int) else 3,
            )
        )
        self.plan.locate(self._known(address, "arn") or arn, where)

    def _read_aws_lambda_alias(self, address: str, where: Located) -> None:
        function = self._function_arn(address, "function_name")
        name = self._known(address, "name")
        if function is None or name is None:
            return
        version = self._known(address, "function_version") or "$LATEST"
        self.plan.aliases.append(PlannedAlias(function, name, version, where))
        self.plan.locate(f"{function}:{name}", where)

    def _read_aws_lambda_permission(self, address: str, where: Located) -> None:
        function = self._function_arn(address, "function_name")
        principal = self._known(address, "principal")
        if function is None or principal is None:
            self._gap(address, "the function or principal is known only after apply", where)
            return
        qualifier = self._known(address, "qualifier")
        self.plan.permissions.append(
            PlannedPermission(
                function=f"{function}:{qualifier}" if qualifier else function,
                principal=principal,
                where=where,
                action=self._known(address, "action") or INVOKE_ACTION,
                source_arn=_text(self.value(address, "source_arn")),
                source_account=_text(self.value(address, "source_account")),
            )
        )

    def _rule(self, address: str, where: Located) -> PlannedRule:
        name = self._known(address, "name") or _INDEX.sub("", address).split(".")[-1]
        arn = self._known(address, "arn") or self._arn("events", f"rule/{name}")
        state = self._known(address, "state")
        if state is None:
            enabled = self.value(address, "is_enabled")
            state = "DISABLED" if enabled is False else "ENABLED"
        rule = PlannedRule(
            arn=arn,
            name=name,
            region=self.region,
            account=self.account,
            where=where,
            state=state,
            schedule=_text(self.value(address, "schedule_expression")),
            bus=self._known(address, "event_bus_name") or "default",
        )
        self.plan.locate(arn, where)
        return rule

    def _target(self, address: str, where: Located, rules: Mapping[str, PlannedRule]) -> None:
        rule_name = self.value(address, "rule")
        rule = next((r for r in rules.values() if r.name == rule_name), None)
        if rule is None:
            self._gap(address, f"targets rule {rule_name!r}, which this plan does not hold", where)
            return
        arn = self.value(address, "arn")
        rule.targets.append(
            PlannedTarget(
                id=self._known(address, "target_id") or address,
                arn=arn if isinstance(arn, str) else self.plan.unknowns.marker(f"{address}.arn"),
                input=_text(self.value(address, "input")),
                input_path=_text(self.value(address, "input_path")),
                role_arn=_text(self.value(address, "role_arn")),
            )
        )

    def _read_aws_scheduler_schedule(self, address: str, where: Located) -> None:
        name = self._known(address, "name") or address
        arn = self._known(address, "arn") or self.identity(_INDEX.sub("", address), "arn")
        target_arn = self.value(address, "target", 0, "arn")
        if arn is None or not isinstance(target_arn, str):
            return
        window = self.value(address, "flexible_time_window", 0) or {}
        flexible = 0
        if isinstance(window, Mapping) and window.get("mode") == "FLEXIBLE":
            minutes = window.get("maximum_window_in_minutes")
            flexible = minutes if isinstance(minutes, int) else 0
        self.plan.schedules.append(
            PlannedSchedule(
                arn=arn,
                name=name,
                region=self.region,
                account=self.account,
                where=where,
                expression=_text(self.value(address, "schedule_expression")),
                target_arn=target_arn,
                role_arn=_text(self.value(address, "target", 0, "role_arn")),
                input=_text(self.value(address, "target", 0, "input")),
                group=self._known(address, "group_name") or "default",
                state=self._known(address, "state") or "ENABLED",
                timezone=self._known(address, "schedule_expression_timezone") or "UTC",
                flexible_minutes=flexible,
                start=self._known(address, "start_date") or None,
                end=self._known(address, "end_date") or None,
            )
        )
        self.plan.locate(arn, where)

    def _role(self, address: str, where: Located) -> PlannedRole:
        arn = self._known(address, "arn") or self.identity(_INDEX.sub("", address), "arn")
        role = PlannedRole(arn or f"{self.file}:{address}", where)
        for index, inline in enumerate(self.value(address, "inline_policy") or []):
            if isinstance(inline, Mapping) and isinstance(inline.get("policy"), str):
                role.documents.append((str(inline.get("name") or index), inline["policy"]))
        if self.value(address, "managed_policy_arns"):
            role.unknown = f"{address} has managed policies, whose documents are outside the plan"
        self.plan.locate(role.arn, where)
        return role

    def _role_policy(self, address: str, where: Located, roles: Mapping[str, PlannedRole]) -> None:
        role_name = self.value(address, "role")
        policy = self.value(address, "policy")
        for role in roles.values():
            if isinstance(role_name, str) and role.arn.endswith(f":role/{role_name}"):
                if isinstance(policy, str) and not is_unknown(policy):
                    role.documents.append((address, policy))
                else:
                    role.unknown = f"{address}: its policy is known only after apply"


def _child(value: Any, segment: str | int) -> Any:
    if isinstance(segment, int):
        return value[segment] if isinstance(value, list) and len(value) > segment else None
    return value.get(segment) if isinstance(value, Mapping) else None


def _module_prefix(address: str) -> str:
    parts = address.split(".")
    prefix = []
    while len(parts) > 2 and parts[0] == "module":
        prefix += parts[:2]
        parts = parts[2:]
    return ".".join(prefix) + "." if prefix else ""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
