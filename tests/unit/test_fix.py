"""`warmcheck fix`: the plan per finding, its schedules, names, warnings and its renderings."""

from __future__ import annotations

import json
import shlex
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.api import ManualArgs, lint

from checker.analysis.core import Analysis
from checker.cli import build_parser, main
from checker.domain.schedule import FiringSource, worst_gap
from checker.engine import PolicyRef, evaluate
from checker.fix import FIX_FORMATS, cloudformation, shell, terraform
from checker.fix.model import (
    AssociateLambdaStep,
    EnableRuleStep,
    EntryV1,
    EventRuleStep,
    FixPlanV1,
    LambdaPermissionStep,
    ManualStep,
    RetargetRuleStep,
    RolePolicyStep,
    SchedulerRoleStep,
    ScheduleStep,
    UpdateScheduleStep,
)
from checker.fix.plan import POLICY_SIZE_LIMIT, build_plan
from checker.model.policy import Policy
from checker.model.snapshot import (
    ClockTime,
    FunctionAlias,
    FunctionPolicy,
    HoursConfig,
    HoursOfOperation,
    ReservedConcurrency,
)
from tests.scenario import (
    ACCOUNT,
    INSTANCE_ARN,
    PAYLOAD,
    REGION,
    CollectionFailure,
    Scenario,
    default_policy,
    flow,
    fn_arn,
    healthy,
    invoke_role,
    policy_document,
    rule_arn,
    schedule,
    scheduled_rule,
    statement,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
CRM = fn_arn("crm-lookup", "prod")
BILLING = fn_arn("billing")


def plan_for(scenario: Scenario, policy: Policy | None = None) -> tuple[FixPlanV1, Analysis]:
    policy = policy or default_policy()
    snapshot = scenario.snapshot()
    report = evaluate(
        policy, snapshot, snapshot.collected_at, policy_ref=PolicyRef("policy.yaml", "0" * 64)
    )
    analysis = Analysis(policy, snapshot, snapshot.collected_at)
    return build_plan(report, analysis), analysis


def only_entry(plan: FixPlanV1, rule: str) -> EntryV1:
    entries = [e for e in plan.entries if e.rule == rule]
    assert len(entries) == 1, [e.rule for e in plan.entries]
    return entries[0]


def without_crm_warmer() -> Scenario:
    scenario = healthy()
    scenario.rules = [r for r in scenario.rules if r.name != "crm-warmer"]
    return scenario


def test_a_healthy_account_gets_an_empty_plan() -> None:
    plan, _ = plan_for(healthy())
    assert plan.entries == []
    assert plan.complete


def test_missing_warmer_gets_a_rule_on_the_exact_qualifier_and_its_pinned_permission() -> None:
    plan, analysis = plan_for(without_crm_warmer())
    entry = only_entry(plan, "WARM001")
    rule, permission = entry.steps
    assert isinstance(rule, EventRuleStep)
    assert isinstance(permission, LambdaPermissionStep)
    assert rule.target_arn == CRM
    assert json.loads(rule.input) == PAYLOAD
    assert permission.qualifier == "prod"
    assert permission.principal == "events.amazonaws.com"
    assert (permission.source_arn, permission.source_account) == (rule.arn, ACCOUNT)
    assert rule.name.startswith("warmcheck-crm-lookup-")
    assert len(rule.name) <= 64
    assert (entry.account, entry.region, entry.reversible, entry.manual) == (
        ACCOUNT,
        REGION,
        True,
        False,
    )
    assert {"events:PutRule", "events:PutTargets", "lambda:AddPermission"} <= set(
        entry.operator_permissions
    )
    # The project's own schedule engine agrees the new warmer meets max_interval.
    gap = worst_gap(
        [FiringSource(rule.schedule_expression)], None, analysis.now, analysis.horizon_end
    )
    assert gap.seconds <= 300


@pytest.mark.parametrize("max_interval", ["1m", "90s", "7m", "2h"])
def test_the_new_rule_meets_any_max_interval_of_a_minute_or_more(max_interval: str) -> None:
    plan, analysis = plan_for(without_crm_warmer(), default_policy(max_interval=max_interval))
    rule = only_entry(plan, "WARM001").steps[0]
    assert isinstance(rule, EventRuleStep)
    limit = analysis.required[next(iter(analysis.required))].settings.max_interval
    gap = worst_gap(
        [FiringSource(rule.schedule_expression)], None, analysis.now, analysis.horizon_end
    )
    assert gap.seconds <= limit


def test_below_a_minute_no_schedule_can_do_it_so_the_step_is_manual() -> None:
    plan, _ = plan_for(without_crm_warmer(), default_policy(max_interval="30s"))
    entry = only_entry(plan, "WARM001")
    assert entry.manual
    assert not entry.reversible
    assert isinstance(entry.steps[0], ManualStep)
    assert "provisioned concurrency" in entry.steps[0].explanation


WINDOWS: list[dict[str, Any]] = [
    {
        "timezone": "Europe/Berlin",
        "weekly": [{"days": ["MON-FRI"], "start": "08:00", "end": "18:00"}],
    },
    {
        "timezone": "America/New_York",
        "weekly": [
            {"days": ["MON-FRI"], "start": "08:30", "end": "17:45"},
            {"days": ["SAT"], "start": "09:00", "end": "13:00"},
        ],
    },
    {"timezone": "Asia/Kolkata", "weekly": [{"days": ["FRI"], "start": "22:00", "end": "06:00"}]},
]


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("max_interval", ["5m", "25m", "2h"])
def test_a_window_in_a_time_zone_gets_scheduler_schedules_that_meet_it(
    window: dict[str, Any], max_interval: str
) -> None:
    policy = default_policy(max_interval=max_interval, window=window)
    plan, analysis = plan_for(without_crm_warmer(), policy)
    entry = only_entry(plan, "WARM001")
    roles = [s for s in entry.steps if isinstance(s, SchedulerRoleStep)]
    schedules = [s for s in entry.steps if isinstance(s, ScheduleStep)]
    assert len(roles) == 1
    assert schedules
    assert {s.timezone for s in schedules} == {window["timezone"]}
    assert all(s.schedule_expression.startswith("cron(") for s in schedules)
    assert all(s.role_arn == roles[0].role_arn and s.target_arn == CRM for s in schedules)
    assert roles[0].function_arn == CRM
    required = analysis.required[next(k for k in analysis.required if k.arn == CRM)]
    intervals = analysis.window_intervals(required)
    assert not isinstance(intervals, str)
    firings = [FiringSource(s.schedule_expression, s.timezone) for s in schedules]
    gap = worst_gap(firings, intervals, analysis.now, analysis.horizon_end)
    assert gap.seconds <= required.settings.max_interval
    # and the schedules do not fire all week long: most of the week is outside the window
    always = worst_gap(firings, None, analysis.now, analysis.now + timedelta(days=14))
    assert always.seconds > 6 * 3600


def test_a_window_without_scheduler_accepted_falls_back_to_a_utc_rule() -> None:
    policy = default_policy(window=WINDOWS[0], accept=["eventbridge_rule"])
    plan, _ = plan_for(without_crm_warmer(), policy)
    steps = only_entry(plan, "WARM001").steps
    assert [s.type for s in steps] == ["eventbridge_rule", "lambda_permission"]


def test_gap_too_long_adds_a_warmer_beside_the_slow_one() -> None:
    scenario = healthy()
    scenario.rules = [
        scheduled_rule("crm-warmer", "rate(15 minutes)", CRM),
        *[r for r in scenario.rules if r.name != "crm-warmer"],
    ]
    plan, _ = plan_for(scenario)
    steps = only_entry(plan, "WARM003").steps
    assert isinstance(steps[0], EventRuleStep)
    assert steps[0].schedule_expression == "rate(5 minutes)"


def test_disabled_warmer_is_re_enabled_and_given_its_missing_permission() -> None:
    scenario = healthy()
    scenario.rules = [
        scheduled_rule("crm-warmer", "rate(5 minutes)", CRM, state="DISABLED"),
        *[r for r in scenario.rules if r.name != "crm-warmer"],
    ]
    scenario.set_policy(
        "crm-lookup", "prod", statement("connect", "connect.amazonaws.com", CRM, INSTANCE_ARN)
    )
    plan, _ = plan_for(scenario)
    enable, permission = only_entry(plan, "WARM002").steps
    assert enable == EnableRuleStep(rule_name="crm-warmer", rule_arn=rule_arn("crm-warmer"))
    assert isinstance(permission, LambdaPermissionStep)
    assert permission.source_arn == rule_arn("crm-warmer")


def test_warmer_without_permission_gets_one_statement_pinned_to_it() -> None:
    scenario = healthy()
    scenario.set_policy(
        "crm-lookup", "prod", statement("connect", "connect.amazonaws.com", CRM, INSTANCE_ARN)
    )
    plan, _ = plan_for(scenario)
    (step,) = only_entry(plan, "WARM004").steps
    assert isinstance(step, LambdaPermissionStep)
    assert (step.function_arn, step.qualifier) == (fn_arn("crm-lookup"), "prod")
    assert (step.source_arn, step.source_account) == (rule_arn("crm-warmer"), ACCOUNT)


def test_connect_without_permission_gets_the_instance_statement() -> None:
    scenario = healthy()
    scenario.set_policy(
        "crm-lookup",
        "prod",
        statement("warmer", "events.amazonaws.com", CRM, rule_arn("crm-warmer")),
    )
    plan, _ = plan_for(scenario)
    (step,) = only_entry(plan, "WARM013").steps
    assert isinstance(step, LambdaPermissionStep)
    assert step.principal == "connect.amazonaws.com"
    assert (step.source_arn, step.source_account, step.qualifier) == (INSTANCE_ARN, ACCOUNT, "prod")


def test_wrong_qualifier_and_missing_payload_share_one_re_pointed_target() -> None:
    scenario = healthy()
    scenario.rules = [
        scheduled_rule("crm-warmer", "rate(5 minutes)", fn_arn("crm-lookup"), payload=None),
        *[r for r in scenario.rules if r.name != "crm-warmer"],
    ]
    plan, _ = plan_for(scenario)
    wrong = only_entry(plan, "WARM005")
    payload = only_entry(plan, "WARM008")
    retarget = wrong.steps[0]
    assert isinstance(retarget, RetargetRuleStep)
    assert (retarget.target_id, retarget.target_arn) == ("t0", CRM)
    assert json.loads(retarget.input) == PAYLOAD
    assert payload.steps[0] == retarget  # the same change: no conflicting PutTargets
    script = shell.render(plan)
    assert script.count("put_targets --rule crm-warmer") == 1
    assert "# same retarget_rule step as above: already applied" in script


def test_unassociated_function_is_associated_with_the_instance() -> None:
    scenario = healthy()
    scenario.associations = [BILLING]
    plan, _ = plan_for(scenario)
    (step,) = only_entry(plan, "WARM012").steps
    assert step == AssociateLambdaStep(
        instance_id=INSTANCE_ARN.rsplit("/", 1)[1], instance_arn=INSTANCE_ARN, function_arn=CRM
    )


def test_overbroad_orphan_and_dynamic_findings_are_manual_comments_never_removals() -> None:
    scenario = healthy()
    scenario.set_policy(
        "billing",
        "$LATEST",
        statement("connect", "connect.amazonaws.com", BILLING, INSTANCE_ARN),
        statement("any", "events.amazonaws.com", BILLING, None),
    )
    scenario.rules = [
        *scenario.rules,
        scheduled_rule("old-warmer", "rate(5 minutes)", fn_arn("gone")),
    ]
    plan, _ = plan_for(scenario)
    for rule in ("WARM006", "WARM009"):
        entry = only_entry(plan, rule)
        assert entry.manual
        assert all(isinstance(s, ManualStep) for s in entry.steps)
    overbroad = only_entry(plan, "WARM009").steps[0]
    assert isinstance(overbroad, ManualStep)
    assert any("remove-permission" in c and "any" in c for c in overbroad.commented_commands)
    script = shell.render(plan)
    executable = [line for line in script.splitlines() if not line.lstrip().startswith("#")]
    assert not any("remove-permission" in line or "disable-rule" in line for line in executable)
    assert not any("delete" in line for line in executable)


def test_waived_findings_are_not_planned() -> None:
    policy = Policy.model_validate(
        {
            "version": 1,
            "warm": {"payload": PAYLOAD},
            "waivers": [
                {
                    "rule": "WARM001",
                    "resource": CRM,
                    "reason": "migrating",
                    "owner": "team",
                    "expires": "2099-01-01",
                }
            ],
        }
    )
    plan, _ = plan_for(without_crm_warmer(), policy)
    assert [e.rule for e in plan.entries] == []
    assert [(n.rule, n.reason) for n in plan.not_covered] == [("WARM001", "waived in the policy")]


def test_unread_evidence_makes_the_plan_incomplete_and_says_so() -> None:
    scenario = without_crm_warmer()
    scenario.errors = [
        CollectionFailure(
            service="events",
            operation="ListRules",
            region=REGION,
            code="AccessDenied",
            message="no",
        )
    ]
    plan, _ = plan_for(scenario)
    assert not plan.complete
    assert plan.unread
    assert "EVIDENCE INCOMPLETE" in shell.render(plan)
    assert "EVIDENCE INCOMPLETE" in cloudformation.render(plan)


def test_names_and_statement_ids_are_deterministic_and_valid() -> None:
    first, _ = plan_for(without_crm_warmer())
    second, _ = plan_for(without_crm_warmer())
    assert first.to_json() == second.to_json()
    for entry in first.entries:
        for step in entry.steps:
            if isinstance(step, LambdaPermissionStep):
                # botocore: StatementId ([a-zA-Z0-9-_]+, at most 100 characters)
                assert len(step.statement_id) <= 100
                assert step.statement_id.replace("-", "").replace("_", "").isalnum()


def test_lambda_policy_limit_is_20_kb_and_a_plan_near_it_warns() -> None:
    # Lambda quotas, "Function resource-based policy: 20 KB" (cannot be increased).
    assert POLICY_SIZE_LIMIT == 20 * 1024
    scenario = without_crm_warmer()
    filler = [
        statement(f"filler-{n:03d}", "events.amazonaws.com", CRM, rule_arn(f"r{n:03d}"))
        for n in range(55)
    ]
    document = policy_document(
        statement("connect", "connect.amazonaws.com", CRM, INSTANCE_ARN), *filler
    )
    assert 16_000 < len(document) < POLICY_SIZE_LIMIT
    scenario.update_function(
        "crm-lookup",
        policies=[
            FunctionPolicy(qualifier="$LATEST", document=None),
            FunctionPolicy(qualifier="prod", document=document),
        ],
    )
    plan, _ = plan_for(scenario)
    assert any("20480-byte limit" in w and CRM in w for w in plan.warnings)
    small, _ = plan_for(without_crm_warmer())
    assert small.warnings == []


# --- renderings -------------------------------------------------------------------------


def drift_plan() -> FixPlanV1:
    scenario = healthy()
    scenario.rules = [
        scheduled_rule("crm-warmer", "rate(5 minutes)", fn_arn("crm-lookup"), payload=None)
    ]
    scenario.associations = [fn_arn("crm-lookup")]
    plan, _ = plan_for(scenario, default_policy(window=WINDOWS[0]))
    return plan


def test_every_format_renders_and_the_cli_writes_all_by_default(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    scenario = without_crm_warmer()
    snapshot.write_text(scenario.snapshot().to_json())
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nwarm:\n  payload: {warmer: true}\n")
    out = tmp_path / "out"
    args = ["fix", "--snapshot", str(snapshot), "--policy", str(policy), "--out-dir", str(out)]
    assert main(args) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(fmt.filename for fmt in FIX_FORMATS)
    plan = FixPlanV1.model_validate_json((out / "warmcheck-fix.json").read_text())
    assert [e.rule for e in plan.entries] == ["WARM001"]
    only = tmp_path / "only"
    assert main([*args[:-1], str(only), "--format", "cli"]) == 0
    assert [p.name for p in only.iterdir()] == ["warmcheck-fix.sh"]


def test_bad_input_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text('{"version": 1, "collected_at": "not a time"}')
    out = tmp_path / "out"
    code = main(["fix", "--snapshot", str(snapshot), "--policy", "policies/demo-policy.yaml",
                 "--out-dir", str(out)])  # fmt: skip
    assert code == 2
    assert not out.exists()


def test_unread_evidence_is_exit_3_with_the_plan_written(tmp_path: Path) -> None:
    scenario = without_crm_warmer()
    scenario.errors = [
        CollectionFailure(service="lambda", operation="GetPolicy", code="AccessDenied", message="x")
    ]
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(scenario.snapshot().to_json())
    out = tmp_path / "out"
    code = main(["fix", "--snapshot", str(snapshot), "--policy", "policies/demo-policy.yaml",
                 "--out-dir", str(out)])  # fmt: skip
    assert code == 3
    assert not FixPlanV1.model_validate_json((out / "warmcheck-fix.json").read_text()).complete


def test_cloudformation_passes_cfn_lint_with_no_error() -> None:
    plan = drift_plan()
    text = cloudformation.render(plan)
    template = yaml.safe_load(text)
    types = {r["Type"] for r in template["Resources"].values()}
    assert {"AWS::IAM::Role", "AWS::Scheduler::Schedule"} <= types
    matches = lint(text, regions=[REGION], config=ManualArgs(regions=[REGION]))
    errors = [m for m in matches if m.rule.id.startswith("E")]
    assert errors == [], [str(m) for m in errors]


def test_cloudformation_lints_clean_for_rules_permissions_and_associations() -> None:
    scenario = without_crm_warmer()
    scenario.associations = [BILLING]
    scenario.set_policy("billing", "$LATEST")
    plan, _ = plan_for(scenario)
    text = cloudformation.render(plan)
    types = {r["Type"] for r in yaml.safe_load(text)["Resources"].values()}
    assert {
        "AWS::Events::Rule",
        "AWS::Lambda::Permission",
        "AWS::Connect::IntegrationAssociation",
    } <= types
    matches = lint(text, regions=[REGION], config=ManualArgs(regions=[REGION]))
    assert [str(m) for m in matches if m.rule.id.startswith("E")] == []


def test_a_plan_over_two_regions_writes_one_template_per_stack() -> None:
    plan = drift_plan()
    moved = plan.entries[0].model_copy(update={"region": "eu-west-1"})
    two = plan.model_copy(update={"entries": [*plan.entries, moved]})
    files = dict(cloudformation.render_files(two))
    assert set(files) == {
        "warmcheck-fix.cfn.yaml",
        f"warmcheck-fix.{ACCOUNT}.eu-west-1.cfn.yaml",
        f"warmcheck-fix.{ACCOUNT}.{REGION}.cfn.yaml",
    }
    assert len(list(yaml.safe_load_all(files["warmcheck-fix.cfn.yaml"]))) == 2


# Required arguments per resource type (Terraform AWS provider documentation).
TERRAFORM_REQUIRED: dict[str, tuple[str, ...]] = {
    "aws_cloudwatch_event_rule": ("schedule_expression",),
    "aws_cloudwatch_event_target": ("rule", "arn"),
    "aws_lambda_permission": ("action", "function_name", "principal"),
    "aws_scheduler_schedule": ("flexible_time_window", "schedule_expression", "target"),
    "aws_iam_role": ("assume_role_policy",),
    "aws_iam_role_policy": ("policy", "role"),
    "aws_connect_lambda_function_association": ("function_arn", "instance_id"),
}


def test_terraform_json_round_trips_and_has_every_required_attribute() -> None:
    scenario = healthy()
    scenario.rules = [
        scheduled_rule("crm-warmer", "rate(5 minutes)", fn_arn("crm-lookup"), payload=None)
    ]
    scenario.associations = []
    plan, _ = plan_for(scenario, default_policy(window=WINDOWS[0]))
    text = terraform.render(plan)
    document = json.loads(text)
    assert json.dumps(document, indent=2, sort_keys=True) + "\n" == text
    resources = document["resource"]
    assert set(resources) <= set(TERRAFORM_REQUIRED)
    assert {"aws_scheduler_schedule", "aws_connect_lambda_function_association"} <= set(resources)
    aliases = {p["alias"] for p in document["provider"]["aws"]}
    for kind, by_name in resources.items():
        for body in by_name.values():
            missing = [a for a in TERRAFORM_REQUIRED[kind] if a not in body]
            assert missing == [], (kind, missing)
            assert body["provider"].removeprefix("aws.") in aliases
            if kind == "aws_scheduler_schedule":
                assert body["flexible_time_window"] == [{"mode": "OFF"}]
                assert {"arn", "role_arn"} <= set(body["target"][0])
            for value in body.values():  # every reference names a resource in this file
                if isinstance(value, str) and value.startswith("${"):
                    kind_ref, name_ref, _ = value[2:-1].split(".")
                    assert name_ref in resources[kind_ref]


def test_the_shell_plan_quotes_everything_and_starts_strict() -> None:
    text = shell.render(drift_plan())
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    assert "--flexible-time-window Mode=OFF" in text


def test_help_and_docs_name_the_fix_command_and_every_documented_line_parses() -> None:
    assert "fix" in build_parser().format_help()
    readme = (ROOT / "README.md").read_text()
    assert "`warmcheck fix" in readme
    lines = [
        line.strip()
        for line in (ROOT / "docs" / "fix.md").read_text().splitlines()
        if line.strip().startswith("warmcheck ")
    ]
    assert any(line.startswith("warmcheck fix ") for line in lines)
    for line in lines:
        build_parser().parse_args(shlex.split(line)[1:])
    for fmt in FIX_FORMATS:
        assert f"`{fmt.filename}`" in (ROOT / "docs" / "fix.md").read_text()


# --- schedules as warmers ---------------------------------------------------------------------


def scheduled_crm(**fields: Any) -> Scenario:
    """crm-lookup:prod warmed by a Scheduler schedule instead of a rule."""
    scenario = without_crm_warmer()
    role = fields.pop("role", invoke_role("crm-scheduler", CRM))
    scenario.roles = [role]
    fields.setdefault("role_arn", role.arn)
    scenario.schedules = [
        schedule("crm-schedule", "rate(5 minutes)", fields.pop("target", CRM), **fields)
    ]
    return scenario


def test_a_healthy_schedule_needs_nothing() -> None:
    plan, _ = plan_for(scheduled_crm())
    assert plan.entries == []


def test_a_disabled_schedule_is_updated_with_its_own_settings_and_enabled() -> None:
    plan, _ = plan_for(scheduled_crm(state="DISABLED", flexible_window_minutes=3))
    (update,) = only_entry(plan, "WARM002").steps
    assert isinstance(update, UpdateScheduleStep)
    assert (update.name, update.group, update.schedule_expression) == (
        "crm-schedule",
        "default",
        "rate(5 minutes)",
    )
    assert (update.target_arn, update.flexible_window_minutes) == (CRM, 3)
    assert update.role_arn == f"arn:aws:iam::{ACCOUNT}:role/crm-scheduler"
    script = shell.render(plan)
    assert "--flexible-time-window Mode=FLEXIBLE,MaximumWindowInMinutes=3 --state ENABLED" in script


def test_a_schedule_whose_role_cannot_invoke_gets_an_inline_policy_on_that_role() -> None:
    plan, _ = plan_for(scheduled_crm(role=invoke_role("crm-scheduler", BILLING)))
    (step,) = only_entry(plan, "WARM004").steps
    assert isinstance(step, RolePolicyStep)
    assert (step.role_name, step.function_arn) == ("crm-scheduler", CRM)
    assert "aws iam put-role-policy --role-name crm-scheduler" in shell.render(plan)


def test_a_schedule_on_the_wrong_qualifier_is_re_pointed_and_its_role_widened() -> None:
    plan, _ = plan_for(
        scheduled_crm(
            target=fn_arn("crm-lookup"), role=invoke_role("crm-scheduler", fn_arn("crm-lookup"))
        )
    )
    update, role_policy = only_entry(plan, "WARM005").steps
    assert isinstance(update, UpdateScheduleStep)
    assert update.target_arn == CRM
    assert isinstance(role_policy, RolePolicyStep)
    assert role_policy.function_arn == CRM


def test_a_schedule_without_a_role_is_a_manual_step() -> None:
    plan, _ = plan_for(scheduled_crm(role_arn=None))
    entry = only_entry(plan, "WARM004")
    assert [s.type for s in entry.steps] == ["manual"]


def test_an_hours_of_operation_window_gets_schedules_in_the_hours_time_zone() -> None:
    scenario = without_crm_warmer()
    scenario.hours = [
        HoursOfOperation(
            id="hours-1",
            arn=f"{INSTANCE_ARN}/operating-hours/hours-1",
            name="Support Hours",
            time_zone="America/New_York",
            config=[
                HoursConfig(
                    day=day,
                    start=ClockTime(hours=8, minutes=0),
                    end=ClockTime(hours=18, minutes=0),
                )
                for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
            ],
        )
    ]
    policy = default_policy(window={"hours_of_operation": "Support Hours"})
    plan, analysis = plan_for(scenario, policy)
    schedules = [s for s in only_entry(plan, "WARM001").steps if isinstance(s, ScheduleStep)]
    assert [(s.schedule_expression, s.timezone) for s in schedules] == [
        ("cron(0/5 8-17 ? * MON,TUE,WED,THU,FRI *)", "America/New_York")
    ]
    required = analysis.required[next(k for k in analysis.required if k.arn == CRM)]
    intervals = analysis.window_intervals(required)
    assert not isinstance(intervals, str)
    gap = worst_gap(
        [FiringSource(s.schedule_expression, s.timezone) for s in schedules],
        intervals,
        analysis.now,
        analysis.horizon_end,
    )
    assert gap.seconds <= 300


def test_one_warmer_on_an_unused_qualifier_is_re_pointed_once_and_the_other_gets_its_own() -> None:
    scenario = healthy()
    scenario.rules = [
        scheduled_rule("crm-warmer", "rate(5 minutes)", fn_arn("crm-lookup")),
        *[r for r in scenario.rules if r.name != "crm-warmer"],
    ]
    scenario.update_function(
        "crm-lookup",
        aliases=[
            FunctionAlias(name="prod", function_version="1"),
            FunctionAlias(name="beta", function_version="1"),
        ],
    )
    scenario.flows.append(flow("beta-flow", fn_arn("crm-lookup", "beta")))
    plan, _ = plan_for(scenario)
    wrong = [e for e in plan.entries if e.rule == "WARM005"]
    assert sorted(e.function or "" for e in wrong) == [fn_arn("crm-lookup", "beta"), CRM]
    kinds = sorted(tuple(s.type for s in e.steps) for e in wrong)
    # beta has no statement for the rule yet, so its re-pointing brings one
    assert kinds == [
        ("eventbridge_rule", "lambda_permission"),
        ("retarget_rule", "lambda_permission"),
    ]
    retargets = [s for e in wrong for s in e.steps if isinstance(s, RetargetRuleStep)]
    assert len(retargets) == 1


def test_check_reports_link_each_planned_finding_to_its_plan_entry(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(without_crm_warmer().snapshot().to_json())
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nwarm:\n  payload: {warmer: true}\n")
    common = ["--snapshot", str(snapshot), "--policy", str(policy), "-q"]
    assert main(["fix", *common, "--out-dir", str(tmp_path / "fix")]) == 0
    checked = ["--format", "json,markdown,html,junit", "--out-dir", str(tmp_path / "check")]
    assert main(["check", *common, *checked]) == 1
    plan = FixPlanV1.model_validate_json((tmp_path / "fix" / "warmcheck-fix.json").read_text())
    report = json.loads((tmp_path / "check" / "warmcheck.json").read_text())
    planned = {entry.fingerprint for entry in plan.entries}
    assert planned  # the missing warmer is planned
    assert planned <= {finding["fingerprint"] for finding in report["findings"]}
    for name in ("warmcheck.md", "warmcheck.html", "warmcheck.junit.xml"):
        text = (tmp_path / "check" / name).read_text()
        for fingerprint in planned:
            assert f"entry {fingerprint[:12]} of warmcheck-fix.json" in text, name


def test_a_function_that_cannot_run_gets_a_manual_step_never_an_executed_one() -> None:
    scenario = healthy()
    scenario.update_function("billing", concurrency=ReservedConcurrency(reserved=0))
    plan, _ = plan_for(scenario)
    entry = only_entry(plan, "WARM019")
    assert entry.manual
    (step,) = entry.steps
    assert isinstance(step, ManualStep)
    assert "kill switch" in step.explanation
    assert any(
        "delete-function-concurrency --function-name billing" in c for c in step.commented_commands
    )
    script = shell.render(plan)
    executable = [line for line in script.splitlines() if not line.lstrip().startswith("#")]
    assert not any("delete-function-concurrency" in line for line in executable)
