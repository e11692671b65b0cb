"""checker.domain.flows: reading Lambda and module references out of the Connect flow language."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.domain.flows import (
    ModuleWalk,
    content_sha256,
    parse_flow_content,
    reachable_modules,
)
from checker.model.snapshot import FlowContent, FlowModule, LambdaReference, ModuleReference

DATA = Path(__file__).resolve().parent.parent / "data" / "flows"
CORPUS = DATA.parent / "corpus" / "flows"  # real flows, provenance in tests/data/provenance.json
REGION = "us-east-1"
ACCOUNT = "123456789012"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"
INSTANCE = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/11111111-2222-3333-4444-555555555555"


def _parse(content: object) -> FlowContent:
    return parse_flow_content(content, region=REGION, account=ACCOUNT)


def _doc(*actions: object) -> dict[str, Any]:
    return {"Version": "2019-10-30", "StartAction": "start", "Actions": list(actions)}


def _invoke(identifier: str = "act-1", **parameters: object) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "InvokeLambdaFunction",
        "Parameters": parameters,
        "Transitions": {},
    }


def _module_action(identifier: str, value: object) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "InvokeFlowModule",
        "Parameters": {"FlowModuleId": value},
        "Transitions": {},
    }


def _only_lambda(content: object) -> LambdaReference:
    parsed = _parse(content)
    assert parsed.readable, parsed.error
    assert len(parsed.lambda_references) == 1
    return parsed.lambda_references[0]


def _only_module(value: object) -> ModuleReference:
    parsed = _parse(_doc(_module_action("m-1", value)))
    assert parsed.readable, parsed.error
    assert len(parsed.module_references) == 1
    return parsed.module_references[0]


# --- the real-world corpus ---------------------------------------------------------------


def _expected() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())
    return entries


EXPECTED = _expected()
READABLE = [entry for entry in EXPECTED if entry["lambda_references"] is not None]
UNREADABLE = [entry for entry in EXPECTED if entry["lambda_references"] is None]


def test_expected_covers_every_corpus_flow() -> None:
    on_disk = {path.name for path in CORPUS.glob("*.json")} - {"expected.json"}
    assert on_disk == {entry["file"] for entry in EXPECTED}
    assert len(UNREADABLE) == 1


@pytest.mark.parametrize("as_text", [True, False], ids=["text", "dict"])
@pytest.mark.parametrize("entry", READABLE, ids=[entry["file"] for entry in READABLE])
def test_corpus_flow_references(entry: dict[str, Any], as_text: bool) -> None:
    text = (CORPUS / entry["file"]).read_text()
    parsed = _parse(text if as_text else json.loads(text))

    assert parsed.readable
    assert parsed.error is None
    got = [
        (ref.action, ref.value, ref.kind, ref.timeout_seconds) for ref in parsed.lambda_references
    ]
    want = [
        (ref["action"], ref["value"], ref["kind"], int(ref["timeout_seconds"]))
        for ref in entry["lambda_references"]
    ]
    assert got == want
    for ref in parsed.lambda_references:
        assert ref.invocation_type == "SYNCHRONOUS"
        if ref.kind == "static":
            # Corpus static values are full unqualified ARNs: resolution must not alter them.
            assert ref.function == ref.value
            assert ref.note is None
        else:
            assert ref.function is None
            assert ref.note


@pytest.mark.parametrize("entry", UNREADABLE, ids=[entry["file"] for entry in UNREADABLE])
def test_corpus_unreadable_flow(entry: dict[str, Any]) -> None:
    parsed = _parse((CORPUS / entry["file"]).read_text())

    assert not parsed.readable
    assert parsed.error is not None
    assert parsed.error.startswith(entry["content_error"])
    assert "Invalid \\escape" in parsed.error
    assert "line 1 column 15506" in parsed.error
    assert "\n" not in parsed.error
    assert parsed.lambda_references == []
    assert parsed.module_references == []


# --- InvokeLambdaFunction: the ARN -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "function"),
    [
        pytest.param("crm-lookup", f"{FN}:crm-lookup", id="bare-name"),
        pytest.param("crm-lookup:LIVE", f"{FN}:crm-lookup:LIVE", id="name-alias"),
        pytest.param("crm-lookup:12", f"{FN}:crm-lookup:12", id="name-version"),
        pytest.param(
            "210987654321:function:crm-lookup",
            f"arn:aws:lambda:{REGION}:210987654321:function:crm-lookup",
            id="partial-arn",
        ),
        pytest.param(
            "arn:aws:lambda:eu-west-1:210987654321:function:crm-lookup:prod",
            "arn:aws:lambda:eu-west-1:210987654321:function:crm-lookup:prod",
            id="full-qualified-arn",
        ),
        pytest.param(f"{FN}:crm-lookup:$LATEST", f"{FN}:crm-lookup", id="full-arn-latest"),
        pytest.param("crm-lookup:$LATEST", f"{FN}:crm-lookup", id="name-latest"),
        pytest.param("  crm-lookup  ", f"{FN}:crm-lookup", id="surrounding-space"),
    ],
)
def test_static_reference_resolves(value: str, function: str) -> None:
    ref = _only_lambda(_doc(_invoke(LambdaFunctionARN=value)))

    assert ref.kind == "static"
    assert ref.value == value
    assert ref.function == function
    assert ref.note is None


def test_static_reference_uses_the_given_partition() -> None:
    parsed = parse_flow_content(
        _doc(_invoke(LambdaFunctionARN="ivr-menu")),
        region="cn-north-1",
        account=ACCOUNT,
        partition="aws-cn",
    )

    assert parsed.lambda_references[0].function == (
        f"arn:aws-cn:lambda:cn-north-1:{ACCOUNT}:function:ivr-menu"
    )


@pytest.mark.parametrize("value", ["$.Attributes.lambdaArn", "$.External.nextFunction", " $.A.b"])
def test_dynamic_reference(value: str) -> None:
    ref = _only_lambda(_doc(_invoke(LambdaFunctionARN=value)))

    assert ref.kind == "dynamic"
    assert ref.value == value
    assert ref.function is None
    assert ref.note is not None
    assert "dynamic" in ref.note


@pytest.mark.parametrize(
    "value",
    [
        "%%INVOKE_TELEPHONY_FUNCTION_ARN%%",
        "${lambda_arn}",
        "${fallback_logger_arn}:LIVE",
        "SELECT LAMBDA TO VIEW",
        "ENTER LAMBDA HERE",
        "",
        "   ",
        f"{FN}:${{function_name}}",
        "arn:aws:s3:::not-a-function",
        "$Attributes.lambdaArn",
    ],
)
def test_placeholder_reference(value: str) -> None:
    ref = _only_lambda(_doc(_invoke(LambdaFunctionARN=value)))

    assert ref.kind == "placeholder"
    assert ref.value == value
    assert ref.function is None
    assert ref.note


def test_unrendered_iac_expression_is_a_placeholder_not_a_crash() -> None:
    ref = _only_lambda(_doc(_invoke(LambdaFunctionARN={"Fn::GetAtt": ["CrmLookup", "Arn"]})))

    assert ref.kind == "placeholder"
    assert ref.value == '{"Fn::GetAtt": ["CrmLookup", "Arn"]}'
    assert ref.function is None
    assert ref.note is not None
    assert "object" in ref.note


def test_missing_parameter_names_a_non_standard_function_arn() -> None:
    legacy_arn = f"{FN}:legacy-lookup"
    ref = _only_lambda(_doc(_invoke(FunctionArn=legacy_arn, TimeLimit="8")))

    assert ref.kind == "missing"
    assert ref.value is None
    # Reported, not silently taken as the ARN Connect would call.
    assert ref.function is None
    assert ref.note is not None
    assert ref.note.startswith("no LambdaFunctionARN parameter")
    assert "FunctionArn" in ref.note
    assert legacy_arn in ref.note


def test_missing_parameter_without_alternatives() -> None:
    ref = _only_lambda(_doc(_invoke(InvocationTimeLimitSeconds="3")))

    assert ref.kind == "missing"
    assert ref.value is None
    assert ref.note == "no LambdaFunctionARN parameter"
    assert ref.timeout_seconds == 3


def test_null_arn_is_missing() -> None:
    ref = _only_lambda(_doc(_invoke(LambdaFunctionARN=None)))

    assert ref.kind == "missing"
    assert ref.value is None
    assert ref.note == "LambdaFunctionARN is null"


@pytest.mark.parametrize("parameters", [None, [], "LambdaFunctionARN", 7])
def test_parameters_not_an_object(parameters: object) -> None:
    action = {"Identifier": "act-1", "Type": "InvokeLambdaFunction", "Parameters": parameters}
    ref = _only_lambda(_doc(action))

    assert ref.kind == "missing"
    assert ref.note is not None
    assert "Parameters is a JSON" in ref.note


# --- InvokeLambdaFunction: timeout and invocation type -----------------------------------


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("8", 8), (8, 8), (" 5 ", 5), (3.0, 3), ("60", 60)],
)
def test_timeout_parses(raw: object, seconds: int) -> None:
    ref = _only_lambda(_doc(_invoke(LambdaFunctionARN="fn", InvocationTimeLimitSeconds=raw)))

    assert ref.timeout_seconds == seconds
    assert ref.note is None


@pytest.mark.parametrize("raw", ["eight", "$.Attributes.timeout", "", True, 8.5, None, [8]])
def test_unparsable_timeout_is_none_with_a_note(raw: object) -> None:
    ref = _only_lambda(_doc(_invoke(LambdaFunctionARN="fn", InvocationTimeLimitSeconds=raw)))

    assert ref.timeout_seconds is None
    assert ref.kind == "static"
    assert ref.note is not None
    assert "InvocationTimeLimitSeconds" in ref.note


def test_absent_timeout_is_none_without_a_note() -> None:
    ref = _only_lambda(_doc(_invoke(LambdaFunctionARN="fn")))

    assert ref.timeout_seconds is None
    assert ref.note is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ASYNCHRONOUS", "ASYNCHRONOUS"),
        ("asynchronous", "ASYNCHRONOUS"),
        ("SYNCHRONOUS", "SYNCHRONOUS"),
    ],
)
def test_invocation_type(raw: str, expected: str) -> None:
    ref = _only_lambda(_doc(_invoke(LambdaFunctionARN="fn", InvocationType=raw)))

    assert ref.invocation_type == expected
    assert ref.note is None


def test_invocation_type_defaults_to_synchronous() -> None:
    assert _only_lambda(_doc(_invoke(LambdaFunctionARN="fn"))).invocation_type == "SYNCHRONOUS"


@pytest.mark.parametrize("raw", ["Event", 1, ""])
def test_unknown_invocation_type_reads_as_synchronous_with_a_note(raw: object) -> None:
    ref = _only_lambda(_doc(_invoke(LambdaFunctionARN="fn", InvocationType=raw)))

    assert ref.invocation_type == "SYNCHRONOUS"
    assert ref.note is not None
    assert "InvocationType" in ref.note


def test_notes_combine_on_one_line() -> None:
    ref = _only_lambda(
        _doc(
            _invoke(
                LambdaFunctionARN="$.Attributes.fn",
                InvocationTimeLimitSeconds="soon",
                InvocationType="LATER",
            )
        )
    )

    assert ref.note is not None
    parts = ref.note.split("; ")
    assert len(parts) == 4
    assert "dynamic" in parts[0]
    assert "reads Attributes.fn" in parts[1]  # why the flow's own sets do not settle it
    assert "InvocationTimeLimitSeconds" in parts[2]
    assert "InvocationType" in parts[3]


# --- containers: what a collector may hand over ------------------------------------------

_ONE_CALL = _doc(_invoke(LambdaFunctionARN="crm-lookup:LIVE", InvocationTimeLimitSeconds="8"))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(_ONE_CALL, id="document"),
        pytest.param(json.dumps(_ONE_CALL), id="json-text"),
        pytest.param(json.dumps(_ONE_CALL).encode(), id="json-bytes"),
        pytest.param(json.dumps(json.dumps(_ONE_CALL)), id="double-encoded"),
        pytest.param(
            {"ContactFlow": {"Id": "f-1", "Name": "Main", "Content": json.dumps(_ONE_CALL)}},
            id="describe-contact-flow",
        ),
        pytest.param(
            json.dumps(
                {
                    "ResponseMetadata": {"HTTPStatusCode": 200},
                    "ContactFlow": {"Content": json.dumps(_ONE_CALL)},
                }
            ),
            id="describe-contact-flow-text",
        ),
        pytest.param(
            {"ContactFlowModule": {"Id": "m-1", "Content": json.dumps(_ONE_CALL)}},
            id="describe-contact-flow-module",
        ),
        pytest.param({"ContactFlow": {"Content": _ONE_CALL}}, id="wrapper-with-parsed-content"),
        pytest.param({"Arn": "arn:x", "Content": json.dumps(_ONE_CALL)}, id="search-result-item"),
    ],
)
def test_accepted_containers(content: object) -> None:
    ref = _only_lambda(content)

    assert ref.kind == "static"
    assert ref.function == f"{FN}:crm-lookup:LIVE"
    assert ref.timeout_seconds == 8


def test_legacy_console_export_is_unreadable() -> None:
    text = (DATA / "legacy-console-export.json").read_text()

    for content in (text, json.loads(text), {"ContactFlow": {"Content": text}}):
        parsed = _parse(content)
        assert not parsed.readable
        assert parsed.error is not None
        assert "legacy console export" in parsed.error
        assert parsed.lambda_references == []


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param("{", "invalid JSON in Content: Expecting", id="truncated"),
        pytest.param("", "invalid JSON in Content: Expecting value at char 0", id="empty"),
        pytest.param("[" * 100_000 + "]" * 100_000, "invalid JSON in Content", id="too-deep"),
        pytest.param(
            '{"Actions": [], "x": ' + "1" * 5000 + "}", "invalid JSON in Content", id="huge-int"
        ),
        pytest.param(b"\xff\xfe{", "Content is not UTF-8 text", id="not-utf8"),
        pytest.param([], "Content is a JSON list, not a flow-language object", id="list"),
        pytest.param("42", "Content is a JSON number, not a flow-language object", id="number"),
        pytest.param(None, "Content is a JSON null, not a flow-language object", id="none"),
        pytest.param({"Actions": {"a": 1}}, "Actions is a JSON object, not a list", id="actions"),
        pytest.param({"Version": "2019-10-30"}, "no Actions list", id="no-actions"),
        pytest.param({"ContactFlow": {"Name": "x"}}, "ContactFlow has no Content", id="no-content"),
        pytest.param({"ContactFlow": "x"}, "ContactFlow is a JSON string", id="bad-wrapper"),
        pytest.param(
            {"ContactFlowModule": {"Content": None}}, "Content is a JSON null", id="null-content"
        ),
    ],
)
def test_unreadable_content(content: object, error: str) -> None:
    parsed = _parse(content)

    assert not parsed.readable
    assert parsed.error is not None
    assert parsed.error.startswith(error)
    assert "\n" not in parsed.error


def test_unwrapping_stops() -> None:
    content: object = _ONE_CALL
    for _ in range(6):
        content = {"Content": content}

    parsed = _parse(content)

    assert not parsed.readable
    assert parsed.error is not None
    assert "nested" in parsed.error


# --- robustness and order ----------------------------------------------------------------


def test_malformed_actions_are_skipped_and_the_rest_kept() -> None:
    parsed = _parse(
        _doc(
            None,
            "InvokeLambdaFunction",
            ["InvokeLambdaFunction"],
            {"Identifier": "no-type", "Parameters": {"LambdaFunctionARN": "ignored"}},
            {"Identifier": "odd-type", "Type": ["InvokeLambdaFunction"], "Parameters": {}},
            _invoke("kept", LambdaFunctionARN="crm-lookup"),
        )
    )

    assert parsed.readable
    assert [ref.action for ref in parsed.lambda_references] == ["kept"]


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        (None, "Actions[1]"),
        ("", "Actions[1]"),
        (17, "17"),
        (True, "Actions[1]"),
        ({}, "Actions[1]"),
    ],
)
def test_action_without_a_usable_identifier(identifier: object, expected: str) -> None:
    action = {"Identifier": identifier, "Type": "InvokeLambdaFunction", "Parameters": {}}
    if identifier is None:
        del action["Identifier"]

    parsed = _parse(_doc({"Identifier": "first", "Type": "Wait"}, action))

    assert parsed.lambda_references[0].action == expected


def test_document_order_is_kept_and_other_actions_ignored() -> None:
    parsed = _parse(
        _doc(
            _invoke("z-last-name", LambdaFunctionARN="fn-z"),
            {"Identifier": "t", "Type": "TransferToFlow", "Parameters": {"ContactFlowId": "x"}},
            _module_action("m-z", "mod-z"),
            _invoke("a-first-name", LambdaFunctionARN="fn-a"),
            _module_action("m-a", "mod-a"),
            {"Identifier": "d", "Type": "DisconnectParticipant", "Parameters": {}},
            _invoke("m-middle", LambdaFunctionARN="fn-m"),
        )
    )

    assert [ref.action for ref in parsed.lambda_references] == [
        "z-last-name",
        "a-first-name",
        "m-middle",
    ]
    assert [ref.module_id for ref in parsed.module_references] == ["mod-z", "mod-a"]


def test_flow_without_calls_is_readable_and_empty() -> None:
    parsed = _parse(_doc({"Identifier": "d", "Type": "DisconnectParticipant", "Parameters": {}}))

    assert parsed == FlowContent(readable=True)


_CALL_TYPES = ("InvokeLambdaFunction", "InvokeFlowModule")
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_KEYS = st.sampled_from(
    [
        "LambdaFunctionARN",
        "FunctionArn",
        "InvocationTimeLimitSeconds",
        "InvocationType",
        "FlowModuleId",
        "other",
    ]
)
_ACTION = st.fixed_dictionaries(
    {},
    optional={
        "Identifier": _JSON,
        "Type": st.sampled_from(["InvokeLambdaFunction", "InvokeFlowModule", "Wait"]) | _JSON,
        "Parameters": st.dictionaries(_KEYS, _JSON, max_size=5) | _JSON,
    },
)


@settings(max_examples=300, deadline=None)
@given(actions=st.lists(_ACTION | _JSON, max_size=6), as_text=st.booleans())
def test_never_raises_on_any_actions(actions: list[Any], as_text: bool) -> None:
    document = {"Version": "2019-10-30", "Actions": actions}
    content: object = json.dumps(document) if as_text else document

    parsed = _parse(content)

    assert parsed.readable
    invocations = [a for a in actions if isinstance(a, dict) and a.get("Type") in _CALL_TYPES]
    assert len(parsed.lambda_references) + len(parsed.module_references) == len(invocations)


@settings(max_examples=300, deadline=None)
@given(content=_JSON | st.text() | st.binary())
def test_never_raises_on_anything(content: object) -> None:
    parsed = _parse(content)

    assert parsed.readable == (parsed.error is None)


# --- InvokeFlowModule ---------------------------------------------------------------------

MODULE_ID = "e841e885-5ec8-4a53-bc39-2d2b1b0a9f11"


@pytest.mark.parametrize(
    "value",
    [
        MODULE_ID,
        f"{INSTANCE}/flow-module/{MODULE_ID}",
        f"{INSTANCE}/flow-module/{MODULE_ID}:3",
        f"  {MODULE_ID} ",
    ],
    ids=["id", "arn", "arn-with-version", "spaced-id"],
)
def test_static_module_reference(value: str) -> None:
    ref = _only_module(value)

    assert ref == ModuleReference(action="m-1", value=value, kind="static", module_id=MODULE_ID)


def test_dynamic_module_reference() -> None:
    ref = _only_module("$.Attributes.moduleId")

    assert ref.kind == "dynamic"
    assert ref.value == "$.Attributes.moduleId"
    assert ref.module_id is None


@pytest.mark.parametrize(
    "value",
    [
        "${module_id}",
        "%%MODULE_ID%%",
        "SELECT MODULE",
        "",
        f"{INSTANCE}/contact-flow/{MODULE_ID}",
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:flow-module/x",
        f"{INSTANCE}/flow-module/${{module}}",
        f"{MODULE_ID}:bad qualifier",
    ],
)
def test_placeholder_module_reference(value: str) -> None:
    ref = _only_module(value)

    assert ref.kind == "placeholder"
    assert ref.value == value
    assert ref.module_id is None


def test_non_string_module_reference_is_a_placeholder() -> None:
    ref = _only_module({"Ref": "Module"})

    assert ref.kind == "placeholder"
    assert ref.value == '{"Ref": "Module"}'


def test_missing_module_parameter() -> None:
    action = {
        "Identifier": "m-1",
        "Type": "InvokeFlowModule",
        "Parameters": {"ContactFlowModuleId": MODULE_ID},
    }
    parsed = _parse(_doc(action, {"Identifier": "m-2", "Type": "InvokeFlowModule"}))

    assert parsed.module_references == [
        ModuleReference(action="m-1", value=None, kind="missing"),
        ModuleReference(action="m-2", value=None, kind="missing"),
    ]


# --- reachable_modules --------------------------------------------------------------------


def _module(module_id: str, *targets: str, content: FlowContent | None = None) -> FlowModule:
    if content is None:
        actions = [_module_action(f"{module_id}-calls-{t}", t) for t in targets]
        content = _parse(_doc(*actions))
    return FlowModule(
        id=module_id,
        arn=f"{INSTANCE}/flow-module/{module_id}",
        name=module_id,
        content=content,
    )


def _by_id(*modules: FlowModule) -> dict[str, FlowModule]:
    return {module.id: module for module in modules}


class _BoundedLookups(Mapping[str, FlowModule]):
    """Modules by ID that fail the test, instead of hanging it, when a walk never ends."""

    def __init__(self, modules: dict[str, FlowModule], limit: int = 50) -> None:
        self._modules = modules
        self._left = limit

    def __getitem__(self, key: str) -> FlowModule:
        self._left -= 1
        assert self._left >= 0, "the walk keeps looking modules up: it does not end"
        return self._modules[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


def _root(*targets: str) -> FlowContent:
    return _parse(_doc(*[_module_action(f"root-calls-{t}", t) for t in targets]))


def _ids(walk: ModuleWalk) -> list[str]:
    return [module.id for module in walk.modules]


def test_walk_follows_a_chain_three_deep() -> None:
    modules = _by_id(_module("mod-a", "mod-b"), _module("mod-b", "mod-c"), _module("mod-c"))

    walk = reachable_modules(_root("mod-a"), modules)

    assert _ids(walk) == ["mod-a", "mod-b", "mod-c"]
    assert walk.missing == ()


def test_walk_stops_at_a_cycle() -> None:
    modules = _BoundedLookups(_by_id(_module("mod-a", "mod-b"), _module("mod-b", "mod-a")))

    walk = reachable_modules(_root("mod-a"), modules)

    assert _ids(walk) == ["mod-a", "mod-b"]
    assert walk.missing == ()


def test_walk_stops_at_a_self_reference() -> None:
    walk = reachable_modules(_root("mod-a"), _BoundedLookups(_by_id(_module("mod-a", "mod-a"))))

    assert _ids(walk) == ["mod-a"]


def test_walk_reports_missing_modules_with_their_holder() -> None:
    holder = _module("mod-a", "mod-gone-2")
    root = _root("mod-gone-1", "mod-a")

    walk = reachable_modules(root, _by_id(holder))

    assert _ids(walk) == ["mod-a"]
    assert holder.content is not None
    assert walk.missing == (
        (None, root.module_references[0]),
        (holder.arn, holder.content.module_references[0]),
    )
    assert [ref.module_id for _, ref in walk.missing] == ["mod-gone-1", "mod-gone-2"]


def test_walk_visits_a_shared_module_once_breadth_first() -> None:
    modules = _by_id(
        _module("mod-a", "mod-c"),
        _module("mod-b", "mod-c"),
        _module("mod-c", "mod-d"),
        _module("mod-d"),
    )

    walk = reachable_modules(_root("mod-b", "mod-a", "mod-b"), modules)

    assert _ids(walk) == ["mod-b", "mod-a", "mod-c", "mod-d"]


def test_walk_finishes_a_level_before_the_next() -> None:
    modules = _by_id(
        _module("mod-a", "mod-c"), _module("mod-b", "mod-d"), _module("mod-c"), _module("mod-d")
    )

    walk = reachable_modules(_root("mod-a", "mod-b"), modules)

    assert _ids(walk) == ["mod-a", "mod-b", "mod-c", "mod-d"]


def test_walk_is_independent_of_the_mapping_order() -> None:
    modules = [_module("mod-a", "mod-c", "mod-b"), _module("mod-b"), _module("mod-c", "mod-x")]
    root = _root("mod-a")

    forward = reachable_modules(root, _by_id(*modules))
    backward = reachable_modules(root, _by_id(*reversed(modules)))

    assert forward == backward
    assert _ids(forward) == ["mod-a", "mod-c", "mod-b"]


def test_walk_includes_but_does_not_follow_unreadable_or_unread_modules() -> None:
    unreadable = _module("mod-bad", content=FlowContent(readable=False, error="invalid JSON"))
    unread = FlowModule(id="mod-unread", arn=f"{INSTANCE}/flow-module/mod-unread", name="u")
    modules = _by_id(unreadable, unread)

    walk = reachable_modules(_root("mod-bad", "mod-unread"), modules)

    assert walk.modules == (unreadable, unread)
    assert walk.missing == ()


def test_walk_does_not_follow_dynamic_or_placeholder_references() -> None:
    root = _parse(
        _doc(
            _module_action("dyn", "$.Attributes.module"),
            _module_action("tpl", "${module_id}"),
            {"Identifier": "none", "Type": "InvokeFlowModule", "Parameters": {}},
        )
    )

    walk = reachable_modules(root, _by_id(_module("${module_id}")))

    assert walk == ModuleWalk()


def test_walk_from_unreadable_root_is_empty() -> None:
    walk = reachable_modules(FlowContent(readable=False, error="x"), _by_id(_module("mod-a")))

    assert walk == ModuleWalk(modules=(), missing=())


def test_walk_follows_module_arn_references() -> None:
    target = _module("mod-b")
    source = _module("mod-a", target.arn)

    walk = reachable_modules(_root(source.arn), _by_id(source, target))

    assert walk.modules == (source, target)


# --- content_sha256 -----------------------------------------------------------------------


def test_content_sha256() -> None:
    assert content_sha256("") == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert content_sha256("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    # Connect content is UTF-8 text: hash those bytes, not another encoding's.
    assert content_sha256("café") == hashlib.sha256("café".encode()).hexdigest()
    assert content_sha256("café") != hashlib.sha256("café".encode("latin-1")).hexdigest()
