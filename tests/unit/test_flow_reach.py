"""What flows reach, judged end to end: derived references, dynamic modules, other accounts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from checker.cli import main
from checker.domain.flows import parse_flow_content
from checker.engine import Evaluation, PolicyRef, evaluate
from checker.model.snapshot import ContactFlow, FlowModule
from tests.scenario import (
    ACCOUNT,
    INSTANCE_ARN,
    NOW,
    REGION,
    Scenario,
    default_policy,
    fn_arn,
    healthy,
    lambda_function,
    module,
    warm_permissions,
)

REF = PolicyRef("policy.yaml", "0" * 64)
OTHER_ACCOUNT = "210987654321"
VMX3 = Path(__file__).resolve().parents[1] / "data" / "corpus" / "vmx3"


def run(scenario: Scenario) -> Evaluation:
    return evaluate(default_policy(), scenario.snapshot(), NOW, policy_ref=REF)


def add_function(scenario: Scenario, name: str) -> None:
    """A function that exists, is associated and lets the instance invoke it: no warmer."""
    scenario.functions[name] = lambda_function(
        name, policies=[warm_permissions(name, "$LATEST", f"{INSTANCE_ARN}/none")]
    )
    scenario.associations.append(fn_arn(name))


def rules(report: Evaluation) -> list[str]:
    return sorted(f.rule for f in report.findings)


def parsed_flow(flow_id: str, document: dict[str, Any] | str) -> ContactFlow:
    text = document if isinstance(document, str) else json.dumps(document)
    return ContactFlow(
        id=flow_id,
        arn=f"{INSTANCE_ARN}/contact-flow/{flow_id}",
        name=flow_id,
        content=parse_flow_content(text, region=REGION, account=ACCOUNT),
    )


def invoking(flow_id: str, function_arn: str) -> ContactFlow:
    """A flow whose one block invokes `function_arn` (no time limit, no other block)."""
    block = {
        "Identifier": "x",
        "Type": "InvokeLambdaFunction",
        "Parameters": {"LambdaFunctionARN": function_arn},
        "Transitions": {},
    }
    return parsed_flow(flow_id, {"Version": "2019-10-30", "StartAction": "x", "Actions": [block]})


def module_flow(flow_id: str, module_value: str, set_to: str | None) -> ContactFlow:
    actions: list[dict[str, Any]] = []
    if set_to is not None:
        actions.append(
            {
                "Identifier": "set-module",
                "Type": "UpdateFlowAttributes",
                "Parameters": {"FlowAttributes": {"mod": {"Value": set_to}}},
                "Transitions": {"NextAction": "call"},
            }
        )
    actions.append(
        {
            "Identifier": "call",
            "Type": "InvokeFlowModule",
            "Parameters": {"FlowModuleId": module_value},
            "Transitions": {},
        }
    )
    document = {
        "Version": "2019-10-30",
        "StartAction": actions[0]["Identifier"],
        "Actions": actions,
    }
    return parsed_flow(flow_id, document)


def test_a_module_id_set_in_the_flow_is_followed_and_its_lambdas_required() -> None:
    scenario = healthy()
    add_function(scenario, "survey")
    scenario.modules.append(module("mod-survey", fn_arn("survey")))
    scenario.flows.append(module_flow("derived", "$.FlowAttributes.mod", "mod-survey"))
    report = run(scenario)

    survey = [c for c in report.coverage if c.function == fn_arn("survey")]
    assert [(c.status, c.flows) for c in survey] == [
        ("cold", (f"{INSTANCE_ARN}/contact-flow/derived",))
    ]
    assert rules(report) == ["WARM001"]  # no warmer for survey; nothing unresolved
    assert report.unresolved == ()


def test_a_dynamic_module_reference_is_reported_never_dropped(tmp_path: Path) -> None:
    scenario = healthy()
    scenario.flows.append(module_flow("dyn", "$.Attributes.moduleId", None))
    report = run(scenario)

    (finding,) = report.findings
    assert finding.rule == "WARM011"
    assert finding.resource == f"{INSTANCE_ARN}/contact-flow/dyn"
    assert "action call: flow module" in finding.message
    assert "$.Attributes.moduleId" in finding.message
    assert [(u.resource, u.actions) for u in report.unresolved] == [
        (f"{INSTANCE_ARN}/contact-flow/dyn", ("call",))
    ]
    snapshot_file = tmp_path / "snapshot.json"
    snapshot_file.write_text(scenario.snapshot().to_json(), encoding="utf-8")
    policy_file = tmp_path / "p.yaml"
    policy_file.write_text('version: 1\nwarm: {payload: {"warmer": true}}\n', encoding="utf-8")
    out = tmp_path / "out"
    code = main(
        [
            "check",
            "--snapshot",
            str(snapshot_file),
            "--policy",
            str(policy_file),
            "--out-dir",
            str(out),
            "-q",
        ]
    )
    assert code == 1
    written = json.loads((out / "warmcheck.json").read_text(encoding="utf-8"))
    assert written["reach"]["complete"] is False
    assert written["reach"]["unresolved"][0]["actions"] == ["call"]


def test_a_placeholder_module_reference_is_reported() -> None:
    scenario = healthy()
    scenario.flows.append(module_flow("tmpl", "${COREFLOWMODULE}", None))
    (finding,) = run(scenario).findings
    assert finding.rule == "WARM011"
    assert "template text" in finding.message


def test_complete_reach_when_everything_resolves() -> None:
    assert run(healthy()).unresolved == ()


def test_a_cycle_of_modules_ends_and_every_lambda_is_required() -> None:
    scenario = healthy()
    add_function(scenario, "survey")
    scenario.modules = [
        module("mod-crm", fn_arn("crm-lookup", "prod"), modules=["mod-b"]),
        module("mod-b", fn_arn("survey"), modules=["mod-crm"]),
    ]
    report = run(scenario)
    assert fn_arn("survey") in {c.function for c in report.coverage}
    assert rules(report) == ["WARM001"]


def test_a_lambda_in_another_account_is_unread_evidence_not_missing(tmp_path: Path) -> None:
    scenario = healthy()
    elsewhere = f"arn:aws:lambda:{REGION}:{OTHER_ACCOUNT}:function:partner-lookup"
    scenario.flows.append(invoking("partner", elsewhere))
    scenario.associations.append(elsewhere)
    report = run(scenario)

    assert [f.rule for f in report.findings if f.resource == elsewhere] == ["WARM901"]
    assert {f.rule for f in report.findings} == {"WARM901"}  # never WARM014 or WARM001
    (entry,) = [c for c in report.coverage if c.function == elsewhere]
    assert entry.status == "unknown"
    (finding,) = report.findings
    assert OTHER_ACCOUNT in finding.message
    assert "outside the accounts read" in finding.message
    snapshot_file = tmp_path / "snapshot.json"
    snapshot_file.write_text(scenario.snapshot().to_json(), encoding="utf-8")
    policy_file = tmp_path / "p.yaml"
    policy_file.write_text('version: 1\nwarm: {payload: {"warmer": true}}\n', encoding="utf-8")
    code = main(
        [
            "check",
            "--snapshot",
            str(snapshot_file),
            "--policy",
            str(policy_file),
            "--out-dir",
            str(tmp_path / "out"),
            "-q",
        ]
    )
    assert code == 3


def test_an_out_of_scope_function_recorded_as_absent_is_still_not_missing() -> None:
    scenario = healthy()
    elsewhere = f"arn:aws:lambda:{REGION}:{OTHER_ACCOUNT}:function:partner"
    scenario.flows.append(invoking("partner", elsewhere))
    scenario.functions["partner"] = scenario.functions["billing"].model_copy(
        update={"arn": elsewhere, "name": "partner", "account": OTHER_ACCOUNT, "exists": False}
    )
    scenario.associations.append(elsewhere)
    assert {f.rule for f in run(scenario).findings} == {"WARM901"}


# --- the real Voicemail Express test flow and core module ---------------------------------

CORE_MODULE_ID = "6f2d1a4e-0b7c-4a51-9e0d-3c8f5b2a7e91"
TIMESTAMPER = fn_arn("VMX3-VoicemailTimestamper-demo")


def deployed(name: str) -> str:
    values = {"COREFLOWMODULE": CORE_MODULE_ID, "VMTIMESTAMPER": TIMESTAMPER}
    text = (VMX3 / f"{name}.json").read_text(encoding="utf-8")
    return re.sub(r"\$\{([A-Z]+)\}", lambda m: values.get(m.group(1), f"{INSTANCE_ARN}/x"), text)


def test_vmx3_test_flow_reaches_the_timestamper_through_its_core_module() -> None:
    scenario = healthy()
    add_function(scenario, "VMX3-VoicemailTimestamper-demo")
    scenario.flows.append(parsed_flow("vmx3-test", deployed("VMXAWSTestFlow")))
    scenario.modules.append(
        FlowModule(
            id=CORE_MODULE_ID,
            arn=f"{INSTANCE_ARN}/flow-module/{CORE_MODULE_ID}",
            name="VMX3 core",
            content=parse_flow_content(
                deployed("VMXCoreFlowModule"), region=REGION, account=ACCOUNT
            ),
        )
    )
    report = run(scenario)

    (entry,) = [c for c in report.coverage if c.function == TIMESTAMPER]
    assert entry.flows == (f"{INSTANCE_ARN}/contact-flow/vmx3-test",)
    assert "WARM011" not in rules(report)
    assert rules(report) == ["WARM001"]  # required like a static reference: no warmer yet
