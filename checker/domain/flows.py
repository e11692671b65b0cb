"""Reading the Amazon Connect flow language: which Lambdas and modules a flow can invoke.

`parse_flow_content` turns whatever a collector (or a snapshot author) holds for a flow or a
module into a `FlowContent`: the raw Content JSON text, the parsed document, or a
``DescribeContactFlow``/``DescribeContactFlowModule`` response. It never raises: content it
cannot read comes back as ``readable=False`` with a one-line reason, so the engine reports
unread evidence instead of a flow that "calls nothing".

`reachable_modules` follows ``InvokeFlowModule`` references from a flow into the modules it can
reach, transitively and cycle-safe.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from checker.domain.arns import connect_resource_id, parse_arn, resolve_function_reference
from checker.load import untrusted_json
from checker.model.snapshot import FlowContent, FlowModule, LambdaReference, ModuleReference

INVOKE_LAMBDA = "InvokeLambdaFunction"
INVOKE_MODULE = "InvokeFlowModule"

_WRAPPERS = ("ContactFlow", "ContactFlowModule")
# A JSON string may hold a wrapper whose Content holds the document: a few levels, never a loop.
_MAX_UNWRAP = 4
# Connect resource IDs are UUIDs; accept any ID-like token so hand-made snapshots work too.
_MODULE_ID = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# A version or alias after the module ID (``<id>:<qualifier>``) still names that module.
_MODULE_QUALIFIER = re.compile(r"^\$?[A-Za-z0-9_-]{1,128}$")
# Lambda parameter names people write instead of LambdaFunctionARN (legacy export, samples).
_NON_STANDARD_FUNCTION_KEYS = ("functionarn", "lambdafunctionarn", "lambdaarn", "functionname")

Kind = Literal["static", "dynamic", "placeholder", "missing"]


@dataclass(frozen=True, slots=True)
class ModuleWalk:
    """The modules a flow can reach, and the module references that lead nowhere."""

    modules: tuple[FlowModule, ...] = ()
    """Every module reached, once, in first-reached (breadth-first, document) order; modules
    whose content is unreadable or unread are included (the engine reports them) but not
    followed."""
    missing: tuple[tuple[str | None, ModuleReference], ...] = ()
    """(ARN of the module holding the reference or None for the root, reference) for each static
    reference whose module_id is not in the modules given."""


_NO_MODULES = ModuleWalk()


def content_sha256(content: str) -> str:
    """Hex SHA-256 of the raw Content text, for collectors that get no FlowContentSha256."""
    return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()


def parse_flow_content(
    content: object, *, region: str, account: str, partition: str = "aws"
) -> FlowContent:
    """The Lambda and module references of one flow or module. Never raises.

    `content` may be the flow-language document (a dict), that document as JSON text (str or
    bytes), or a ``{"ContactFlow": {...}}`` / ``{"ContactFlowModule": {...}}`` response, or the
    inner ContactFlow shape itself, as a dict or as JSON text. Bare names and partial ARNs
    resolve against `region`, `account` and `partition`.
    """
    loaded = _load_document(content)
    if isinstance(loaded, str):
        return FlowContent(readable=False, error=loaded)
    actions, start = loaded
    lambdas: list[LambdaReference] = []
    modules: list[ModuleReference] = []
    for index, action in enumerate(actions):
        # Not an object: not an action Connect could run, and nothing to read from it.
        if not isinstance(action, dict):
            continue
        action_type = action.get("Type")
        if action_type == INVOKE_LAMBDA:
            lambdas.append(
                _lambda_reference(
                    _action_id(action, index), action.get("Parameters"), region, account, partition
                )
            )
        elif action_type == INVOKE_MODULE:
            modules.append(_module_reference(_action_id(action, index), action.get("Parameters")))
    raw_values = [r.value for r in lambdas if r.kind == "dynamic"]
    raw_values += [r.value for r in modules if r.kind == "dynamic"]
    wanted = {a for v in raw_values if v is not None for a in [_attribute_read(v)] if a}
    if wanted:
        values = attribute_values(actions, start, wanted)
        lambdas = [_derive_lambda(r, values, region, account, partition) for r in lambdas]
        modules = [_derive_module(r, values) for r in modules]
    return FlowContent(readable=True, lambda_references=lambdas, module_references=modules)


def reachable_modules(content: FlowContent, modules_by_id: Mapping[str, FlowModule]) -> ModuleWalk:
    """Every module `content` can invoke, directly or through other modules.

    Breadth-first from the root, references in document order, each module visited once (by
    ARN), so cycles end and the order is deterministic. Only static references are followed;
    dynamic, placeholder and missing ones are the engine's to report from the content itself.
    """
    if not content.readable or not content.module_references:
        return _NO_MODULES  # most flows invoke no module: nothing to walk
    reached: dict[str, FlowModule] = {}
    missing: list[tuple[str | None, ModuleReference]] = []
    pending: deque[tuple[str | None, FlowContent | None]] = deque([(None, content)])
    while pending:
        holder, body = pending.popleft()
        if body is None or not body.readable:
            continue
        for reference in body.module_references:
            if reference.kind != "static" or reference.module_id is None:
                continue
            module = modules_by_id.get(reference.module_id)
            if module is None:
                missing.append((holder, reference))
                continue
            if module.arn in reached:
                continue
            reached[module.arn] = module
            pending.append((module.arn, module.content))
    return ModuleWalk(modules=tuple(reached.values()), missing=tuple(missing))


# --- loading -----------------------------------------------------------------------------


def _load_document(content: object) -> tuple[list[Any], object] | str:
    """The document's Actions list and StartAction, or a one-line reason it is unreadable."""
    value = content
    for _ in range(_MAX_UNWRAP):
        if isinstance(value, bytes | bytearray):
            try:
                value = bytes(value).decode("utf-8")
            except UnicodeDecodeError as error:
                return f"Content is not UTF-8 text: {error.reason} at byte {error.start}"
        if isinstance(value, str):
            try:
                value = untrusted_json.loads(value)
            except json.JSONDecodeError as error:
                return (
                    f"invalid JSON in Content: {error.msg} at char {error.pos} "
                    f"(line {error.lineno} column {error.colno})"
                )
            except (ValueError, RecursionError) as error:
                # Digit-limit and nesting-depth failures are not JSONDecodeErrors.
                return f"invalid JSON in Content: {_one_line(str(error) or type(error).__name__)}"
            if isinstance(value, str):
                # JSON text that encodes a string: the document was serialised twice.
                continue
        if not isinstance(value, dict):
            return f"Content is a JSON {_json_type(value)}, not a flow-language object"
        if "Actions" in value:
            actions = value["Actions"]
            if not isinstance(actions, list):
                return f"Actions is a JSON {_json_type(actions)}, not a list"
            return actions, value.get("StartAction")
        wrapper = next((key for key in _WRAPPERS if key in value), None)
        if wrapper is not None:
            inner = value[wrapper]
            if not isinstance(inner, dict):
                return f"{wrapper} is a JSON {_json_type(inner)}, not an object"
            if "Content" not in inner:
                return f"{wrapper} has no Content"
            value = inner["Content"]
            continue
        if "Content" in value:
            value = value["Content"]
            continue
        if "modules" in value:
            return (
                "legacy console export ({modules: ...}), not the flow language: "
                "re-export the flow or read it with DescribeContactFlow"
            )
        return "no Actions list: not a flow-language document"
    return f"Content is nested more than {_MAX_UNWRAP} levels deep"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _action_id(action: dict[Any, Any], index: int) -> str:
    identifier = action.get("Identifier")
    if isinstance(identifier, str) and identifier:
        return identifier
    if isinstance(identifier, int) and not isinstance(identifier, bool):
        return str(identifier)
    # No usable Identifier: point at the action by its place in the document instead.
    return f"Actions[{index}]"


def _show(value: object) -> str:
    """A parameter value for a note: JSON, so strings are quoted and objects stay one line."""
    try:
        return json.dumps(value, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        # Non-string dict keys of mixed types, circular structures: fall back to repr.
        return repr(value)


# --- InvokeLambdaFunction ----------------------------------------------------------------


def _lambda_reference(
    action: str, parameters: object, region: str, account: str, partition: str
) -> LambdaReference:
    notes: list[str] = []
    if not isinstance(parameters, dict):
        notes.append(f"Parameters is a JSON {_json_type(parameters)}, not an object")
        parameters = {}
    timeout = _timeout(parameters, notes)
    invocation_type = _invocation_type(parameters, notes)

    value: str | None = None
    kind: Kind
    function: str | None = None
    if "LambdaFunctionARN" not in parameters or parameters["LambdaFunctionARN"] is None:
        kind = "missing"
        absent = "no LambdaFunctionARN parameter"
        if "LambdaFunctionARN" in parameters:
            absent = "LambdaFunctionARN is null"
        notes.insert(0, absent + _non_standard_function_keys(parameters))
    else:
        raw = parameters["LambdaFunctionARN"]
        if isinstance(raw, str):
            value = raw
            kind, function, note = _classify_function(raw, region, account, partition)
            if note:
                notes.insert(0, note)
        else:
            # An unrendered IaC expression ({"Fn::GetAtt": ...}) or a number: not a name or ARN.
            value = _show(raw)
            kind = "placeholder"
            notes.insert(0, f"LambdaFunctionARN is a JSON {_json_type(raw)}, not a string")
    return LambdaReference(
        action=action,
        value=value,
        kind=kind,
        function=function,
        timeout_seconds=timeout,
        invocation_type=invocation_type,
        note="; ".join(notes) or None,
    )


def _classify_function(
    value: str, region: str, account: str, partition: str
) -> tuple[Kind, str | None, str | None]:
    stripped = value.strip()
    if stripped.startswith("$."):
        return "dynamic", None, "LambdaFunctionARN is set dynamically: resolved at run time"
    key = resolve_function_reference(stripped, region=region, account=account, partition=partition)
    if key is not None:
        return "static", key.arn, None
    if not stripped:
        return "placeholder", None, "LambdaFunctionARN is empty"
    return (
        "placeholder",
        None,
        "LambdaFunctionARN is not a Lambda function name or ARN (template text?)",
    )


def _non_standard_function_keys(parameters: dict[Any, Any]) -> str:
    found = [
        f"{key}={_show(parameters[key])}"
        for key in parameters
        if isinstance(key, str)
        and key != "LambdaFunctionARN"
        and key.lower() in _NON_STANDARD_FUNCTION_KEYS
    ]
    if not found:
        return ""
    return f"; non-standard parameter {', '.join(found)} is not read by Connect"


def _timeout(parameters: dict[Any, Any], notes: list[str]) -> int | None:
    if "InvocationTimeLimitSeconds" not in parameters:
        return None
    raw = parameters["InvocationTimeLimitSeconds"]
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            pass
    notes.append(f"InvocationTimeLimitSeconds {_show(raw)} is not a static integer")
    return None


def _invocation_type(
    parameters: dict[Any, Any], notes: list[str]
) -> Literal["SYNCHRONOUS", "ASYNCHRONOUS"]:
    raw = parameters.get("InvocationType")
    if raw is None:
        return "SYNCHRONOUS"
    if isinstance(raw, str):
        normalised = raw.strip().upper()
        if normalised == "ASYNCHRONOUS":
            return "ASYNCHRONOUS"
        if normalised == "SYNCHRONOUS":
            return "SYNCHRONOUS"
    # Synchronous is the stricter reading: the caller waits, so a cold start is heard.
    notes.append(
        f"InvocationType {_show(raw)} is not SYNCHRONOUS or ASYNCHRONOUS: read as SYNCHRONOUS"
    )
    return "SYNCHRONOUS"


# --- InvokeFlowModule --------------------------------------------------------------------


def _module_reference(action: str, parameters: object) -> ModuleReference:
    if not isinstance(parameters, dict) or parameters.get("FlowModuleId") is None:
        # ModuleReference has no note: a ContactFlowModuleId written instead is not accepted.
        return ModuleReference(action=action, value=None, kind="missing")
    raw = parameters["FlowModuleId"]
    if not isinstance(raw, str):
        return ModuleReference(action=action, value=_show(raw), kind="placeholder")
    stripped = raw.strip()
    if stripped.startswith("$."):
        return ModuleReference(
            action=action,
            value=raw,
            kind="dynamic",
            note="FlowModuleId is set dynamically: resolved at run time",
        )
    module_id = _module_id(stripped)
    if module_id is None:
        return ModuleReference(
            action=action,
            value=raw,
            kind="placeholder",
            note="FlowModuleId is not a module ID or ARN (template text?)",
        )
    return ModuleReference(action=action, value=raw, kind="static", module_id=module_id)


def _module_id(value: str) -> str | None:
    """The module ID from a bare ID or a flow-module ARN, or None when it is neither."""
    if value.startswith("arn:"):
        arn = parse_arn(value)
        if arn is None or arn.service != "connect" or "/flow-module/" not in arn.resource:
            return None
        if not arn.resource.startswith("instance/"):
            return None
        value = connect_resource_id(value, "flow-module")
    identifier, _, qualifier = value.partition(":")
    if _MODULE_ID.match(identifier) is None:
        return None
    if qualifier and _MODULE_QUALIFIER.match(qualifier) is None:
        return None
    return identifier


# --- attributes the flow sets itself -----------------------------------------------------

SET_FLOW_ATTRIBUTES = "UpdateFlowAttributes"
SET_CONTACT_ATTRIBUTES = "UpdateContactAttributes"
_FLOW = "FlowAttributes"
_CONTACT = "Attributes"
# `$.FlowAttributes.name` / `$.Attributes.name`: one attribute the flow may have set itself.
_ATTRIBUTE_READ = re.compile(r"^\$\.(FlowAttributes|Attributes)\.([^.\s\[\]'\"]+)$")

Attribute = tuple[str, str]  # (namespace, name)


@dataclass(frozen=True, slots=True)
class SetValue:
    """Every path so far ends with a set of this exact text, by one of `setters`."""

    value: str
    setters: frozenset[str]


@dataclass(frozen=True, slots=True, order=True)
class Unknown:
    """No single literal: `rank` orders the reasons so a join always picks the same one."""

    rank: int
    reason: str


_PARTIAL = Unknown(1, "not set on every path from the flow's start")
_CONFLICT = Unknown(2, "set to different values on different paths")
AttributeValue = SetValue | Unknown
# Absent from a state: not set on any path reaching the action.
State = dict[Attribute, AttributeValue]


def _attribute_read(value: str) -> Attribute | None:
    match = _ATTRIBUTE_READ.match(value.strip())
    if match is None:
        return None
    return match.group(1), match.group(2)


def attribute_values(actions: list[Any], start: object, wanted: set[Attribute]) -> dict[str, State]:
    """What each of `wanted` holds on entry to each action, by action Identifier.

    A forward data-flow pass to a fixed point over every transition (NextAction, Errors,
    Conditions, loops included): a value is a literal only when every path from StartAction
    ends with a set of that same literal. Each attribute's value only climbs (absent or a
    literal, then Unknown by rank), so each action changes a bounded number of times: the work
    is linear in actions x attributes. Actions StartAction cannot reach are absent.
    """
    wanted = _with_copied_sources(actions, wanted)
    by_id: dict[str, int] = {}
    for index, action in enumerate(actions):
        if isinstance(action, dict) and isinstance(action.get("Identifier"), str):
            by_id.setdefault(action["Identifier"], index)
    states: dict[int, State] = {}
    first = by_id.get(start) if isinstance(start, str) else None
    pending: deque[int] = deque()
    if first is not None:
        states[first] = {}
        pending.append(first)
    queued = set(pending)
    while pending:
        index = pending.popleft()
        queued.discard(index)
        action = actions[index]
        on_success, on_error = _transfer(action, states[index], wanted)
        for target, state in _successors(action, by_id, on_success, on_error):
            old = states.get(target)
            new = state if old is None else _join(old, state)
            if old is None or new != old:
                states[target] = new
                if target not in queued:
                    queued.add(target)
                    pending.append(target)
    entry: dict[str, State] = {}
    for index, state in sorted(states.items()):
        identifier = _action_id(actions[index], index)
        entry[identifier] = state if identifier not in entry else _join(entry[identifier], state)
    return entry


def _with_copied_sources(actions: list[Any], wanted: set[Attribute]) -> set[Attribute]:
    """`wanted` plus every attribute a set copies into one of them, transitively."""
    copies: list[tuple[Attribute, Attribute]] = []
    for action in actions:
        if not isinstance(action, dict) or not isinstance(action.get("Parameters"), dict):
            continue
        namespace = {SET_FLOW_ATTRIBUTES: _FLOW, SET_CONTACT_ATTRIBUTES: _CONTACT}.get(
            action.get("Type")  # type: ignore[arg-type]
        )
        written = action["Parameters"].get(namespace) if namespace else None
        if not isinstance(written, dict):
            continue
        for name, raw in written.items():
            if isinstance(raw, dict):
                raw = raw.get("Value")
            source = (
                _attribute_read(raw) if isinstance(raw, str) and isinstance(name, str) else None
            )
            if source is not None and namespace is not None:
                copies.append(((namespace, name), source))
    closed = set(wanted)
    grew = True
    while grew:
        grew = False
        for target, source in copies:
            if target in closed and source not in closed:
                closed.add(source)
                grew = True
    return closed


def _successors(
    action: dict[Any, Any], by_id: Mapping[str, int], on_success: State, on_error: State
) -> list[tuple[int, State]]:
    transitions = action.get("Transitions")
    if not isinstance(transitions, dict):
        return []
    found: list[tuple[int, State]] = []

    def add(step: object, state: State) -> None:
        if isinstance(step, dict):
            target = step.get("NextAction")
            if isinstance(target, str) and target in by_id:
                found.append((by_id[target], state))

    add(transitions, on_success)
    for key, state in (("Conditions", on_success), ("Errors", on_error)):
        branches = transitions.get(key)
        if isinstance(branches, list):
            for branch in branches:
                add(branch, state)
    return found


def _transfer(action: dict[Any, Any], state: State, wanted: set[Attribute]) -> tuple[State, State]:
    """The state after `action` on its success and on its error transitions."""
    action_type = action.get("Type")
    identifier = action.get("Identifier")
    block = identifier if isinstance(identifier, str) else "(no Identifier)"
    parameters = action.get("Parameters")
    if action_type == SET_FLOW_ATTRIBUTES:
        # All or nothing and no errors (flow language reference): every exit has the sets.
        written = parameters.get(_FLOW) if isinstance(parameters, dict) else None
        after = _apply_sets(state, _FLOW, written, block, wanted, wrapped=True)
        return after, after
    if action_type == SET_CONTACT_ATTRIBUTES:
        target = parameters.get("TargetContact") if isinstance(parameters, dict) else None
        if isinstance(target, str) and target.strip().lower() == "related":
            return state, state  # another contact's attributes: this flow's are untouched
        written = parameters.get(_CONTACT) if isinstance(parameters, dict) else None
        if not (isinstance(target, str) and target.strip().lower() == "current"):
            written = None  # no static target: which contact it writes is unknown
        # All or nothing: its NoMatchingError exit leaves the attributes as they were.
        return _apply_sets(state, _CONTACT, written, block, wanted, wrapped=False), state
    if action_type == INVOKE_MODULE:
        # A module runs on the same contact and may set anything: nothing known survives it.
        lost = Unknown(3, f"the flow module invoked by block {block!r} may change it")
        cleared: State = dict.fromkeys(wanted, lost)
        return cleared, cleared
    return state, state


def _apply_sets(
    state: State,
    namespace: str,
    written: object,
    block: str,
    wanted: set[Attribute],
    *,
    wrapped: bool,
) -> State:
    relevant = [attribute for attribute in wanted if attribute[0] == namespace]
    if not relevant:
        return state
    after = dict(state)
    if not isinstance(written, dict):
        # Unreadable parameters: the block may have set any of them to anything.
        lost = Unknown(4, f"block {block!r} sets {namespace} that cannot be read")
        for attribute in relevant:
            after[attribute] = lost
        return after
    for attribute in relevant:
        if attribute[1] not in written:
            continue
        raw = written[attribute[1]]
        if wrapped and isinstance(raw, dict) and "Value" in raw:
            raw = raw["Value"]  # UpdateFlowAttributes writes {"name": {"Value": "..."}}
        after[attribute] = _set_value(raw, state, block, namespace, attribute[1])
    return after


def _set_value(raw: object, state: State, block: str, namespace: str, name: str) -> AttributeValue:
    if not isinstance(raw, str):
        return Unknown(4, f"block {block!r} sets {namespace}.{name} to a JSON {_json_type(raw)}")
    if raw.strip().startswith("$."):
        source = _attribute_read(raw)
        copied = state.get(source) if source is not None else None
        if isinstance(copied, SetValue):
            return SetValue(copied.value, frozenset({block}))
        return Unknown(4, f"block {block!r} sets it from {raw.strip()}, a run-time value")
    return SetValue(raw, frozenset({block}))


def _join(left: State, right: State) -> State:
    joined: State = {}
    for attribute in left.keys() | right.keys():
        a, b = left.get(attribute), right.get(attribute)
        if a == b and a is not None:
            joined[attribute] = a
        elif isinstance(a, SetValue) and isinstance(b, SetValue) and a.value == b.value:
            joined[attribute] = SetValue(a.value, a.setters | b.setters)
        elif isinstance(a, Unknown) or isinstance(b, Unknown):
            joined[attribute] = max(v for v in (a, b, _PARTIAL) if isinstance(v, Unknown))
        elif a is None or b is None:
            joined[attribute] = _PARTIAL
        else:
            joined[attribute] = _CONFLICT
    return joined


def _resolution(reference_value: str, action: str, values: Mapping[str, State]) -> str | SetValue:
    """The literal an attribute reference holds at `action`, or why it has none."""
    attribute = _attribute_read(reference_value)
    assert attribute is not None
    where = f"{attribute[0]}.{attribute[1]}"
    state = values.get(action)
    if state is None:
        return f"reads {where}, and StartAction does not reach the action"
    value = state.get(attribute)
    if value is None:
        return f"reads {where}, which no block sets before it"
    if isinstance(value, Unknown):
        return f"reads {where}: {value.reason}"
    return value


def _derive_lambda(
    reference: LambdaReference,
    values: Mapping[str, State],
    region: str,
    account: str,
    partition: str,
) -> LambdaReference:
    if reference.kind != "dynamic" or reference.value is None:
        return reference
    if _attribute_read(reference.value) is None:
        return reference
    found = _resolution(reference.value, reference.action, values)
    # The first note says the value is dynamic; the rest (timeout, type) still hold.
    dynamic_note, *others = (reference.note or "").split("; ")
    if isinstance(found, str):
        return reference.model_copy(update={"note": "; ".join([dynamic_note, found, *others])})
    kind, function, note = _classify_function(found.value, region, account, partition)
    setters = sorted(found.setters)
    if kind != "static":
        others.insert(0, f"LambdaFunctionARN is {_origin(found)}: {note}")
    return reference.model_copy(
        update={
            "kind": kind,
            "function": function,
            "derived_from": setters,
            "note": "; ".join(others) or None,
        }
    )


def _origin(found: SetValue) -> str:
    blocks = ", ".join(repr(block) for block in sorted(found.setters))
    return f"set to {found.value!r} by block {blocks}"


def _derive_module(reference: ModuleReference, values: Mapping[str, State]) -> ModuleReference:
    if reference.kind != "dynamic" or reference.value is None:
        return reference
    if _attribute_read(reference.value) is None:
        return reference
    found = _resolution(reference.value, reference.action, values)
    if isinstance(found, str):
        return reference.model_copy(update={"note": f"{reference.note}; {found}"})
    setters = sorted(found.setters)
    module_id = _module_id(found.value.strip())
    if module_id is None:
        return reference.model_copy(
            update={
                "kind": "placeholder",
                "derived_from": setters,
                "note": f"FlowModuleId is {_origin(found)}: not a module ID or ARN "
                "(template text?)",
            }
        )
    return reference.model_copy(
        update={"kind": "static", "module_id": module_id, "derived_from": setters, "note": None}
    )
