"""Attributes a flow sets itself resolve its Lambda and module references (checker.domain.flows).

Hand-written traps first, then the real Voicemail Express (VMX3) flows from tests/data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from checker.domain.flows import parse_flow_content
from checker.model.snapshot import FlowContent, LambdaReference, ModuleReference

REGION = "us-east-1"
ACCOUNT = "123456789012"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"
VMX3 = Path(__file__).resolve().parents[1] / "data" / "corpus" / "vmx3"


def action(identifier: str, kind: str, parameters: dict[str, Any], **transitions: Any) -> Any:
    return {
        "Identifier": identifier,
        "Type": kind,
        "Parameters": parameters,
        "Transitions": transitions,
    }


def set_flow(identifier: str, then: str, **values: object) -> Any:
    attributes = {name: {"Value": value} for name, value in values.items()}
    return action(
        identifier,
        "UpdateFlowAttributes",
        {"FlowAttributes": attributes},
        NextAction=then,
        Errors=[{"NextAction": then, "ErrorType": "NoMatchingError"}],
    )


def set_contact(
    identifier: str, then: str, error: str, target: str = "Current", **values: str
) -> Any:
    return action(
        identifier,
        "UpdateContactAttributes",
        {"Attributes": values, "TargetContact": target},
        NextAction=then,
        Errors=[{"NextAction": error, "ErrorType": "NoMatchingError"}],
    )


def branch(identifier: str, yes: str, no: str) -> Any:
    return action(
        identifier,
        "Compare",
        {"ComparisonValue": "$.Attributes.tier"},
        Conditions=[{"NextAction": yes, "Condition": {"Operator": "Equals", "Operands": ["gold"]}}],
        Errors=[{"NextAction": no, "ErrorType": "NoMatchingCondition"}],
    )


def invoke(
    identifier: str = "invoke", value: str = "$.FlowAttributes.fn", then: str = "end"
) -> Any:
    return action(
        identifier,
        "InvokeLambdaFunction",
        {"LambdaFunctionARN": value, "InvocationTimeLimitSeconds": "8"},
        NextAction=then,
        Errors=[{"NextAction": then, "ErrorType": "NoMatchingError"}],
    )


END = action("end", "DisconnectParticipant", {})


def parse(start: str, *actions: Any) -> FlowContent:
    document = {"Version": "2019-10-30", "StartAction": start, "Actions": [*actions, END]}
    return parse_flow_content(json.dumps(document), region=REGION, account=ACCOUNT)


def only_lambda(content: FlowContent) -> LambdaReference:
    assert content.readable, content.error
    (reference,) = content.lambda_references
    return reference


# --- traps ---------------------------------------------------------------------------------


def test_set_then_invoke_on_every_path_resolves_and_names_both_setters() -> None:
    reference = only_lambda(
        parse(
            "branch",
            branch("branch", "set-a", "set-b"),
            set_flow("set-a", "invoke", fn=f"{FN}:crm:live"),
            set_flow("set-b", "invoke", fn=f"{FN}:crm:live"),
            invoke(),
        )
    )

    assert reference.kind == "static"
    assert reference.function == f"{FN}:crm:live"
    assert reference.value == "$.FlowAttributes.fn"  # what the action says stays visible
    assert reference.derived_from == ["set-a", "set-b"]
    assert reference.note is None


def test_set_on_one_branch_only_stays_unresolved() -> None:
    reference = only_lambda(
        parse(
            "branch",
            branch("branch", "set-a", "invoke"),
            set_flow("set-a", "invoke", fn=f"{FN}:crm"),
            invoke(),
        )
    )

    assert reference.kind == "dynamic"
    assert reference.function is None
    assert reference.derived_from is None
    assert reference.note is not None
    assert "not set on every path" in reference.note


def test_set_then_overwritten_by_a_dynamic_value_stays_unresolved() -> None:
    reference = only_lambda(
        parse(
            "set",
            set_flow("set", "overwrite", fn=f"{FN}:crm"),
            set_flow("overwrite", "invoke", fn="$.External.nextFunction"),
            invoke(),
        )
    )

    assert reference.kind == "dynamic"
    assert reference.note is not None
    assert "'overwrite'" in reference.note
    assert "$.External.nextFunction" in reference.note


def test_a_loop_that_sets_it_before_its_first_invoke_resolves() -> None:
    loop = action(
        "loop",
        "Loop",
        {"LoopCount": "3"},
        Conditions=[
            {
                "NextAction": "invoke",
                "Condition": {"Operator": "Equals", "Operands": ["ContinueLooping"]},
            },
            {"NextAction": "end", "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]}},
        ],
    )
    reference = only_lambda(
        parse("set", set_flow("set", "loop", fn="crm"), loop, invoke(then="loop"))
    )

    assert reference.kind == "static"
    assert reference.function == f"{FN}:crm"
    assert reference.derived_from == ["set"]


def test_a_loop_that_sets_it_only_after_the_invoke_stays_unresolved() -> None:
    loop = action("loop", "Loop", {"LoopCount": "3"}, NextAction="invoke")
    reference = only_lambda(
        parse(
            "loop",
            loop,
            invoke(then="set"),
            set_flow("set", "loop", fn="crm"),
        )
    )

    assert reference.kind == "dynamic"
    assert reference.note is not None
    assert "not set on every path" in reference.note


def test_two_different_literals_on_two_paths_stay_unresolved() -> None:
    reference = only_lambda(
        parse(
            "branch",
            branch("branch", "set-a", "set-b"),
            set_flow("set-a", "invoke", fn="crm"),
            set_flow("set-b", "invoke", fn="billing"),
            invoke(),
        )
    )

    assert reference.kind == "dynamic"
    assert reference.note is not None
    assert "different values" in reference.note


def test_contact_attributes_on_the_current_contact_resolve() -> None:
    reference = only_lambda(
        parse(
            "set",
            set_contact("set", "invoke", error="invoke-2", fn="crm"),
            invoke(value="$.Attributes.fn"),
        )
    )

    assert reference.kind == "static"
    assert reference.derived_from == ["set"]


def test_a_failed_contact_attribute_set_leaves_the_attribute_unset() -> None:
    # UpdateContactAttributes is all or nothing: its error branch has nothing set.
    reference = only_lambda(
        parse(
            "set",
            set_contact("set", "invoke", error="invoke", fn="crm"),
            invoke(value="$.Attributes.fn"),
        )
    )

    assert reference.kind == "dynamic"


@pytest.mark.parametrize("target", ["Related", "", "current-ish"])
def test_contact_attributes_on_another_or_unnamed_contact_do_not_resolve(target: str) -> None:
    reference = only_lambda(
        parse(
            "set",
            set_contact("set", "invoke", error="invoke-x", target=target, fn="crm"),
            invoke(value="$.Attributes.fn"),
        )
    )

    assert reference.kind == "dynamic"


def test_flow_attributes_do_not_answer_contact_attributes() -> None:
    reference = only_lambda(
        parse("set", set_flow("set", "invoke", fn="crm"), invoke(value="$.Attributes.fn"))
    )

    assert reference.kind == "dynamic"


def test_a_module_invoked_between_set_and_use_may_change_it() -> None:
    call_module = action("call", "InvokeFlowModule", {"FlowModuleId": "mod-1"}, NextAction="invoke")
    reference = only_lambda(parse("set", set_flow("set", "call", fn="crm"), call_module, invoke()))

    assert reference.kind == "dynamic"
    assert reference.note is not None
    assert "'call'" in reference.note


def test_a_copied_attribute_keeps_its_literal() -> None:
    reference = only_lambda(
        parse(
            "set",
            set_flow("set", "copy", base="crm"),
            set_flow("copy", "invoke", fn="$.FlowAttributes.base"),
            invoke(),
        )
    )

    assert reference.function == f"{FN}:crm"
    assert reference.derived_from == ["copy"]


def test_a_literal_that_is_template_text_is_a_placeholder_naming_its_block() -> None:
    reference = only_lambda(parse("set", set_flow("set", "invoke", fn="${TIMESTAMPER}"), invoke()))

    assert reference.kind == "placeholder"
    assert reference.derived_from == ["set"]
    assert reference.note is not None
    assert "'set'" in reference.note
    assert "${TIMESTAMPER}" in reference.note


def test_a_module_id_set_in_the_flow_is_followed() -> None:
    call = action(
        "call", "InvokeFlowModule", {"FlowModuleId": "$.FlowAttributes.mod"}, NextAction="end"
    )
    content = parse("set", set_flow("set", "call", mod="0a1b2c3d-mod"), call)

    (reference,) = content.module_references
    assert reference == ModuleReference(
        action="call",
        value="$.FlowAttributes.mod",
        kind="static",
        module_id="0a1b2c3d-mod",
        derived_from=["set"],
    )


def test_an_unset_module_reference_is_dynamic_with_a_reason() -> None:
    call = action("call", "InvokeFlowModule", {"FlowModuleId": "$.FlowAttributes.mod"})
    (reference,) = parse("call", call).module_references

    assert reference.kind == "dynamic"
    assert reference.note is not None
    assert "no block sets" in reference.note


# --- bad AWS data: findings, never a crash -------------------------------------------------


@pytest.mark.parametrize("bad", [7, None, ["crm"], {"Value": {"x": 1}}, {"NoValue": "crm"}])
def test_an_attribute_set_to_a_non_string_is_unresolved(bad: object) -> None:
    document = parse("set", set_flow("set", "invoke", fn=bad), invoke())
    reference = only_lambda(document)

    assert reference.kind == "dynamic"
    assert reference.note is not None
    assert "'set'" in reference.note


@pytest.mark.parametrize(
    "parameters",
    [None, [], {"FlowAttributes": "fn=crm"}, {"FlowAttributes": None}],
)
def test_unreadable_set_parameters_make_the_attribute_unknown(parameters: object) -> None:
    broken = {
        "Identifier": "set",
        "Type": "UpdateFlowAttributes",
        "Parameters": parameters,
        "Transitions": {"NextAction": "invoke"},
    }
    reference = only_lambda(parse("set", broken, invoke()))

    assert reference.kind == "dynamic"


def test_a_compare_without_conditions_and_odd_transitions_do_not_crash() -> None:
    compare = {
        "Identifier": "cmp",
        "Type": "Compare",
        "Parameters": {},
        "Transitions": {
            "NextAction": 5,
            "Conditions": "none",
            "Errors": [None, {"NextAction": "invoke"}],
        },
    }
    weird = {"Identifier": "weird", "Type": "UpdateFlowAttributes", "Transitions": []}
    reference = only_lambda(
        parse("cmp", compare, weird, set_flow("x", "invoke", fn="crm"), invoke())
    )

    assert reference.kind == "dynamic"  # the only path skips the set


@pytest.mark.parametrize("start", [None, 3, "nowhere"])
def test_no_usable_start_action_leaves_the_reference_unresolved(start: object) -> None:
    document = {
        "Version": "2019-10-30",
        "StartAction": start,
        "Actions": [set_flow("set", "invoke", fn="crm"), invoke(), END],
    }
    reference = only_lambda(parse_flow_content(document, region=REGION, account=ACCOUNT))

    assert reference.kind == "dynamic"
    assert reference.note is not None
    assert "does not reach" in reference.note


def test_a_long_chain_resolves_without_path_enumeration() -> None:
    # 200 diamonds in a row: 2**200 paths, one pass.
    actions: list[Any] = []
    for index in range(200):
        actions.append(branch(f"b{index}", f"l{index}", f"r{index}"))
        actions.append(set_flow(f"l{index}", f"b{index + 1}", fn="crm"))
        actions.append(set_flow(f"r{index}", f"b{index + 1}", fn="crm"))
    actions.append(action("b200", "Wait", {}, NextAction="invoke"))
    reference = only_lambda(parse("b0", *actions, invoke()))

    assert reference.function == f"{FN}:crm"
    assert reference.derived_from == ["l199", "r199"]


# --- the real Voicemail Express flows -----------------------------------------------------

INSTANCE = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/11111111-2222-3333-4444-555555555555"
TIMESTAMPER = f"{FN}:VMX3-VoicemailTimestamper-demo"
CORE_MODULE_ID = "6f2d1a4e-0b7c-4a51-9e0d-3c8f5b2a7e91"
# What CloudFormation's Fn::Sub puts where the template says ${NAME} (vmx3-contactflows.yaml).
DEPLOYED = {
    "TIMESTAMPER": TIMESTAMPER,
    "VMTIMESTAMPER": TIMESTAMPER,
    "VMGUIDEDFLOWPRESIGNER": f"{FN}:VMX3-GuidedFlowPresigner-demo",
    "VMPLAYERVIEWARN": f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/x/view/vmx3-player",
    "AGENTWHISPER": f"{INSTANCE}/contact-flow/aaaa",
    "CUSTOMERWHISPER": f"{INSTANCE}/contact-flow/bbbb",
    "QUEUEFLOW": f"{INSTANCE}/contact-flow/cccc",
    "TESTAGENT": "agent-1",
    "TESTQUEUENAME": f"{INSTANCE}/queue/dddd",
    "TASKFLOW": "EXAMPLE",
    "GUIDEDTASKFLOW": "EXAMPLE",
    "COREFLOWMODULE": CORE_MODULE_ID,
}


def vmx3(name: str, *, deployed: bool) -> FlowContent:
    text = (VMX3 / f"{name}.json").read_text(encoding="utf-8")
    if deployed:
        text = re.sub(r"\$\{([A-Z]+)\}", lambda m: DEPLOYED[m.group(1)], text)
    return parse_flow_content(text, region=REGION, account=ACCOUNT)


@pytest.mark.parametrize(
    ("name", "setter", "function"),
    [
        ("VMXInQueueOption", "Set Flow Resources", TIMESTAMPER),
        ("VMXCoreFlowModule", "Set Timestamp Function", TIMESTAMPER),
        ("VMXExampleGuidedTaskAgentFlow", "Set Presigner ARN", DEPLOYED["VMGUIDEDFLOWPRESIGNER"]),
    ],
)
def test_deployed_vmx3_flows_resolve_their_lambda_to_the_function_they_set(
    name: str, setter: str, function: str
) -> None:
    (reference,) = vmx3(name, deployed=True).lambda_references

    assert reference.value is not None

    assert reference.value.startswith("$.FlowAttributes.")
    assert (reference.kind, reference.function, reference.derived_from) == (
        "static",
        function,
        [setter],
    )


def test_vmx3_template_before_deployment_is_a_placeholder_naming_the_setter() -> None:
    (reference,) = vmx3("VMXInQueueOption", deployed=False).lambda_references

    assert reference.kind == "placeholder"
    assert reference.derived_from == ["Set Flow Resources"]
    assert reference.note is not None
    assert "${TIMESTAMPER}" in reference.note


def test_deployed_vmx3_test_flow_invokes_the_core_module_it_sets() -> None:
    (reference,) = vmx3("VMXAWSTestFlow", deployed=True).module_references

    assert reference.value == "$.FlowAttributes.vmx3_core_module"
    assert (reference.kind, reference.module_id) == ("static", CORE_MODULE_ID)
    assert reference.derived_from == ["Set the test config"]
