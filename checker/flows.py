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

from checker import untrusted_json
from checker.arns import connect_resource_id, parse_arn, resolve_function_reference
from checker.snapshot import FlowContent, FlowModule, LambdaReference, ModuleReference

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
    lambdas: list[LambdaReference] = []
    modules: list[ModuleReference] = []
    for index, action in enumerate(loaded):
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
    return FlowContent(readable=True, lambda_references=lambdas, module_references=modules)


def reachable_modules(content: FlowContent, modules_by_id: Mapping[str, FlowModule]) -> ModuleWalk:
    """Every module `content` can invoke, directly or through other modules.

    Breadth-first from the root, references in document order, each module visited once (by
    ARN), so cycles end and the order is deterministic. Only static references are followed;
    dynamic, placeholder and missing ones are the engine's to report from the content itself.
    """
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


def _load_document(content: object) -> list[Any] | str:
    """The document's Actions list, or a one-line reason the content is unreadable."""
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
            return actions
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
        return ModuleReference(action=action, value=raw, kind="dynamic")
    module_id = _module_id(stripped)
    if module_id is None:
        return ModuleReference(action=action, value=raw, kind="placeholder")
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
