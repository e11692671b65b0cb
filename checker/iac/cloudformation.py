"""CloudFormation and SAM templates (JSON or YAML with short-form tags) into a Plan.

cfn-lint's decoder reads the template and keeps the line of every node; a SAM template is
transformed to plain CloudFormation first with aws-sam-translator, offline (no AWS session), and
the resources it generates are located at the SAM resource they came from. Both come with the
optional extra ``warmcheck[iac]``.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checker.domain.arns import resolve_function_reference
from checker.domain.permissions import INVOKE_ACTION
from checker.errors import TemplateError
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
    PlannedInstance,
    PlannedPermission,
    PlannedRole,
    PlannedRule,
    PlannedSchedule,
    PlannedTarget,
    is_unknown,
)
from checker.iac.resolver import NO_VALUE, Resolver, line_of

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
EXTRA_HINT = "install the optional extra: pip install 'warmcheck[iac]'"


def decode_template(path: Path) -> Mapping[str, Any]:
    """The template with line marks; a file cfn-lint cannot read is a TemplateError."""
    try:
        from cfnlint.decode import decode  # the optional extra: imported only when needed
    except ImportError:
        raise TemplateError(
            str(path), "reading CloudFormation needs cfn-lint", hint=EXTRA_HINT
        ) from None
    try:
        template, matches = decode(str(path))
    except UnicodeDecodeError:
        raise TemplateError(
            str(path), "not a text file", hint="give a CloudFormation template in YAML or JSON"
        ) from None
    if matches:
        first = matches[0]
        raise TemplateError(
            str(path),
            f"not a readable template: {first.message}",
            line=first.linenumber,
            column=first.columnnumber,
            hint="fix the YAML or JSON syntax at that line",
        )
    if not isinstance(template, Mapping) or not isinstance(template.get("Resources"), Mapping):
        raise TemplateError(
            str(path),
            "not a CloudFormation template: no Resources section",
            line=1,
            hint="give a template with a Resources mapping",
        )
    return template


def is_sam(template: Mapping[str, Any]) -> bool:
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in names


def sam_to_cloudformation(
    path: Path, template: Mapping[str, Any], region: str
) -> tuple[dict[str, Any], dict[str, int]]:
    """The plain CloudFormation SAM would deploy, and each generated resource's source line."""
    try:
        from samtranslator.parser.parser import Parser
        from samtranslator.translator.translator import Translator
    except ImportError:
        raise TemplateError(
            str(path), "reading a SAM template needs aws-sam-translator", hint=EXTRA_HINT
        ) from None
    lines = {str(key): line_of(key, 1) for key in template["Resources"]}
    plain = json.loads(json.dumps(template))
    # A stand-in session: the translator reads only its region name, so no AWS configuration
    # (and never a credential) is consulted.
    session = types.SimpleNamespace(region_name=region)
    try:
        translated = Translator({}, Parser(), boto_session=session).translate(
            plain, {}, get_managed_policy_map=dict
        )
    except Exception as error:  # the translator raises its own tree of document errors
        message = " ".join(str(error).split())
        raise TemplateError(
            str(path), f"SAM transform failed: {message}", line=1, hint="run `sam validate`"
        ) from None
    located: dict[str, int] = {}
    for logical in translated.get("Resources", {}):
        source = max((name for name in lines if logical.startswith(name)), key=len, default=None)
        located[logical] = lines[source] if source is not None else 1
    return translated, located


def parameter_values(
    template: Mapping[str, Any], given: Mapping[str, str], region: str, account: str
) -> dict[str, Any]:
    """Parameters with a value (given, else Default) and the pseudo parameters."""
    values: dict[str, Any] = {
        "AWS::Region": region,
        "AWS::AccountId": account,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }
    for name, declaration in (template.get("Parameters") or {}).items():
        value: Any = given.get(str(name))
        if value is None and isinstance(declaration, Mapping) and "Default" in declaration:
            value = declaration["Default"]
        if value is None:
            continue
        kind = str(declaration.get("Type", "String")) if isinstance(declaration, Mapping) else ""
        if isinstance(value, str) and ("List" in kind or kind == "CommaDelimitedList"):
            value = [item.strip() for item in value.split(",")]
        values[str(name)] = value if isinstance(value, list) else str(value)
    for name, value in given.items():
        if name.startswith("AWS::"):
            values[name] = value
    return values


def read_template(
    path: Path,
    plan: Plan,
    given: Mapping[str, str],
    *,
    region: str | None = None,
    account: str | None = None,
    display: str | None = None,
) -> None:
    """Add what one CloudFormation or SAM template creates to `plan`."""
    template = decode_template(path)
    region = given.get("AWS::Region") or region or SYMBOLIC_REGION
    account = given.get("AWS::AccountId") or account or SYMBOLIC_ACCOUNT
    resources_lines = {str(key): line_of(key, 1) for key in template["Resources"]}
    if is_sam(template):
        template, resources_lines = sam_to_cloudformation(path, template, region)
    _TemplateReader(
        display or str(path), template, resources_lines, given, region, account, plan
    ).read()


class _TemplateReader:
    def __init__(
        self,
        file: str,
        template: Mapping[str, Any],
        lines: dict[str, int],
        given: Mapping[str, str],
        region: str,
        account: str,
        plan: Plan,
    ) -> None:
        self.file = file
        self.template = template
        self.lines = lines
        self.region = region
        self.account = account
        self.plan = plan
        self.resources: Mapping[str, Any] = template["Resources"]
        self._identities: dict[tuple[str, str | None], Any] = {}
        self._resolving: set[str] = set()
        self.resolver = Resolver(
            file=file,
            template=template,
            parameters=parameter_values(template, given, region, account),
            unknowns=plan.unknowns,
            resource_value=self._resource_value,
        )
        plan.regions.add(region)
        plan.accounts.add(account)

    # --- identities -------------------------------------------------------------------------

    def where(self, logical: str) -> Located:
        resource = self.resources.get(logical)
        metadata = resource.get("Metadata") if isinstance(resource, Mapping) else None
        path = metadata.get("aws:cdk:path") if isinstance(metadata, Mapping) else None
        # A CDK user knows the construct path, not the generated logical ID.
        label = str(path).removesuffix("/Resource") if isinstance(path, str) else logical
        return Located(self.file, self.lines.get(logical, 1), label)

    def _props(self, logical: str) -> Mapping[str, Any]:
        resource = self.resources.get(logical)
        props = resource.get("Properties") if isinstance(resource, Mapping) else None
        return props if isinstance(props, Mapping) else {}

    def _type(self, logical: str) -> str | None:
        resource = self.resources.get(logical)
        if not isinstance(resource, Mapping):
            return None
        return str(resource.get("Type", ""))

    def _name(self, logical: str, prop: str) -> str:
        """The resource's literal name, else its logical ID (CloudFormation generates one)."""
        props = self._props(logical)
        if prop in props and logical not in self._resolving:
            self._resolving.add(logical)
            try:
                value = self.resolver.value(props[prop], self.lines.get(logical, 1))
            finally:
                self._resolving.discard(logical)
            if isinstance(value, str) and value and not is_unknown(value):
                return value
        return logical[:64]

    def _arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"

    def _resource_value(self, logical: str, attribute: str | None) -> Any:
        kind = self._type(logical)
        if kind is None:
            return None
        key = (logical, attribute)
        if key not in self._identities:
            self._identities[key] = self._identity(logical, kind, attribute)
        return self._identities[key]

    def _identity(self, logical: str, kind: str, attribute: str | None) -> Any:
        unknown = self.plan.unknowns.marker(
            f"{'Ref' if attribute is None else attribute} of {logical} ({kind}) "
            "is assigned at deploy"
        )
        if kind == "AWS::Lambda::Function":
            name = self._name(logical, "FunctionName")
            arn = self._arn("lambda", f"function:{name}")
            return {None: name, "Arn": arn}.get(attribute, unknown)
        if kind == "AWS::Lambda::Alias":
            function = self._function_arn(self._props(logical).get("FunctionName"), logical)
            alias = self._name(logical, "Name")
            if function is None:
                return unknown
            return f"{function}:{alias}" if attribute in (None, "AliasArn") else unknown
        if kind == "AWS::Events::Rule":
            name = self._name(logical, "Name")
            bus = self.resolver.text(self._props(logical).get("EventBusName", "default"))
            path = f"rule/{name}" if bus in (None, "default") else f"rule/{bus}/{name}"
            return {None: name, "Arn": self._arn("events", path)}.get(attribute, unknown)
        if kind == "AWS::Scheduler::Schedule":
            name = self._name(logical, "Name")
            group = self.resolver.text(self._props(logical).get("GroupName", "default"))
            arn = self._arn("scheduler", f"schedule/{group or 'default'}/{name}")
            return {None: name, "Arn": arn}.get(attribute, unknown)
        if kind == "AWS::IAM::Role":
            name = self._name(logical, "RoleName")
            arn = self._arn("iam", f"role/{name}", region=False)
            return {None: name, "Arn": arn}.get(attribute, unknown)
        if kind == "AWS::Connect::Instance":
            arn = self._arn("connect", f"instance/{logical}")
            return {None: arn, "Arn": arn, "Id": logical}.get(attribute, unknown)
        if kind in ("AWS::Connect::ContactFlow", "AWS::Connect::ContactFlowModule"):
            instance = self.resolver.text(self._props(logical).get("InstanceArn"))
            if instance is None or is_unknown(instance):
                return unknown
            segment = "flow-module" if kind.endswith("Module") else "contact-flow"
            arn = f"{instance}/{segment}/{logical}"
            return arn if attribute in (None, "ContactFlowArn", "ContactFlowModuleArn") else unknown
        return unknown

    def _function_arn(self, node: Any, logical: str) -> str | None:
        """A FunctionName property (name, partial or full ARN) as a qualified function ARN."""
        value = self.resolver.text(node, self.lines.get(logical, 1))
        if value is None or is_unknown(value):
            return None
        key = resolve_function_reference(value, region=self.region, account=self.account)
        return key.arn if key is not None else None

    # --- resources --------------------------------------------------------------------------

    def read(self) -> None:
        # Role policies last: they attach to roles read before them.
        for logical in sorted(
            (str(key) for key in self.resources),
            key=lambda name: (self._type(name) == "AWS::IAM::Policy", name),
        ):
            resource = self.resources[logical]
            if not isinstance(resource, Mapping):
                raise TemplateError(
                    self.file,
                    f"resource {logical} is not a mapping",
                    line=self.lines.get(logical, 1),
                )
            method = _READERS.get(str(resource.get("Type", "")))
            if method is None:
                continue  # not a resource warmth depends on
            condition = resource.get("Condition")
            if isinstance(condition, str):
                outcome = self.resolver.condition(condition, self.lines.get(logical, 1))
                if outcome is False:
                    continue
                if outcome is None:
                    self.plan.gaps.append(
                        Gap(
                            self._gap_resource(logical),
                            f"{logical} is created only if condition {condition} holds, which "
                            "depends on parameters without values (give them with --parameters)",
                            self.where(logical),
                        )
                    )
            getattr(self, method)(logical, self._props(logical))

    def _gap_resource(self, logical: str) -> str:
        value = self._resource_value(logical, None)
        if isinstance(value, str) and value.startswith("arn:"):
            return value
        arn = self._resource_value(logical, "Arn")
        return arn if isinstance(arn, str) and not is_unknown(arn) else f"{self.file}:{logical}"

    def _text(self, props: Mapping[str, Any], key: str, logical: str) -> str | None:
        return self.resolver.text(props.get(key), self.lines.get(logical, 1))

    def _read_instance(self, logical: str, props: Mapping[str, Any]) -> None:
        arn = str(self._resource_value(logical, "Arn"))
        alias = self._text(props, "InstanceAlias", logical)
        self.plan.instances.append(
            PlannedInstance(
                arn,
                self.region,
                self.account,
                self.where(logical),
                alias if alias and not is_unknown(alias) else None,
            )
        )
        self.plan.locate(arn, self.where(logical))

    def _read_flow(self, logical: str, props: Mapping[str, Any]) -> None:
        self._flow(logical, props, module=False)

    def _read_flow_module(self, logical: str, props: Mapping[str, Any]) -> None:
        self._flow(logical, props, module=True)

    def _flow(self, logical: str, props: Mapping[str, Any], *, module: bool) -> None:
        instance = self._text(props, "InstanceArn", logical) or ""
        arn = self._resource_value(logical, None)
        if is_unknown(instance):
            reasons = "; ".join(self.plan.unknowns.reasons_in(instance))
            # One stand-in per unknown expression: flows that share it share an instance.
            instance = self._arn("connect", f"instance/unresolved-{_marker_id(instance)}")
            arn = f"{instance}/{'flow-module' if module else 'contact-flow'}/{logical}"
            self.plan.gaps.append(
                Gap(instance, f"its Connect instance: {reasons}", self.where(logical))
            )
        name = self._text(props, "Name", logical) or logical
        content: str | None = None
        reason = ""
        if "Content" not in props:
            reason = "it has no Content property (is it included from elsewhere?)"
        else:
            content = self._text(props, "Content", logical)
            if content is not None and is_unknown(content) and content.startswith("#{?"):
                # The whole document is unknown (a parameter, an import): nothing to read.
                reason = "; ".join(self.plan.unknowns.reasons_in(content))
                content = None
        state = self._text(props, "State", logical) or "ACTIVE"
        self.plan.flows.append(
            PlannedFlow(
                arn=str(arn),
                name=name if not is_unknown(name) else logical,
                instance_arn=instance,
                module=module,
                where=self.where(logical),
                content=content,
                content_reason=reason,
                state=state if state in ("ACTIVE", "ARCHIVED") else "ACTIVE",
            )
        )
        self.plan.locate(str(arn), self.where(logical))

    def _read_association(self, logical: str, props: Mapping[str, Any]) -> None:
        if self._text(props, "IntegrationType", logical) != "LAMBDA_FUNCTION":
            return
        instance = self._text(props, "InstanceId", logical)
        function = self._function_arn(props.get("IntegrationArn"), logical)
        if instance is None or is_unknown(instance) or function is None:
            self.plan.gaps.append(
                Gap(
                    f"{self.file}:{logical}",
                    f"{logical}: the instance or function it associates is known only at deploy",
                    self.where(logical),
                )
            )
            return
        self.plan.associations.append(PlannedAssociation(instance, function))

    def _read_function(self, logical: str, props: Mapping[str, Any]) -> None:
        arn = str(self._resource_value(logical, "Arn"))
        name = str(self._resource_value(logical, None))
        timeout = self.resolver.value(props.get("Timeout", 3), self.lines.get(logical, 1))
        self.plan.functions.append(
            PlannedFunction(
                arn=arn,
                name=name,
                region=self.region,
                account=self.account,
                where=self.where(logical),
                timeout=int(timeout) if str(timeout).isdigit() else None,
            )
        )
        self.plan.locate(arn, self.where(logical))

    def _read_alias(self, logical: str, props: Mapping[str, Any]) -> None:
        function = self._function_arn(props.get("FunctionName"), logical)
        name = self._text(props, "Name", logical)
        if function is None or name is None or is_unknown(name):
            return
        version = self._text(props, "FunctionVersion", logical) or "$LATEST"
        provisioned = props.get("ProvisionedConcurrencyConfig")
        amount = 0
        if isinstance(provisioned, Mapping):
            value = self.resolver.value(
                provisioned.get("ProvisionedConcurrentExecutions", 0), self.lines.get(logical, 1)
            )
            amount = int(value) if str(value).isdigit() else 0
        self.plan.aliases.append(PlannedAlias(function, name, version, self.where(logical), amount))
        alias_arn = self._resource_value(logical, None)
        if isinstance(alias_arn, str) and not is_unknown(alias_arn):
            self.plan.locate(alias_arn, self.where(logical))

    def _read_permission(self, logical: str, props: Mapping[str, Any]) -> None:
        function = self._function_arn(props.get("FunctionName"), logical)
        principal = self._text(props, "Principal", logical)
        if principal is None:
            return
        if function is None:
            self.plan.gaps.append(
                Gap(
                    f"{self.file}:{logical}",
                    f"{logical}: the function it permits is known only at deploy",
                    self.where(logical),
                )
            )
            return
        self.plan.permissions.append(
            PlannedPermission(
                function=function,
                principal=principal,
                where=self.where(logical),
                action=self._text(props, "Action", logical) or INVOKE_ACTION,
                source_arn=self._text(props, "SourceArn", logical),
                source_account=self._text(props, "SourceAccount", logical),
            )
        )

    def _read_rule(self, logical: str, props: Mapping[str, Any]) -> None:
        arn = str(self._resource_value(logical, "Arn"))
        targets = []
        raw_targets = self.resolver.value(props.get("Targets", []), self.lines.get(logical, 1))
        for target in raw_targets if isinstance(raw_targets, list) else []:
            if not isinstance(target, dict) or not isinstance(target.get("Arn"), str):
                continue
            targets.append(
                PlannedTarget(
                    id=str(target.get("Id", "")),
                    arn=target["Arn"],
                    input=_optional_text(target.get("Input")),
                    input_path=_optional_text(target.get("InputPath")),
                    role_arn=_optional_text(target.get("RoleArn")),
                )
            )
        bus = self._text(props, "EventBusName", logical) or "default"
        self.plan.rules.append(
            PlannedRule(
                arn=arn,
                name=str(self._resource_value(logical, None)),
                region=self.region,
                account=self.account,
                where=self.where(logical),
                state=self._text(props, "State", logical) or "ENABLED",
                schedule=self._text(props, "ScheduleExpression", logical),
                bus=bus,
                targets=targets,
            )
        )
        self.plan.locate(arn, self.where(logical))

    def _read_schedule(self, logical: str, props: Mapping[str, Any]) -> None:
        arn = str(self._resource_value(logical, "Arn"))
        target = self.resolver.value(props.get("Target", {}), self.lines.get(logical, 1))
        if not isinstance(target, dict) or not isinstance(target.get("Arn"), str):
            return
        window = self.resolver.value(
            props.get("FlexibleTimeWindow", {}), self.lines.get(logical, 1)
        )
        flexible = 0
        if isinstance(window, dict) and window.get("Mode") == "FLEXIBLE":
            value = window.get("MaximumWindowInMinutes", 0)
            flexible = int(value) if str(value).isdigit() else 0
        self.plan.schedules.append(
            PlannedSchedule(
                arn=arn,
                name=str(self._resource_value(logical, None)),
                region=self.region,
                account=self.account,
                where=self.where(logical),
                expression=self._text(props, "ScheduleExpression", logical),
                target_arn=target["Arn"],
                role_arn=_optional_text(target.get("RoleArn")),
                input=_optional_text(target.get("Input")),
                group=self._text(props, "GroupName", logical) or "default",
                state=self._text(props, "State", logical) or "ENABLED",
                timezone=self._text(props, "ScheduleExpressionTimezone", logical) or "UTC",
                flexible_minutes=flexible,
                start=self._text(props, "StartDate", logical),
                end=self._text(props, "EndDate", logical),
            )
        )
        self.plan.locate(arn, self.where(logical))

    def _read_role(self, logical: str, props: Mapping[str, Any]) -> None:
        arn = str(self._resource_value(logical, "Arn"))
        role = PlannedRole(arn, self.where(logical))
        policies = self.resolver.value(props.get("Policies", []), self.lines.get(logical, 1))
        for index, policy in enumerate(policies if isinstance(policies, list) else []):
            if isinstance(policy, dict):
                name = str(policy.get("PolicyName", f"policy{index}"))
                role.documents.append((name, json.dumps(policy.get("PolicyDocument", {}))))
        managed = props.get("ManagedPolicyArns")
        if managed:
            role.unknown = (
                f"{logical} has managed policies (ManagedPolicyArns), whose documents are "
                "outside the templates"
            )
        self.plan.roles.append(role)
        self.plan.locate(arn, self.where(logical))

    def _read_policy(self, logical: str, props: Mapping[str, Any]) -> None:
        roles = self.resolver.value(props.get("Roles", []), self.lines.get(logical, 1))
        document = self.resolver.value(props.get("PolicyDocument", {}), self.lines.get(logical, 1))
        for role_name in roles if isinstance(roles, list) else []:
            for role in self.plan.roles:
                if role.arn.endswith(f":role/{role_name}"):
                    role.documents.append((logical, json.dumps(document)))


# The resource types that matter to warmth, and the method that reads each.
_READERS: dict[str, str] = {
    "AWS::Connect::Instance": "_read_instance",
    "AWS::Connect::ContactFlowModule": "_read_flow_module",
    "AWS::Connect::ContactFlow": "_read_flow",
    "AWS::Connect::IntegrationAssociation": "_read_association",
    "AWS::Lambda::Function": "_read_function",
    "AWS::Lambda::Alias": "_read_alias",
    "AWS::Lambda::Permission": "_read_permission",
    "AWS::Events::Rule": "_read_rule",
    "AWS::Scheduler::Schedule": "_read_schedule",
    "AWS::IAM::Role": "_read_role",
    "AWS::IAM::Policy": "_read_policy",
}


def _marker_id(text: str) -> str:
    return "-".join(re.findall(r"#\{\?(\d+)\}", text)) or "0"


def _optional_text(value: Any) -> str | None:
    if value is None or value is NO_VALUE:
        return None
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
