"""`warmcheck iac`: templates, plans and flow files judged before deploy, with no AWS call."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

import checker.cli.iac
from checker.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
IAC = ROOT / "tests" / "data" / "iac"
TRAPS = IAC / "traps"
POLICY = IAC / "policy.yaml"


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # template paths in reports are relative to where warmcheck runs


def run_iac(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code = main(
        [
            "iac",
            *args,
            "--policy",
            str(POLICY.relative_to(ROOT)),
            "--out-dir",
            str(tmp_path),
            "--format",
            "json",
            "--format",
            "sarif",
            "-q",
        ]
    )
    report = tmp_path / "warmcheck.json"
    return code, json.loads(report.read_text()) if report.exists() else {}


def rules(report: dict[str, Any]) -> list[str]:
    return sorted(finding["rule"] for finding in report["findings"])


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def sarif(tmp_path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((tmp_path / "warmcheck.sarif").read_text())
    return document


# --- the hand-written traps ---------------------------------------------------------------------


def test_a_flow_calling_a_function_the_template_warms_is_clean(tmp_path: Path) -> None:
    code, report = run_iac(tmp_path, rel(TRAPS / "warmed.yaml"))
    assert (code, rules(report)) == (0, [])
    (entry,) = report["coverage"]
    # Symbolic identities: the placeholder ARN of BillingFunction, warmed by BillingWarmer.
    assert entry["function"] == "arn:aws:lambda:zz-iac-0:000000000000:function:BillingFunction"
    assert entry["status"] == "warm"
    assert entry["warmers"] == ["arn:aws:events:zz-iac-0:000000000000:rule/BillingWarmer"]
    assert report["snapshot"]["accounts"] == ["000000000000"]


@pytest.mark.parametrize(
    ("trap", "expected", "line"),
    [
        ("unwarmed.yaml", ["WARM001", "WARM006"], 14),
        ("disabled-warmer.yaml", ["WARM002"], 14),
        ("unpermitted-warmer.yaml", ["WARM004"], 40),
        ("slow-warmer.yaml", ["WARM003"], 14),
    ],
)
def test_each_trap_gives_its_one_finding_at_the_template_line(
    tmp_path: Path, trap: str, expected: list[str], line: int
) -> None:
    code, report = run_iac(tmp_path, rel(TRAPS / trap))
    assert code == 1
    assert rules(report) == expected
    first = next(f for f in report["findings"] if f["rule"] == expected[0])
    assert f"({rel(TRAPS / trap)}:" in first["message"]
    assert "arn:aws:lambda:zz-iac-0" not in first["message"]  # logical IDs, not placeholders
    result = next(r for r in sarif(tmp_path)["runs"][0]["results"] if r["ruleId"] == expected[0])
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == rel(TRAPS / trap)
    assert physical["region"]["startLine"] == line


def test_the_template_lines_are_the_resources_own(tmp_path: Path) -> None:
    run_iac(tmp_path, rel(TRAPS / "unpermitted-warmer.yaml"))
    lines = (TRAPS / "unpermitted-warmer.yaml").read_text().splitlines()
    result = sarif(tmp_path)["runs"][0]["results"][0]
    line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert lines[line - 1] == "  BillingWarmer:"  # WARM004 is about the warmer
    artifacts = [a["location"]["uri"] for a in sarif(tmp_path)["runs"][0]["artifacts"]]
    assert artifacts == [rel(POLICY), rel(TRAPS / "unpermitted-warmer.yaml")]


def test_an_unresolved_parameter_in_a_flow_is_warm011_not_a_guess(tmp_path: Path) -> None:
    code, report = run_iac(tmp_path, rel(TRAPS / "unresolved-parameter.yaml"))
    assert code == 1
    assert "WARM011" in rules(report)
    assert report["coverage"] == []  # nothing is required on a guess
    (finding,) = [f for f in report["findings"] if f["rule"] == "WARM011"]
    assert "parameter BillingFunctionArn has no value" in finding["message"]
    assert "#{?" not in finding["message"]


def test_parameters_resolve_what_defaults_leave_open(tmp_path: Path) -> None:
    parameters = tmp_path / "parameters.json"
    billing = "arn:aws:lambda:us-east-1:123456789012:function:billing"
    parameters.write_text(
        json.dumps([{"ParameterKey": "BillingFunctionArn", "ParameterValue": billing}])
    )
    code, report = run_iac(
        tmp_path / "out", rel(TRAPS / "unresolved-parameter.yaml"), "--parameters", str(parameters)
    )
    # The flow now calls a real function the template does not define: unknown, not missing.
    assert code == 3
    assert "WARM011" not in rules(report)
    assert [c["function"] for c in report["coverage"]] == [billing]
    assert [c["status"] for c in report["coverage"]] == ["unknown"]
    assert "WARM001" not in rules(report)
    (outside,) = [f for f in report["findings"] if f["rule"] == "WARM901"]
    assert outside["resource"] == billing
    assert "not defined in the templates" in outside["message"]
    # The template creates the instance, so its associations are all known: this one is absent.
    assert "WARM012" in rules(report)


def test_pseudo_parameters_place_the_stack(tmp_path: Path) -> None:
    parameters = tmp_path / "parameters.json"
    parameters.write_text(
        json.dumps({"AWS::Region": "eu-west-1", "AWS::AccountId": "111122223333"})
    )
    code, report = run_iac(
        tmp_path / "out", rel(TRAPS / "warmed.yaml"), "--parameters", str(parameters)
    )
    assert code == 0
    assert report["coverage"][0]["function"] == (
        "arn:aws:lambda:eu-west-1:111122223333:function:BillingFunction"
    )


# --- SAM, CDK, Terraform, flow files -------------------------------------------------------------


def test_sam_schedule_events_become_warmers(tmp_path: Path) -> None:
    code, report = run_iac(tmp_path, rel(IAC / "sam" / "template.yaml"))
    assert code == 1
    assert rules(report) == ["WARM001"]
    status = {c["function"].rsplit(":", 1)[1]: c["status"] for c in report["coverage"]}
    assert status == {"LookupFunction": "warm", "SurveyFunction": "cold"}
    assert (
        "SurveyFunction (tests/data/iac/sam/template.yaml:28)" in report["findings"][0]["message"]
    )


def test_a_cdk_cloud_assembly_uses_the_manifest_environment(tmp_path: Path) -> None:
    code, report = run_iac(tmp_path, rel(IAC / "cdk" / "cdk.out"))
    assert code == 1
    assert rules(report) == ["WARM001", "WARM010"]
    status = {c["function"]: c["status"] for c in report["coverage"]}
    assert status == {
        # The Fn::Join content calls the alias; the rule warms the alias; both are exact.
        "arn:aws:lambda:eu-west-2:210987654321:function:LookupFn1F5E7A2B:live": "warm",
        "arn:aws:lambda:eu-west-2:210987654321:function:SurveyFn0A1B2C3D": "cold",
    }
    assert report["findings"][0]["message"].startswith("IvrStack/SurveyFn (")


def test_a_terraform_plan_adding_a_flow_that_calls_two_functions_with_one_warmer(
    tmp_path: Path,
) -> None:
    plan = IAC / "terraform" / "new-flow-two-functions.plan.json"
    code, report = run_iac(tmp_path, rel(plan))
    assert code == 1
    assert rules(report) == ["WARM001"]
    status = {c["function"].rsplit(":", 1)[1]: c["status"] for c in report["coverage"]}
    # billing's new warmer is permitted through the rule ARN known only after apply.
    assert status == {"billing": "warm", "reports": "cold"}
    lines = plan.read_text().splitlines()
    result = sarif(tmp_path)["runs"][0]["results"][0]
    line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert '"address": "aws_lambda_function.reports"' in lines[line]


def test_a_plan_that_deletes_the_warmer_leaves_the_function_cold(tmp_path: Path) -> None:
    data = json.loads((IAC / "terraform" / "new-flow-two-functions.plan.json").read_text())
    for change in data["resource_changes"]:
        if change["address"].endswith("billing_warmer"):
            change["change"]["actions"] = ["delete"]
            change["change"]["after"] = None
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data, indent=1))
    code, report = run_iac(tmp_path / "out", str(plan))
    assert code == 1
    assert rules(report) == ["WARM001", "WARM001"]


def test_flow_files_with_placeholders(tmp_path: Path) -> None:
    flow = IAC / "flows" / "billing-flow.json"
    code, report = run_iac(
        tmp_path, rel(flow), "--placeholders", rel(IAC / "flows" / "placeholders.json")
    )
    # billing is replaced and lives outside the files (unknown); refund stays template text.
    assert code == 3
    assert rules(report).count("WARM011") == 1
    (warm011,) = [f for f in report["findings"] if f["rule"] == "WARM011"]
    assert "{{REFUND_FUNCTION_ARN}}" in warm011["message"]
    billing = "arn:aws:lambda:us-east-1:123456789012:function:billing"
    assert [c["function"] for c in report["coverage"]] == [billing]


def test_with_snapshot_judges_planned_flows_against_deployed_warmers(tmp_path: Path) -> None:
    flow = IAC / "flows" / "billing-flow.json"
    deployed = IAC / "flows" / "deployed.json"
    placeholders = tmp_path / "placeholders.json"
    functions = "arn:aws:lambda:us-east-1:123456789012:function:"
    placeholders.write_text(
        json.dumps(
            {
                "{{BILLING_FUNCTION_ARN}}": functions + "billing",
                "{{REFUND_FUNCTION_ARN}}": functions + "refund",
            }
        )
    )
    parameters = tmp_path / "parameters.json"
    instance = (
        "arn:aws:connect:us-east-1:123456789012:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    )
    parameters.write_text(json.dumps({"ConnectInstanceArn": instance}))
    code, report = run_iac(
        tmp_path / "out",
        rel(flow),
        "--placeholders",
        str(placeholders),
        "--parameters",
        str(parameters),
        "--with-snapshot",
        rel(deployed),
    )
    status = {c["function"].rsplit(":", 1)[1]: c["status"] for c in report["coverage"]}
    assert status == {"billing": "warm", "refund": "cold"}
    assert (code, rules(report)) == (1, ["WARM001"])


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "where", "hint"),
    [
        ("invalid.yaml", "invalid.yaml:6:1: not a readable template", "fix the YAML"),
        (
            "unknown-intrinsic.yaml",
            "unknown-intrinsic.yaml:8: unknown intrinsic function",
            "Fn::Sub",
        ),
        ("binary.plan.json", "binary.plan.json:1: a binary file", "terraform show -json"),
    ],
)
def test_bad_templates_are_exit_2_with_file_line_and_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, where: str, hint: str
) -> None:
    code, report = run_iac(tmp_path, rel(IAC / "bad" / name))
    assert (code, report) == (2, {})
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert f"tests/data/iac/bad/{where}" in error
    assert "(hint: " in error
    assert hint in error
    assert not any(tmp_path.iterdir())  # nothing written on bad input


def test_a_missing_path_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run_iac(tmp_path, "no/such/template.yaml")
    assert code == 2
    assert "no/such/template.yaml: no such file" in capsys.readouterr().err


# --- no AWS at all -------------------------------------------------------------------------------

_NO_AWS_PROBE = """
import sys
import botocore.client, botocore.endpoint, botocore.credentials
calls = []
def refuse(*args, **kwargs):
    calls.append(args[1] if len(args) > 1 else "request")
    raise RuntimeError("warmcheck iac made an AWS call")
botocore.client.BaseClient._make_api_call = refuse
botocore.endpoint.Endpoint.make_request = refuse
botocore.credentials.CredentialResolver.load_credentials = refuse
from checker.cli import main
codes = [main(["iac", *paths.split("|"), "--policy", POLICY, "--out-dir", OUT + str(n), "-q"])
         for n, paths in enumerate(sys.argv[1:])]
print(codes, len(calls))
"""


def test_iac_makes_no_aws_call_and_needs_no_credentials(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key != "BOTO_CONFIG"
    }
    # Any AWS client would go here and fail; none is created, and no credential is looked up.
    env |= {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    inputs = [
        rel(TRAPS / "warmed.yaml"),
        rel(IAC / "sam" / "template.yaml"),
        rel(IAC / "cdk" / "cdk.out"),
        rel(IAC / "terraform" / "new-flow-two-functions.plan.json"),
        rel(IAC / "flows" / "billing-flow.json"),
    ]
    probe = _NO_AWS_PROBE.replace("POLICY", repr(rel(POLICY))).replace(
        "OUT", repr(str(tmp_path / "out"))
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *inputs],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "[0, 1, 1, 1, 1] 0"


# --- real public templates -----------------------------------------------------------------------

REAL = IAC / "real"
VMX_PARAMETERS = {
    "ConnectInstanceARN": "arn:aws:connect:us-east-1:123456789012:instance/"
    "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    "ConnectInstanceAlias": "acme",
    "EnableVMToConnectTask": "yes",
    "EnableVMToConnectGuidedTask": "yes",
    "EnableVMToEmail": "no",
}


def test_every_data_file_has_provenance() -> None:
    manifest = json.loads((IAC / "manifest.json").read_text())
    listed = {entry["path"]: entry for entry in manifest["files"]}
    present = {str(path.relative_to(IAC)) for path in IAC.rglob("*") if path.is_file()} - {
        "manifest.json"
    }
    assert present == set(listed)
    for entry in listed.values():
        if entry["kind"] in ("real", "licence"):
            assert entry["repository"].startswith("https://github.com/")
            assert len(entry["commit"]) == 40
            assert entry["licence"] == "Apache-2.0"
            assert (IAC / entry["licence_file"]).is_file()
        else:
            assert entry["why"]


def test_a_real_template_without_parameters_is_incomplete_not_guessed(tmp_path: Path) -> None:
    code, report = run_iac(tmp_path, rel(REAL / "vmx3-contactflows.yaml"))
    assert code == 3
    instance = [
        f
        for f in report["findings"]
        if f["rule"] == "WARM901" and f["resource"].endswith(":instance/unresolved-0")
    ]
    assert len(instance) == 1  # one stand-in for the one unknown expression all flows share
    assert "parameter ConnectInstanceARN has no value" in instance[0]["message"]
    conditional = [f for f in report["findings"] if "created only if condition" in f["message"]]
    assert {f["message"].split(" is created")[0].split(": ")[-1] for f in conditional} >= {
        "VMXExampleTaskFlow",
        "VMXExampleGuidedTaskAgentFlow",
    }


def test_a_real_template_with_parameters_points_each_finding_at_its_flow(tmp_path: Path) -> None:
    parameters = tmp_path / "parameters.json"
    parameters.write_text(json.dumps(VMX_PARAMETERS))
    code, report = run_iac(
        tmp_path / "out",
        rel(REAL / "vmx3-lambda-functions.yaml"),
        rel(REAL / "vmx3-contactflows.yaml"),
        "--parameters",
        str(parameters),
    )
    # Every flow, module and condition resolves, the Lambda ARNs the flows set in a flow
    # attribute included (no WARM011); the instance lies outside the templates, so its Lambda
    # associations, and the statements an association adds, are unknown: WARM901, exit 3, and
    # no WARM013 resting on them.
    assert code == 3
    assert "WARM011" not in rules(report)
    assert "WARM013" not in rules(report)
    unknown = [f for f in report["findings"] if f["rule"] == "WARM901"]
    assert unknown
    assert all("associations" in f["message"] for f in unknown)
    lines = (REAL / "vmx3-contactflows.yaml").read_text().splitlines()
    results = json.loads((tmp_path / "out" / "warmcheck.sarif").read_text())["runs"][0]["results"]
    located = {
        lines[r["locations"][0]["physicalLocation"]["region"]["startLine"] - 1].strip()
        for r in results
        if r["ruleId"] == "WARM001"
    }
    # The functions the flows reach through those attributes, at their logical IDs' lines.
    assert located == {"VMXTimeStamper:", "VMXGuidedFlowPresigner:"}


# --- docs, help and the pre-commit hook ----------------------------------------------------------


def test_the_pre_commit_hook_runs_a_command_the_cli_accepts() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "warmcheck-iac"
    assert hook["pass_filenames"] is True
    entry = shlex.split(hook["entry"])
    assert entry[:2] == ["warmcheck", "iac"]
    args = build_parser().parse_args([*entry[1:], "--policy", "p.yaml", "templates/ivr.yaml"])
    assert args.paths == ["templates/ivr.yaml"]
    files = re.compile(hook["files"])
    assert files.search("templates/ivr.yaml")
    assert files.search("infra/template.yaml")
    assert not files.search(".github/workflows/ci.yml")
    extras = " ".join(hook["additional_dependencies"])
    assert "cfn-lint" in extras
    assert "aws-sam-translator" in extras


def test_docs_iac_commands_parse_and_help_names_every_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = (ROOT / "docs" / "iac.md").read_text().replace("\\\n", " ")
    commands = [
        line.strip() for line in text.splitlines() if line.strip().startswith("warmcheck iac ")
    ]
    assert commands
    for command in commands:
        build_parser().parse_args(shlex.split(command)[1:])
    with pytest.raises(SystemExit):
        main(["iac", "--help"])
    help_text = capsys.readouterr().out
    for option in ("--parameters", "--placeholders", "--with-snapshot", "--policy", "--fail-on"):
        assert option in help_text


def test_sam_schedule_v2_becomes_a_schedule_with_its_role(tmp_path: Path) -> None:
    source = (IAC / "sam" / "template.yaml").read_text()
    template = tmp_path / "template.yaml"
    event = "          Type: {}\n          Properties:\n            {}: rate"
    template.write_text(
        source.replace(
            event.format("Schedule", "Schedule"), event.format("ScheduleV2", "ScheduleExpression")
        )
    )
    code, report = run_iac(tmp_path / "out", str(template))
    assert (code, rules(report)) == (1, ["WARM001"])
    (lookup,) = [c for c in report["coverage"] if c["function"].endswith(":LookupFunction")]
    assert lookup["status"] == "warm"  # the generated role's policy lets the schedule invoke
    assert lookup["warmers"] == [
        "arn:aws:scheduler:zz-iac-0:000000000000:schedule/default/LookupFunctionWarm"
    ]


def test_plan_resources_in_modules_with_count_indexes(tmp_path: Path) -> None:
    data = json.loads((IAC / "terraform" / "new-flow-two-functions.plan.json").read_text())
    renamed = {}
    for change in data["resource_changes"]:
        if change["address"].endswith("billing_warmer"):
            kind = change["type"]
            renamed[change["address"]] = f"{kind}.this"
            change["address"] = f"module.warm.{kind}.this[0]"
            change["module_address"] = "module.warm"
            change["name"], change["index"] = "this", 0
    root = data["configuration"]["root_module"]
    inside = [r for r in root["resources"] if r["address"] in renamed]
    root["resources"] = [r for r in root["resources"] if r["address"] not in renamed]
    for resource in inside:
        resource["address"] = renamed[resource["address"]]
        for expression in resource["expressions"].values():
            expression["references"] = [
                reference.replace("billing_warmer", "this")
                for reference in expression.get("references", [])
            ]
    root["module_calls"] = {"warm": {"source": "./warm", "module": {"resources": inside}}}
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data, indent=1))
    code, report = run_iac(tmp_path / "out", str(plan))
    status = {c["function"].rsplit(":", 1)[1]: c["status"] for c in report["coverage"]}
    # The permission's source_arn (unknown until apply) resolves to the module's own rule.
    assert status == {"billing": "warm", "reports": "cold"}
    assert (code, rules(report)) == (1, ["WARM001"])


def test_a_module_the_flow_invokes_is_followed_to_its_lambda(tmp_path: Path) -> None:
    source = (TRAPS / "warmed.yaml").read_text()
    module = """
  SurveyFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/lambda-basic
      Code:
        ZipFile: "def handler(event, context): return {}"

  SurveyModule:
    Type: AWS::Connect::ContactFlowModule
    Properties:
      InstanceArn: !GetAtt ContactCenter.Arn
      Name: Survey
      Content: !Sub '{"Version": "2019-10-30", "StartAction": "s", "Actions": [
        {"Identifier": "s", "Type": "InvokeLambdaFunction",
         "Parameters": {"LambdaFunctionARN": "${SurveyFunction.Arn}"}, "Transitions": {}}]}'
"""
    template = tmp_path / "template.yaml"
    template.write_text(
        source.replace("\n  MainFlow:", module + "\n  MainFlow:").replace(
            '"Transitions": {"NextAction": "bye", "Errors": [], "Conditions": []}},',
            '"Transitions": {"NextAction": "survey", "Errors": [], "Conditions": []}},\n'
            '           {"Identifier": "survey", "Type": "InvokeFlowModule",\n'
            '            "Parameters": {"FlowModuleId": "${SurveyModule.ContactFlowModuleArn}"},\n'
            '            "Transitions": {"NextAction": "bye"}},',
        )
    )
    code, report = run_iac(tmp_path / "out", str(template))
    survey = [c for c in report["coverage"] if c["function"].endswith(":SurveyFunction")]
    assert [c["status"] for c in survey] == ["cold"]
    assert survey[0]["flows"] == [
        "arn:aws:connect:zz-iac-0:000000000000:instance/ContactCenter/contact-flow/MainFlow"
    ]
    assert code == 1
    assert "WARM001" in rules(report)


def test_the_same_templates_give_byte_identical_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = IAC / "terraform" / "new-flow-two-functions.plan.json"
    inputs = [rel(TRAPS / "unwarmed.yaml"), rel(plan)]
    morning = datetime(2027, 1, 4, 9, 15, 7, tzinfo=UTC)
    monkeypatch.setattr(checker.cli.iac, "utc_now", lambda: morning)
    run_iac(tmp_path / "a", *inputs)
    # Later the same day, the templates named in another order: the same reports.
    monkeypatch.setattr(checker.cli.iac, "utc_now", lambda: morning.replace(hour=17, minute=2))
    run_iac(tmp_path / "b", *reversed(inputs))
    for name in ("warmcheck.json", "warmcheck.sarif"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_odd_values_in_templates_and_plans_are_findings_not_crashes(tmp_path: Path) -> None:
    plan = json.loads((IAC / "terraform" / "new-flow-two-functions.plan.json").read_text())
    plan["resource_changes"] += [
        "not a resource change",
        {
            "address": "aws_scheduler_schedule.odd",
            "type": "aws_scheduler_schedule",
            "change": {
                "actions": ["create"],
                "after": {
                    "name": "odd",
                    "flexible_time_window": [
                        {"mode": "FLEXIBLE", "maximum_window_in_minutes": "many"}
                    ],
                    "target": [{"arn": "arn:aws:lambda:us-east-1:123456789012:function:billing"}],
                    "schedule_expression": "rate(1 minute)",
                    "start_date": "yesterday",
                },
            },
        },
        {
            "address": "aws_lambda_function.odd",
            "type": "aws_lambda_function",
            "change": {"actions": ["create"], "after": {"function_name": "odd", "arn": "arn:x"}},
        },
    ]
    odd_plan = tmp_path / "plan.json"
    odd_plan.write_text(json.dumps(plan))
    template = tmp_path / "odd.yaml"
    template.write_text(
        "Resources:\n"
        "  R: {Type: AWS::Events::Rule, Properties: {Targets: nope, ScheduleExpression: 5}}\n"
        "  F: {Type: AWS::Lambda::Function, Properties: [1, 2]}\n"
        "  P: {Type: AWS::Lambda::Permission, Properties: {FunctionName: !Ref F, Principal: 5}}\n"
        "  Flow:\n"
        "    Type: AWS::Connect::ContactFlow\n"
        "    Properties: {InstanceArn: not-an-arn, Content: '{not json'}\n"
    )
    for path in (odd_plan, template):
        code, _ = run_iac(tmp_path / path.stem, str(path))
        assert code in (1, 3)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"AWS::AccountId": "12"}', "AWS::AccountId: AWS::AccountId '12' is not a 12-digit"),
        ('{"AWS::Region": "moon"}', "AWS::Region: AWS::Region 'moon' is not a region name"),
        ('["not", "pairs"]', "a list must hold {ParameterKey, ParameterValue} objects"),
        ("{oops", "invalid JSON"),
    ],
)
def test_a_bad_parameters_file_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, problem: str
) -> None:
    parameters = tmp_path / "parameters.json"
    parameters.write_text(content)
    code, _ = run_iac(tmp_path / "out", rel(TRAPS / "warmed.yaml"), "--parameters", str(parameters))
    assert code == 2
    assert problem in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_what_only_deploy_time_knows_is_annotated_at_its_template_line(tmp_path: Path) -> None:
    code, _ = run_iac(tmp_path, rel(REAL / "vmx3-contactflows.yaml"))
    assert code == 3
    lines = (REAL / "vmx3-contactflows.yaml").read_text().splitlines()
    located = {}
    for result in sarif(tmp_path)["runs"][0]["results"]:
        physical = result["locations"][0]["physicalLocation"]
        if result["ruleId"] == "WARM901":
            assert physical["artifactLocation"]["uri"] == rel(REAL / "vmx3-contactflows.yaml")
            located[result["message"]["text"]] = lines[physical["region"]["startLine"] - 1]
    conditional = [line for text, line in located.items() if "created only if" in text]
    assert "  VMXExampleTaskFlow:" in conditional
