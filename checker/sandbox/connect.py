"""Amazon Connect, in memory: instances, flows, modules, Lambda associations, hours of operation.

moto implements only Connect instances, so the sandbox serves the whole Connect API the collector
uses itself, keyed per account and region. Shapes, page limits and error codes come from
botocore's ``connect`` model; the server validates every input against it before a handler runs
and every output after. Flow and module ``Content`` is stored exactly as given (AWS would validate
it; a sandbox that tests an unparsable flow must be able to hold one).
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from checker.sandbox.connect_hours import effective_hours
from checker.sandbox.paging import page
from checker.sandbox.wire import ApiError

Params = dict[str, Any]
Result = dict[str, Any]

_LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}"
    r"(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$"
)


def _now() -> datetime:
    return datetime.now(UTC)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _not_found(kind: str, ident: str) -> ApiError:
    return ApiError("ResourceNotFoundException", f"{kind} not found: {ident}")


def _invalid(message: str) -> ApiError:
    return ApiError("InvalidParameterException", message)


@dataclass
class _Flow:
    id: str
    arn: str
    name: str
    type: str
    description: str | None
    tags: dict[str, str]
    published: str | None
    saved: str | None
    region: str
    modified: datetime = field(default_factory=_now)
    state: str = "ACTIVE"

    def view(self, *, saved: bool = False) -> Result:
        """The ContactFlow shape: published content, or the draft when asked for ``$SAVED``."""
        if saved and self.saved is not None:
            content, status = self.saved, "SAVED"
        elif self.published is not None:
            content, status = self.published, "PUBLISHED"
        else:
            content, status = self.saved or "", "SAVED"
        return {
            "Arn": self.arn,
            "Id": self.id,
            "Name": self.name,
            "Type": self.type,
            "State": self.state,
            "Status": status,
            "Description": self.description,
            "Content": content,
            "Tags": self.tags or None,
            "FlowContentSha256": _sha256(content),
            "LastModifiedTime": self.modified,
            "LastModifiedRegion": self.region,
        }

    @property
    def status(self) -> str:
        return "PUBLISHED" if self.published is not None else "SAVED"


@dataclass
class _Module:
    id: str
    arn: str
    name: str
    description: str | None
    content: str
    tags: dict[str, str]
    settings: str | None
    external_invocation: Mapping[str, Any] | None
    state: str = "ACTIVE"
    status: str = "PUBLISHED"

    def view(self) -> Result:
        return {
            "Arn": self.arn,
            "Id": self.id,
            "Name": self.name,
            "Content": self.content,
            "Description": self.description,
            "State": self.state,
            "Status": self.status,
            "Tags": self.tags or None,
            "FlowModuleContentSha256": _sha256(self.content),
            "Settings": self.settings,
            "ExternalInvocationConfiguration": self.external_invocation,
        }


@dataclass
class _Hours:
    id: str
    arn: str
    name: str
    description: str | None
    timezone: str
    config: list[dict[str, Any]]
    parents: list[str]
    tags: dict[str, str]
    region: str
    overrides: list[dict[str, Any]] = field(default_factory=list)
    modified: datetime = field(default_factory=_now)


@dataclass
class _Instance:
    id: str
    arn: str
    alias: str | None
    identity: str
    inbound: bool
    outbound: bool
    tags: dict[str, str]
    created: datetime = field(default_factory=_now)
    flows: dict[str, _Flow] = field(default_factory=dict)
    modules: dict[str, _Module] = field(default_factory=dict)
    hours: dict[str, _Hours] = field(default_factory=dict)
    lambdas: list[str] = field(default_factory=list)
    module_tokens: dict[str, str] = field(default_factory=dict)

    def summary(self, account: str) -> Result:
        return {
            "Id": self.id,
            "Arn": self.arn,
            "IdentityManagementType": self.identity,
            "InstanceAlias": self.alias,
            "CreatedTime": self.created,
            "ServiceRole": (
                f"arn:aws:iam::{account}:role/aws-service-role/connect.amazonaws.com/"
                f"AWSServiceRoleForAmazonConnect_{self.id.replace('-', '')[:20]}"
            ),
            "InstanceStatus": "ACTIVE",
            "InboundCallsEnabled": self.inbound,
            "OutboundCallsEnabled": self.outbound,
            "InstanceAccessUrl": f"https://{self.alias or self.id}.my.connect.aws",
        }


@dataclass
class _Region:
    instances: dict[str, _Instance] = field(default_factory=dict)
    instance_tokens: dict[str, str] = field(default_factory=dict)


class ConnectBackend:
    """Connect state for every account and region, behind one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._regions: dict[tuple[str, str], _Region] = {}
        self._handlers: dict[str, Callable[[_Region, Params, str, str], Result]] = {
            "CreateInstance": self._create_instance,
            "ListInstances": self._list_instances,
            "DescribeInstance": self._describe_instance,
            "CreateContactFlow": self._create_flow,
            "DescribeContactFlow": self._describe_flow,
            "ListContactFlows": self._list_flows,
            "SearchContactFlows": self._search_flows,
            "UpdateContactFlowContent": self._update_flow_content,
            "CreateContactFlowModule": self._create_module,
            "DescribeContactFlowModule": self._describe_module,
            "ListContactFlowModules": self._list_modules,
            "SearchContactFlowModules": self._search_modules,
            "AssociateLambdaFunction": self._associate_lambda,
            "DisassociateLambdaFunction": self._disassociate_lambda,
            "ListLambdaFunctions": self._list_lambdas,
            "CreateHoursOfOperation": self._create_hours,
            "DescribeHoursOfOperation": self._describe_hours,
            "ListHoursOfOperations": self._list_hours,
            "CreateHoursOfOperationOverride": self._create_override,
            "ListHoursOfOperationOverrides": self._list_overrides,
            "GetEffectiveHoursOfOperations": self._effective_hours,
        }

    @property
    def operations(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def reset(self) -> None:
        with self._lock:
            self._regions.clear()

    def handle(self, operation: str, params: Params, account: str, region: str) -> Result:
        handler = self._handlers.get(operation)
        if handler is None:
            raise ApiError(
                "InvalidRequestException",
                f"the warmcheck sandbox does not implement connect:{operation}",
                400,
            )
        with self._lock:
            state = self._regions.setdefault((account, region), _Region())
            return handler(state, params, account, region)

    # -- instances ------------------------------------------------------------------------

    def _create_instance(self, state: _Region, p: Params, account: str, region: str) -> Result:
        token = p.get("ClientToken")
        if token and token in state.instance_tokens:
            known = state.instances[state.instance_tokens[token]]
            return {"Id": known.id, "Arn": known.arn}
        identity = p["IdentityManagementType"]
        alias = p.get("InstanceAlias")
        if identity in ("SAML", "CONNECT_MANAGED") and not alias:
            raise ApiError("InvalidRequestException", f"InstanceAlias is required for {identity}")
        if identity == "EXISTING_DIRECTORY" and not p.get("DirectoryId"):
            raise ApiError("InvalidRequestException", "DirectoryId is required")
        if alias and any(i.alias == alias for i in state.instances.values()):
            raise ApiError("InvalidRequestException", f"instance alias {alias} is already in use")
        ident = str(uuid.uuid4())
        arn = f"arn:aws:connect:{region}:{account}:instance/{ident}"
        state.instances[ident] = _Instance(
            ident,
            arn,
            alias,
            identity,
            bool(p["InboundCallsEnabled"]),
            bool(p["OutboundCallsEnabled"]),
            dict(p.get("Tags") or {}),
        )
        if token:
            state.instance_tokens[token] = ident
        return {"Id": ident, "Arn": arn}

    def _list_instances(self, state: _Region, p: Params, account: str, region: str) -> Result:
        items = [i.summary(account) for i in state.instances.values()]
        page, token = _page("ListInstances", items, p)
        return {"InstanceSummaryList": page, "NextToken": token}

    def _describe_instance(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        view = instance.summary(account)
        view["Tags"] = instance.tags or None
        return {"Instance": view}

    # -- flows ----------------------------------------------------------------------------

    def _create_flow(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        name = p["Name"]
        if any(f.name == name for f in instance.flows.values()):
            raise ApiError("DuplicateResourceException", f"a flow named {name} already exists")
        ident = str(uuid.uuid4())
        content = p["Content"]
        published = p.get("Status", "PUBLISHED") == "PUBLISHED"
        flow = _Flow(
            id=ident,
            arn=f"{instance.arn}/contact-flow/{ident}",
            name=name,
            type=p["Type"],
            description=p.get("Description"),
            tags=dict(p.get("Tags") or {}),
            published=content if published else None,
            saved=None if published else content,
            region=region,
        )
        instance.flows[ident] = flow
        return {
            "ContactFlowId": ident,
            "ContactFlowArn": flow.arn,
            "FlowContentSha256": _sha256(content),
        }

    def _describe_flow(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        flow, qualifier = _flow(instance, p["ContactFlowId"])
        if qualifier == "$SAVED":
            return {"ContactFlow": flow.view(saved=True)}
        if flow.published is None:
            raise ApiError(
                "ContactFlowNotPublishedException",
                f"flow {flow.id} has no published content; describe {flow.id}:$SAVED",
            )
        return {"ContactFlow": flow.view()}

    def _list_flows(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        types = set(p.get("ContactFlowTypes") or [])
        items = [
            {
                "Id": f.id,
                "Arn": f.arn,
                "Name": f.name,
                "ContactFlowType": f.type,
                "ContactFlowState": f.state,
                "ContactFlowStatus": f.status,
            }
            for f in instance.flows.values()
            if not types or f.type in types
        ]
        page, token = _page("ListContactFlows", items, p)
        return {"ContactFlowSummaryList": page, "NextToken": token}

    def _search_flows(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        criteria = p.get("SearchCriteria") or {}
        _check_criteria(criteria)
        views = [f.view(saved=f.published is None) for f in instance.flows.values()]
        search_filter = p.get("SearchFilter") or {}
        hits = [
            v
            for v in views
            if _matches(criteria, v, flows=True) and _filter_matches(search_filter, v)
        ]
        page, token = _page("SearchContactFlows", hits, p)
        return {"ContactFlows": page, "NextToken": token, "ApproximateTotalCount": len(hits)}

    def _update_flow_content(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        flow, qualifier = _flow(instance, p["ContactFlowId"])
        # Updating a published flow publishes; ":$SAVED" (or an unpublished flow) saves a draft.
        if qualifier == "$SAVED" or flow.published is None:
            flow.saved = p["Content"]
        else:
            flow.published, flow.saved = p["Content"], None
        flow.modified = _now()
        return {}

    # -- modules --------------------------------------------------------------------------

    def _create_module(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        token = p.get("ClientToken")
        if token and token in instance.module_tokens:
            known = instance.modules[instance.module_tokens[token]]
            return {"Id": known.id, "Arn": known.arn}
        name = p["Name"]
        if any(m.name == name for m in instance.modules.values()):
            raise ApiError(
                "DuplicateResourceException", f"a flow module named {name} already exists"
            )
        ident = str(uuid.uuid4())
        module = _Module(
            id=ident,
            arn=f"{instance.arn}/flow-module/{ident}",
            name=name,
            description=p.get("Description"),
            content=p["Content"],
            tags=dict(p.get("Tags") or {}),
            settings=p.get("Settings"),
            external_invocation=p.get("ExternalInvocationConfiguration"),
        )
        instance.modules[ident] = module
        if token:
            instance.module_tokens[token] = ident
        return {"Id": ident, "Arn": module.arn}

    def _describe_module(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        return {"ContactFlowModule": _module(instance, p["ContactFlowModuleId"]).view()}

    def _list_modules(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        wanted = p.get("ContactFlowModuleState")
        items = [
            {"Id": m.id, "Arn": m.arn, "Name": m.name, "State": m.state}
            for m in instance.modules.values()
            if wanted is None or m.state == wanted
        ]
        page, token = _page("ListContactFlowModules", items, p)
        return {"ContactFlowModulesSummaryList": page, "NextToken": token}

    def _search_modules(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        criteria = p.get("SearchCriteria") or {}
        _check_criteria(criteria)
        hits = [m.view() for m in instance.modules.values()]
        search_filter = p.get("SearchFilter") or {}
        hits = [
            v
            for v in hits
            if _matches(criteria, v, flows=False) and _filter_matches(search_filter, v)
        ]
        page, token = _page("SearchContactFlowModules", hits, p)
        return {"ContactFlowModules": page, "NextToken": token, "ApproximateTotalCount": len(hits)}

    # -- Lambda associations --------------------------------------------------------------

    def _associate_lambda(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        arn = p["FunctionArn"]
        if not _LAMBDA_ARN.match(arn):
            raise _invalid(f"FunctionArn is not a Lambda function ARN: {arn}")
        if arn in instance.lambdas:
            raise ApiError("ResourceConflictException", f"{arn} is already associated")
        instance.lambdas.append(arn)
        return {}

    def _disassociate_lambda(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        arn = p["FunctionArn"]
        if arn not in instance.lambdas:
            raise _not_found("Lambda function association", arn)
        instance.lambdas.remove(arn)
        return {}

    def _list_lambdas(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        page, token = _page("ListLambdaFunctions", list(instance.lambdas), p)
        return {"LambdaFunctions": page, "NextToken": token}

    # -- hours of operation ---------------------------------------------------------------

    def _create_hours(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        name = p["Name"]
        if any(h.name == name for h in instance.hours.values()):
            raise ApiError("DuplicateResourceException", f"hours of operation {name} already exist")
        _check_timezone(p["TimeZone"])
        parents = [
            _hours(instance, parent["HoursOfOperationId"]).id
            for parent in p.get("ParentHoursOfOperationConfigs") or []
        ]
        ident = str(uuid.uuid4())
        hours = _Hours(
            id=ident,
            arn=f"{instance.arn}/operating-hours/{ident}",
            name=name,
            description=p.get("Description"),
            timezone=p["TimeZone"],
            config=list(p["Config"]),
            parents=parents,
            tags=dict(p.get("Tags") or {}),
            region=region,
        )
        instance.hours[ident] = hours
        return {"HoursOfOperationId": ident, "HoursOfOperationArn": hours.arn}

    def _describe_hours(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        hours = _hours(instance, p["HoursOfOperationId"])
        parents = [instance.hours[parent] for parent in hours.parents]
        return {
            "HoursOfOperation": {
                "HoursOfOperationId": hours.id,
                "HoursOfOperationArn": hours.arn,
                "Name": hours.name,
                "Description": hours.description,
                "TimeZone": hours.timezone,
                "Config": hours.config,
                "ParentHoursOfOperations": [
                    {"Name": h.name, "Id": h.id, "Arn": h.arn} for h in parents
                ]
                or None,
                "Tags": hours.tags or None,
                "LastModifiedTime": hours.modified,
                "LastModifiedRegion": hours.region,
            }
        }

    def _list_hours(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        items = [
            {
                "Id": h.id,
                "Arn": h.arn,
                "Name": h.name,
                "LastModifiedTime": h.modified,
                "LastModifiedRegion": h.region,
            }
            for h in instance.hours.values()
        ]
        page, token = _page("ListHoursOfOperations", items, p)
        return {"HoursOfOperationSummaryList": page, "NextToken": token}

    def _create_override(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        hours = _hours(instance, p["HoursOfOperationId"])
        name = p["Name"]
        if any(o["Name"] == name for o in hours.overrides):
            raise ApiError("DuplicateResourceException", f"override {name} already exists")
        first, last = (
            _date(p["EffectiveFrom"], "EffectiveFrom"),
            _date(p["EffectiveTill"], "EffectiveTill"),
        )
        if last < first:
            raise _invalid("EffectiveTill must not be before EffectiveFrom")
        ident = str(uuid.uuid4())
        override = {
            "HoursOfOperationOverrideId": ident,
            "HoursOfOperationId": hours.id,
            "HoursOfOperationArn": hours.arn,
            "Name": name,
            "Description": p.get("Description"),
            "Config": list(p["Config"]),
            "EffectiveFrom": p["EffectiveFrom"],
            "EffectiveTill": p["EffectiveTill"],
            "RecurrenceConfig": p.get("RecurrenceConfig"),
            "OverrideType": p.get("OverrideType"),
        }
        hours.overrides.append(override)
        hours.modified = _now()
        return {"HoursOfOperationOverrideId": ident}

    def _list_overrides(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        hours = _hours(instance, p["HoursOfOperationId"])
        page, token = _page("ListHoursOfOperationOverrides", list(hours.overrides), p)
        return {
            "HoursOfOperationOverrideList": page,
            "NextToken": token,
            "LastModifiedRegion": hours.region,
            "LastModifiedTime": hours.modified,
        }

    def _effective_hours(self, state: _Region, p: Params, account: str, region: str) -> Result:
        instance = _instance(state, p["InstanceId"])
        hours = _hours(instance, p["HoursOfOperationId"])
        first, last = _date(p["FromDate"], "FromDate"), _date(p["ToDate"], "ToDate")
        if last < first:
            raise _invalid("ToDate must not be before FromDate")
        # A child inherits its parents' overrides (Connect's hours-of-operation hierarchy).
        overrides = [o for parent in hours.parents for o in instance.hours[parent].overrides]
        overrides += hours.overrides
        effective, override_days = effective_hours(hours.config, overrides, first, last)
        return {
            "EffectiveHoursOfOperationList": effective,
            "EffectiveOverrideHoursList": override_days,
            "TimeZone": hours.timezone,
        }


# -- lookups ------------------------------------------------------------------------------


def _resource_id(value: str, kind: str) -> str:
    """The ID in ``arn:...:instance/<id>`` or ``.../<kind>/<id>``, or the value if it is an ID."""
    match = re.search(rf"[:/]{kind}/([^/]+)$", value) if value.startswith("arn:") else None
    return match.group(1) if match else value


def _instance(state: _Region, ident: str) -> _Instance:
    instance = state.instances.get(_resource_id(ident, "instance"))
    if instance is None:
        raise _not_found("instance", ident)
    return instance


def _flow(instance: _Instance, ident: str) -> tuple[_Flow, str | None]:
    """A flow by ID or ARN, with its qualifier (``$SAVED`` or a version) if one is given."""
    bare, _, qualifier = _resource_id(ident, "contact-flow").partition(":")
    flow = instance.flows.get(bare)
    if flow is None or (ident.startswith("arn:") and not ident.startswith(instance.arn + "/")):
        raise _not_found("contact flow", ident)
    if qualifier and qualifier != "$SAVED":
        raise _not_found("contact flow version", ident)
    return flow, qualifier or None


def _module(instance: _Instance, ident: str) -> _Module:
    bare = _resource_id(ident, "flow-module").partition(":")[0]
    module = instance.modules.get(bare)
    if module is None:
        raise _not_found("flow module", ident)
    return module


def _hours(instance: _Instance, ident: str) -> _Hours:
    hours = instance.hours.get(_resource_id(ident, "operating-hours"))
    if hours is None:
        raise _not_found("hours of operation", ident)
    return hours


def _check_timezone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _invalid(f"TimeZone is not a valid time zone: {name}") from None


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _invalid(f"{name} is not a date (YYYY-MM-DD): {value}") from None


# -- search -------------------------------------------------------------------------------


def _matches(criteria: Mapping[str, Any], view: Mapping[str, Any], *, flows: bool) -> bool:
    """Whether a flow or module view satisfies a (recursive) search criteria object."""
    if "AndConditions" in criteria and not all(
        _matches(c, view, flows=flows) for c in criteria["AndConditions"]
    ):
        return False
    if "OrConditions" in criteria and not any(
        _matches(c, view, flows=flows) for c in criteria["OrConditions"]
    ):
        return False
    if flows and "TypeCondition" in criteria and view["Type"] != criteria["TypeCondition"]:
        return False
    if "StateCondition" in criteria and view["State"] != criteria["StateCondition"]:
        return False
    if "StatusCondition" in criteria and view["Status"] != criteria["StatusCondition"]:
        return False
    condition = criteria.get("StringCondition")
    return condition is None or _string_matches(condition, view)


def _tag_matches(tags: Mapping[str, str], condition: Mapping[str, Any]) -> bool:
    key, value = condition.get("TagKey"), condition.get("TagValue")
    if key is None or key not in tags:
        return False
    return value is None or tags[key] == value


def _tags_match(tag_filter: Mapping[str, Any], tags: Mapping[str, str]) -> bool:
    if "TagCondition" in tag_filter and not _tag_matches(tags, tag_filter["TagCondition"]):
        return False
    if not all(_tag_matches(tags, c) for c in tag_filter.get("AndConditions", ())):
        return False
    groups = tag_filter.get("OrConditions")
    return not groups or any(all(_tag_matches(tags, c) for c in group) for group in groups)


def _attributes_match(condition: Mapping[str, Any], view: Mapping[str, Any]) -> bool:
    tags = view.get("Tags") or {}
    wanted_type = (condition.get("ContactFlowTypeCondition") or {}).get("ContactFlowType")
    if wanted_type is not None and view.get("Type") != wanted_type:
        return False
    if "TagCondition" in condition and not _tag_matches(tags, condition["TagCondition"]):
        return False
    return all(_tag_matches(tags, c) for c in condition.get("TagConditions", ()))


def _filter_matches(search_filter: Mapping[str, Any], view: Mapping[str, Any]) -> bool:
    """The SearchFilter part of a search: tag conditions and (flows only) flow type."""
    if "TagFilter" in search_filter and not _tags_match(
        search_filter["TagFilter"], view.get("Tags") or {}
    ):
        return False
    attributes = search_filter.get("FlowAttributeFilter")
    if not attributes:
        return True
    if not _attributes_match(attributes, view):
        return False
    if "AndCondition" in attributes and not _attributes_match(attributes["AndCondition"], view):
        return False
    alternatives = attributes.get("OrConditions")
    return not alternatives or any(_attributes_match(c, view) for c in alternatives)


_SEARCH_FIELDS = {"name": "Name", "description": "Description"}


def _check_criteria(criteria: Mapping[str, Any]) -> None:
    """Reject what Connect rejects in search criteria, whether or not anything would match."""
    for nested in (*criteria.get("AndConditions", ()), *criteria.get("OrConditions", ())):
        _check_criteria(nested)
    condition = criteria.get("StringCondition")
    if condition is None:
        return
    field_name = condition.get("FieldName")
    if field_name not in _SEARCH_FIELDS:
        raise _invalid(f"StringCondition.FieldName must be name or description, not {field_name}")
    value, comparison = condition.get("Value"), condition.get("ComparisonType")
    if value is None or comparison is None:
        raise _invalid("StringCondition needs Value and ComparisonType")
    if comparison == "CONTAINS" and not 2 <= len(value) <= 25:
        raise _invalid("a CONTAINS value must be 2 to 25 characters")


def _string_matches(condition: Mapping[str, Any], view: Mapping[str, Any]) -> bool:
    value = condition["Value"]
    actual = view.get(_SEARCH_FIELDS[condition["FieldName"]]) or ""
    comparison = condition["ComparisonType"]
    if comparison == "EXACT":
        return bool(actual == value)
    if comparison == "STARTS_WITH":
        return bool(actual.startswith(value))
    return value in actual


def _page(operation: str, items: list[Any], p: Params) -> tuple[list[Any], str | None]:
    return page("connect", operation, items, p, error="InvalidParameterException")
