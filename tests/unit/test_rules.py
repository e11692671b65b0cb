"""Every rule: a violating case, a compliant case, and a near miss that must not fire.

Each test starts from `healthy()` (no findings) and changes one fact.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

import pytest

from checker.engine import Evaluation, PolicyRef, evaluate
from checker.model.findings import Finding
from checker.model.policy import Policy
from checker.model.snapshot import (
    FunctionAlias,
    FunctionLogging,
    FunctionPolicy,
    FunctionVersion,
    LambdaReference,
    LogReading,
    ReservedConcurrency,
    RuntimeEvidence,
    Snapshot,
)
from tests.evidence_scenario import (
    FIRED,
    Series,
    evidence_policy,
    group_series,
    lambda_series,
    log_reading,
    queries_for,
    rule_series,
    with_logs,
    with_metrics,
)
from tests.scenario import (
    ACCOUNT,
    INSTANCE_ARN,
    NOW,
    PAYLOAD,
    CollectionFailure,
    ProvisionedConcurrency,
    Scenario,
    default_policy,
    flow,
    fn_arn,
    healthy,
    invoke_role,
    lambda_function,
    module,
    policy_document,
    rule_arn,
    schedule,
    schedule_arn,
    scheduled_rule,
    statement,
    warm_permissions,
)

REF = PolicyRef("policy.yaml", "0" * 64)


def run(scenario: Scenario, policy: Policy | None = None) -> Evaluation:
    return evaluate(policy or default_policy(), scenario.snapshot(), NOW, policy_ref=REF)


def rules_of(report: Evaluation) -> list[str]:
    return sorted(f.rule for f in report.findings)


def only(report: Evaluation, rule: str) -> Finding:
    found = [f for f in report.findings if f.rule == rule]
    assert len(found) == 1, report.findings
    return found[0]


def test_healthy_scenario_has_no_findings_and_everything_warm() -> None:
    report = run(healthy())
    assert report.findings == ()
    assert [(c.function, c.status) for c in report.coverage] == [
        (fn_arn("billing"), "warm"),
        (fn_arn("crm-lookup", "prod"), "warm"),
    ]
    assert report.verdict == "pass"
    crm = next(c for c in report.coverage if c.function.endswith(":prod"))
    assert crm.worst_gap_seconds == 300
    assert crm.warmers == (rule_arn("crm-warmer"),)
    assert crm.flows == (f"{INSTANCE_ARN}/contact-flow/main",)


# --- WARM001 missing-warmer -------------------------------------------------------------------


def test_warm001_fires_when_nothing_targets_the_function() -> None:
    scenario = healthy()
    scenario.rules = [r for r in scenario.rules if r.name != "billing-warmer"]
    finding = only(run(scenario), "WARM001")
    assert finding.resource == fn_arn("billing")
    assert finding.function == fn_arn("billing")
    assert finding.flows == (f"{INSTANCE_ARN}/contact-flow/main",)
    assert finding.severity == "high"


def test_warm001_not_fired_when_provisioned_concurrency_covers_the_qualifier() -> None:
    scenario = healthy()
    scenario.rules = [r for r in scenario.rules if r.name != "crm-warmer"]
    scenario.update_function(
        "crm-lookup",
        provisioned_concurrency=[
            ProvisionedConcurrency(qualifier="prod", requested=2, available=2, allocated=2)
        ],
    )
    report = run(scenario)
    assert report.findings == ()
    assert {c.function: c.status for c in report.coverage}[fn_arn("crm-lookup", "prod")] == "warm"


def test_warm001_near_miss_provisioned_concurrency_on_another_qualifier_does_not_count() -> None:
    scenario = healthy()
    scenario.rules = [r for r in scenario.rules if r.name != "crm-warmer"]
    scenario.update_function(
        "crm-lookup",
        provisioned_concurrency=[
            ProvisionedConcurrency(qualifier="1", requested=2, available=2, allocated=2)
        ],
    )
    assert rules_of(run(scenario)) == ["WARM001"]


def test_warm001_provisioned_concurrency_not_accepted_by_policy_does_not_count() -> None:
    scenario = healthy()
    scenario.rules = [r for r in scenario.rules if r.name != "crm-warmer"]
    scenario.update_function(
        "crm-lookup",
        provisioned_concurrency=[
            ProvisionedConcurrency(qualifier="prod", requested=2, available=2, allocated=2)
        ],
    )
    policy = default_policy(accept=["eventbridge_rule"])
    assert rules_of(run(scenario, policy)) == ["WARM001"]


def test_a_nightly_batch_rule_on_an_unrequired_function_is_not_a_warmer() -> None:
    scenario = healthy()
    scenario.functions["batch-export"] = lambda_function("batch-export")
    scenario.rules.append(
        scheduled_rule(
            "nightly-export", "cron(0 2 * * ? *)", fn_arn("batch-export"), payload={"job": "x"}
        )
    )
    assert run(scenario).findings == ()


# --- precedence -------------------------------------------------------------------------------


def test_wrong_qualifier_gives_warm005_and_not_warm001() -> None:
    scenario = healthy()
    scenario.rules[0] = scheduled_rule("crm-warmer", "rate(5 minutes)", fn_arn("crm-lookup"))
    report = run(scenario)
    assert rules_of(report) == ["WARM005"]
    finding = only(report, "WARM005")
    assert finding.resource == rule_arn("crm-warmer")
    assert finding.warmer == rule_arn("crm-warmer")
    assert finding.function == fn_arn("crm-lookup", "prod")  # as the flows call it
    assert "warms " + fn_arn("crm-lookup") + ", but" in finding.message
    status = {c.function: c.status for c in report.coverage}
    assert status[fn_arn("crm-lookup", "prod")] == "cold"


def test_missing_function_gives_warm014_and_not_warm001() -> None:
    scenario = healthy()
    scenario.rules = [r for r in scenario.rules if r.name != "billing-warmer"]
    scenario.update_function("billing", exists=False, policies=[], timeout=None)
    report = run(scenario)
    assert rules_of(report) == ["WARM014"]
    finding = only(report, "WARM014")
    assert finding.resource == f"{INSTANCE_ARN}/contact-flow/main"
    assert finding.function == fn_arn("billing")


def test_missing_alias_is_a_broken_reference_and_the_warmer_dangles() -> None:
    scenario = healthy()
    scenario.update_function("crm-lookup", aliases=[])
    report = run(scenario)
    assert rules_of(report) == ["WARM007", "WARM014"]
    assert only(report, "WARM014").resource == f"{INSTANCE_ARN}/flow-module/mod-crm"


# --- WARM002 warmer-disabled ------------------------------------------------------------------


def test_warm002_when_the_only_warmer_is_disabled() -> None:
    scenario = healthy()
    scenario.rules[0] = scheduled_rule(
        "crm-warmer", "rate(5 minutes)", fn_arn("crm-lookup", "prod"), state="DISABLED"
    )
    finding = only(run(scenario), "WARM002")
    assert finding.resource == fn_arn("crm-lookup", "prod")
    assert finding.warmer == rule_arn("crm-warmer")
    assert "DISABLED" in finding.message


def test_warm002_when_the_schedule_has_ended() -> None:
    scenario = healthy()
    scenario.rules = [r for r in scenario.rules if r.name != "billing-warmer"]
    scenario.schedules = [
        schedule("billing-warm", "rate(5 minutes)", fn_arn("billing"), end_date=NOW - timedelta(1))
    ]
    scenario.roles = [invoke_role("scheduler-warmer", fn_arn("billing"))]
    finding = only(run(scenario), "WARM002")
    assert "ended" in finding.message


def test_warm002_near_miss_one_disabled_one_enabled_is_warm() -> None:
    scenario = healthy()
    scenario.rules.append(
        scheduled_rule(
            "crm-warmer-old", "rate(5 minutes)", fn_arn("crm-lookup", "prod"), state="DISABLED"
        )
    )
    assert run(scenario).findings == ()


# --- WARM003 warm-gap-too-long ----------------------------------------------------------------


def test_warm003_when_the_interval_is_longer_than_allowed() -> None:
    scenario = healthy()
    scenario.rules[1] = scheduled_rule("billing-warmer", "cron(0/15 * * * ? *)", fn_arn("billing"))
    finding = only(run(scenario), "WARM003")
    assert finding.resource == fn_arn("billing")
    assert "15 min" in finding.message
    assert "5 min" in finding.message


def test_warm003_weekday_only_cron_leaves_a_weekend_gap() -> None:
    scenario = healthy()
    scenario.rules[1] = scheduled_rule(
        "billing-warmer", "cron(0/5 * ? * MON-FRI *)", fn_arn("billing")
    )
    report = run(scenario)
    assert rules_of(report) == ["WARM003"]
    gap = {c.function: c.worst_gap_seconds for c in report.coverage}[fn_arn("billing")]
    assert gap == 2 * 86400 + 300


def test_warm003_near_miss_two_offset_crons_together_are_warm() -> None:
    scenario = healthy()
    scenario.rules[1] = scheduled_rule("billing-warmer", "cron(0/10 * * * ? *)", fn_arn("billing"))
    scenario.rules.append(
        scheduled_rule("billing-warmer-b", "cron(5/10 * * * ? *)", fn_arn("billing"))
    )
    billing = fn_arn("billing")
    scenario.set_policy(
        "billing",
        "$LATEST",
        statement("connect", "connect.amazonaws.com", billing, INSTANCE_ARN),
        statement("warmer", "events.amazonaws.com", billing, rule_arn("billing-*")),
    )
    report = run(scenario)
    assert report.findings == ()
    assert {c.function: c.worst_gap_seconds for c in report.coverage}[billing] == 300


def test_warm003_business_hours_window_ignores_nights() -> None:
    scenario = healthy()
    scenario.rules[1] = scheduled_rule(
        "billing-warmer", "cron(0/5 13-22 ? * MON-FRI *)", fn_arn("billing")
    )
    window = {
        "timezone": "America/New_York",
        "weekly": [{"days": ["MON-FRI"], "start": "09:00", "end": "17:00"}],
    }
    assert run(scenario, default_policy(window=window)).findings == ()
    # The same UTC cron misses 08:00-09:00 New York time in winter (UTC-5).
    window["weekly"][0]["start"] = "08:00"  # type: ignore[index]
    assert rules_of(run(scenario, default_policy(window=window))) == ["WARM003"]


# --- WARM004 warmer-cannot-invoke ---------------------------------------------------------------


def test_warm004_when_the_policy_lacks_the_rule_statement() -> None:
    scenario = healthy()
    resource = fn_arn("crm-lookup", "prod")
    scenario.set_policy(
        "crm-lookup", "prod", statement("connect", "connect.amazonaws.com", resource, INSTANCE_ARN)
    )
    report = run(scenario)
    assert rules_of(report) == ["WARM004"]
    finding = only(report, "WARM004")
    assert finding.resource == rule_arn("crm-warmer")
    assert finding.function == resource


def test_warm004_statement_on_the_unqualified_function_does_not_cover_the_alias() -> None:
    scenario = healthy()
    resource = fn_arn("crm-lookup", "prod")
    scenario.update_function(
        "crm-lookup",
        policies=[
            FunctionPolicy(
                qualifier="$LATEST",
                document=policy_document(
                    statement(
                        "warmer",
                        "events.amazonaws.com",
                        fn_arn("crm-lookup"),
                        rule_arn("crm-warmer"),
                    )
                ),
            ),
            FunctionPolicy(
                qualifier="prod",
                document=policy_document(
                    statement("connect", "connect.amazonaws.com", resource, INSTANCE_ARN)
                ),
            ),
        ],
    )
    assert rules_of(run(scenario)) == ["WARM004"]


def test_warm004_schedule_role_without_invoke_right() -> None:
    scenario = healthy()
    scenario.rules = [r for r in scenario.rules if r.name != "billing-warmer"]
    scenario.schedules = [schedule("billing-warm", "rate(5 minutes)", fn_arn("billing"))]
    scenario.roles = [invoke_role("scheduler-warmer", fn_arn("someone-else"))]
    finding = only(run(scenario), "WARM004")
    assert finding.resource == schedule_arn("billing-warm")


def test_warm004_near_miss_schedule_role_with_invoke_right_is_warm() -> None:
    scenario = healthy()
    scenario.rules = [r for r in scenario.rules if r.name != "billing-warmer"]
    scenario.schedules = [schedule("billing-warm", "rate(5 minutes)", fn_arn("billing"))]
    scenario.roles = [invoke_role("scheduler-warmer", fn_arn("billing"))]
    assert run(scenario).findings == ()


def test_universal_scheduler_target_resolves_function_and_qualifier() -> None:
    scenario = healthy()
    scenario.rules = [r for r in scenario.rules if r.name != "crm-warmer"]
    params = {"FunctionName": "crm-lookup", "Qualifier": "prod", "Payload": '{"warmer": true}'}
    universal = schedule("crm-warm", "rate(5 minutes)", "arn:aws:scheduler:::aws-sdk:lambda:invoke")
    target = universal.target.model_copy(update={"input": json.dumps(params)})
    scenario.schedules = [universal.model_copy(update={"target": target})]
    scenario.roles = [invoke_role("scheduler-warmer", fn_arn("crm-lookup", "*"))]
    report = run(scenario)
    assert report.findings == ()
    crm = next(c for c in report.coverage if c.function == fn_arn("crm-lookup", "prod"))
    assert crm.warmers == (schedule_arn("crm-warm"),)


# --- WARM005 wrong-qualifier -----------------------------------------------------------------


def test_warm005_alongside_a_correct_warmer_flags_the_wasted_one() -> None:
    scenario = healthy()
    scenario.rules.append(
        scheduled_rule("crm-warmer-latest", "rate(5 minutes)", fn_arn("crm-lookup"))
    )
    report = run(scenario)
    assert rules_of(report) == ["WARM005"]
    assert {c.function: c.status for c in report.coverage}[fn_arn("crm-lookup", "prod")] == "warm"


def test_warm005_near_miss_version_warmer_when_flows_call_that_version() -> None:
    scenario = healthy()
    scenario.flows.append(flow("direct", fn_arn("crm-lookup", "1")))
    scenario.associations.append(fn_arn("crm-lookup", "1"))
    resource = fn_arn("crm-lookup", "1")
    scenario.update_function(
        "crm-lookup",
        policies=[
            *scenario.functions["crm-lookup"].policies,
            FunctionPolicy(
                qualifier="1",
                document=policy_document(
                    statement("connect", "connect.amazonaws.com", resource, INSTANCE_ARN),
                    statement("w", "events.amazonaws.com", resource, rule_arn("crm-v1-warmer")),
                ),
            ),
        ],
    )
    scenario.rules.append(scheduled_rule("crm-v1-warmer", "rate(5 minutes)", resource))
    assert run(scenario).findings == ()


# --- WARM006 orphan-warmer --------------------------------------------------------------------


def test_warm006_for_a_warmer_on_a_function_no_flow_calls() -> None:
    scenario = healthy()
    scenario.functions["retired"] = lambda_function("retired")
    scenario.rules.append(scheduled_rule("retired-warmer", "rate(5 minutes)", fn_arn("retired")))
    finding = only(run(scenario), "WARM006")
    assert finding.resource == rule_arn("retired-warmer")
    assert finding.severity == "low"


def test_warm006_recognised_by_payload_even_without_warm_in_the_name() -> None:
    scenario = healthy()
    scenario.functions["retired"] = lambda_function("retired")
    scenario.rules.append(scheduled_rule("keepalive", "rate(5 minutes)", fn_arn("retired")))
    assert rules_of(run(scenario)) == ["WARM006"]


def test_warm006_near_miss_extra_functions_make_it_required() -> None:
    scenario = healthy()
    retired = fn_arn("retired")
    scenario.functions["retired"] = lambda_function(
        "retired", policies=[warm_permissions("retired", "$LATEST", rule_arn("retired-warmer"))]
    )
    scenario.rules.append(scheduled_rule("retired-warmer", "rate(5 minutes)", retired))
    policy = Policy.model_validate(
        {"version": 1, "warm": {"payload": {"warmer": True}}, "extra_functions": [retired]}
    )
    assert run(scenario, policy).findings == ()


def test_override_required_false_removes_the_function_but_its_warmer_is_no_orphan() -> None:
    policy = Policy.model_validate(
        {
            "version": 1,
            "warm": {"payload": {"warmer": True}},
            "overrides": [{"function": "billing", "required": False}],
        }
    )
    report = run(healthy(), policy)
    assert report.findings == ()
    assert [c.function for c in report.coverage] == [fn_arn("crm-lookup", "prod")]


# --- WARM007 dangling-warmer ------------------------------------------------------------------


def test_warm007_for_a_warmer_on_a_deleted_function() -> None:
    scenario = healthy()
    scenario.functions["gone"] = lambda_function("gone", exists=False, timeout=None)
    scenario.rules.append(scheduled_rule("gone-warmer", "rate(5 minutes)", fn_arn("gone")))
    assert rules_of(run(scenario)) == ["WARM006", "WARM007"]


def test_warm007_near_miss_function_not_read_is_not_called_missing() -> None:
    scenario = healthy()
    scenario.rules.append(scheduled_rule("unknown-warmer", "rate(5 minutes)", fn_arn("elsewhere")))
    assert rules_of(run(scenario)) == ["WARM006"]


# --- WARM008 unsafe-warm-payload --------------------------------------------------------------


def test_warm008_when_the_warmer_sends_no_input() -> None:
    scenario = healthy()
    scenario.rules[1] = scheduled_rule(
        "billing-warmer", "cron(0/5 * * * ? *)", fn_arn("billing"), payload=None
    )
    finding = only(run(scenario), "WARM008")
    assert "whole scheduled event" in finding.message
    assert '"warmer"' not in finding.message  # reports never echo a target's input


def test_warm008_when_the_input_differs_from_the_policy_payload() -> None:
    scenario = healthy()
    scenario.rules[1] = scheduled_rule(
        "billing-warmer", "cron(0/5 * * * ? *)", fn_arn("billing"), payload={"secret": "s3cr3t"}
    )
    finding = only(run(scenario), "WARM008")
    assert "s3cr3t" not in finding.message


def test_warm008_near_miss_same_json_with_other_spacing_and_key_order() -> None:
    scenario = healthy()
    scenario.rules[1] = scheduled_rule(
        "billing-warmer", "cron(0/5 * * * ? *)", fn_arn("billing"), payload=None
    )
    target = scenario.rules[1].targets[0].model_copy(update={"input": '{ "warmer" :true }'})  # type: ignore[index]
    scenario.rules[1] = scenario.rules[1].model_copy(update={"targets": [target]})
    assert run(scenario).findings == ()


def test_warm008_with_null_policy_payload_only_flags_targets_without_input() -> None:
    policy = Policy.model_validate({"version": 1})
    scenario = healthy()
    assert run(scenario, policy).findings == ()
    scenario.rules[1] = scheduled_rule(
        "billing-warmer", "cron(0/5 * * * ? *)", fn_arn("billing"), payload=None
    )
    assert rules_of(run(scenario, policy)) == ["WARM008"]


# --- WARM009 overbroad-invoke-permission ------------------------------------------------------


def test_warm009_for_an_events_statement_without_source_arn() -> None:
    scenario = healthy()
    billing = fn_arn("billing")
    scenario.set_policy(
        "billing",
        "$LATEST",
        statement("connect", "connect.amazonaws.com", billing, INSTANCE_ARN),
        statement("any-rule", "events.amazonaws.com", billing, None),
    )
    finding = only(run(scenario), "WARM009")
    assert finding.resource == billing
    assert "any-rule" in finding.message


def test_warm009_near_miss_source_account_condition_pins_it() -> None:
    scenario = healthy()
    billing = fn_arn("billing")
    pinned = statement("any-rule", "events.amazonaws.com", billing, None)
    pinned["Condition"] = {"StringEquals": {"AWS:SourceAccount": ACCOUNT}}
    scenario.set_policy(
        "billing",
        "$LATEST",
        statement("connect", "connect.amazonaws.com", billing, INSTANCE_ARN),
        pinned,
    )
    assert run(scenario).findings == ()


def test_warm009_off_when_the_policy_does_not_require_source_arn() -> None:
    scenario = healthy()
    billing = fn_arn("billing")
    scenario.set_policy(
        "billing",
        "$LATEST",
        statement("connect", "connect.amazonaws.com", billing, None),
        statement("any-rule", "events.amazonaws.com", billing, None),
    )
    assert rules_of(run(scenario)) == ["WARM009"]
    assert run(scenario, default_policy(require_source_arn=False)).findings == ()


# --- WARM010 function-timeout-too-long --------------------------------------------------------


def test_warm010_for_a_timeout_over_the_limit_on_the_called_version() -> None:
    scenario = healthy()
    scenario.update_function("crm-lookup", versions=[FunctionVersion(version="1", timeout=30)])
    finding = only(run(scenario), "WARM010")
    assert finding.resource == fn_arn("crm-lookup", "prod")
    assert "30 s" in finding.message


def test_warm010_near_miss_latest_timeout_is_not_the_alias_version() -> None:
    scenario = healthy()
    scenario.update_function("crm-lookup", timeout=30)
    assert run(scenario).findings == ()


def test_warm010_limit_comes_from_the_matching_override() -> None:
    scenario = healthy()
    scenario.update_function("billing", timeout=20)
    policy = Policy.model_validate(
        {
            "version": 1,
            "warm": {"payload": {"warmer": True}},
            "overrides": [{"function": "bill*", "max_function_timeout": "30s"}],
        }
    )
    assert run(scenario, policy).findings == ()
    assert rules_of(run(scenario)) == ["WARM010"]


# --- WARM011 unresolvable-lambda-reference ----------------------------------------------------


def test_warm011_for_dynamic_and_placeholder_references() -> None:
    scenario = healthy()
    scenario.flows.append(flow("dyn", "$.Attributes.lambdaArn", "%%INVOKE_FUNCTION_ARN%%"))
    finding = only(run(scenario), "WARM011")
    assert finding.resource == f"{INSTANCE_ARN}/contact-flow/dyn"
    assert "lambda-0" in finding.message
    assert "lambda-1" in finding.message


def test_warm011_near_miss_bare_function_name_resolves_against_the_flow() -> None:
    scenario = healthy()
    scenario.flows.append(flow("bare", "billing"))
    assert run(scenario).findings == ()


# --- WARM012 lambda-not-associated ------------------------------------------------------------


def test_warm012_when_the_instance_does_not_list_the_function() -> None:
    scenario = healthy()
    scenario.associations = [fn_arn("crm-lookup")]
    finding = only(run(scenario), "WARM012")
    assert finding.resource == fn_arn("billing")
    assert INSTANCE_ARN in finding.message


def test_warm012_near_miss_extra_function_needs_no_association() -> None:
    scenario = healthy()
    other = fn_arn("reporting")
    scenario.functions["reporting"] = lambda_function(
        "reporting", policies=[warm_permissions("reporting", "$LATEST", rule_arn("rep-warmer"))]
    )
    scenario.rules.append(scheduled_rule("rep-warmer", "rate(5 minutes)", other))
    policy = Policy.model_validate(
        {"version": 1, "warm": {"payload": {"warmer": True}}, "extra_functions": [other]}
    )
    assert run(scenario, policy).findings == ()


# --- WARM013 connect-cannot-invoke -----------------------------------------------------------


def test_warm013_when_the_connect_statement_names_another_instance() -> None:
    scenario = healthy()
    billing = fn_arn("billing")
    other_instance = INSTANCE_ARN.replace("11111111", "99999999")
    scenario.set_policy(
        "billing",
        "$LATEST",
        statement("connect", "connect.amazonaws.com", billing, other_instance),
        statement("warmer", "events.amazonaws.com", billing, rule_arn("billing-warmer")),
    )
    finding = only(run(scenario), "WARM013")
    assert finding.resource == billing


def test_warm013_near_miss_wildcard_instance_in_the_same_account_allows() -> None:
    scenario = healthy()
    billing = fn_arn("billing")
    scenario.set_policy(
        "billing",
        "$LATEST",
        statement(
            "connect",
            "connect.amazonaws.com",
            billing,
            f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/*",
        ),
        statement("warmer", "events.amazonaws.com", billing, rule_arn("billing-warmer")),
    )
    assert run(scenario).findings == ()


# --- WARM014 broken-flow-reference ------------------------------------------------------------


def test_warm014_for_a_module_the_instance_does_not_have() -> None:
    scenario = healthy()
    scenario.flows.append(flow("broken", modules=["no-such-module"]))
    finding = only(run(scenario), "WARM014")
    assert finding.resource == f"{INSTANCE_ARN}/contact-flow/broken"
    assert finding.function is None
    assert "no-such-module" in finding.message


def test_warm014_near_miss_module_cycle_is_followed_once() -> None:
    scenario = healthy()
    scenario.modules = [
        module("mod-crm", fn_arn("crm-lookup", "prod"), modules=["mod-loop"]),
        module("mod-loop", modules=["mod-crm"]),
    ]
    assert run(scenario).findings == ()


# --- WARM901 evidence-incomplete --------------------------------------------------------------


def test_warm901_for_a_collection_error_makes_the_verdict_incomplete() -> None:
    scenario = healthy()
    scenario.errors.append(
        CollectionFailure(
            service="lambda",
            operation="GetPolicy",
            region="us-east-1",
            account=ACCOUNT,
            resource=fn_arn("billing"),
            code="AccessDeniedException",
            message="not authorized",
        )
    )
    report = run(scenario)
    finding = only(report, "WARM901")
    assert "lambda:GetPolicy" in finding.message
    assert "AccessDeniedException" in finding.message
    assert report.verdict == "incomplete"


def test_warm901_for_unreadable_flow_content_never_means_no_calls() -> None:
    scenario = healthy()
    unreadable = flow("bad").model_copy(
        update={
            "content": flow("bad").content.model_copy(  # type: ignore[union-attr]
                update={
                    "readable": False,
                    "error": "invalid JSON in Content",
                    "lambda_references": [],
                }
            )
        }
    )
    scenario.flows.append(unreadable)
    report = run(scenario)
    assert rules_of(report) == ["WARM901"]
    assert only(report, "WARM901").resource == f"{INSTANCE_ARN}/contact-flow/bad"
    assert report.verdict == "incomplete"


def test_warm901_for_an_invalid_schedule_expression_on_a_warmer() -> None:
    scenario = healthy()
    scenario.rules[1] = scheduled_rule("billing-warmer", "rate(1 minutes)", fn_arn("billing"))
    report = run(scenario)
    assert set(rules_of(report)) == {"WARM901"}
    by_resource = {f.resource: f.message for f in report.findings}
    assert "singular unit" in by_resource[rule_arn("billing-warmer")]
    assert "cannot tell whether it is warm" in by_resource[fn_arn("billing")]
    assert {c.function: c.status for c in report.coverage}[fn_arn("billing")] == "unknown"


def test_warm901_for_an_unparsable_resource_policy() -> None:
    scenario = healthy()
    scenario.update_function(
        "billing", policies=[FunctionPolicy(qualifier="$LATEST", document="{not json")]
    )
    report = run(scenario)
    assert set(rules_of(report)) == {"WARM901"}
    by_resource = {f.resource: f.message for f in report.findings}
    assert "resource policy cannot be interpreted" in by_resource[fn_arn("billing")]
    assert {c.function: c.status for c in report.coverage}[fn_arn("billing")] == "unknown"


def test_warm901_unread_function_is_unknown_not_cold() -> None:
    scenario = healthy()
    del scenario.functions["billing"]
    scenario.errors.append(
        CollectionFailure(
            service="lambda",
            operation="GetFunctionConfiguration",
            region="us-east-1",
            resource=fn_arn("billing"),
            code="ThrottlingException",
            message="Rate exceeded",
        )
    )
    report = run(scenario)
    assert rules_of(report) == ["WARM901"]
    assert {c.function: c.status for c in report.coverage}[fn_arn("billing")] == "unknown"


# --- the whole -------------------------------------------------------------------------------


def test_fingerprints_are_unique_and_ignore_messages() -> None:
    scenario = healthy()
    scenario.rules = []
    report = run(scenario)
    prints = [f.fingerprint for f in report.findings]
    assert len(prints) == len(set(prints)) == 2
    scenario.flows[0] = scenario.flows[0].model_copy(update={"name": "Renamed"})
    assert [f.fingerprint for f in run(scenario).findings] == prints


@pytest.mark.parametrize("fail_on", ["high", "medium", "low", "never"])
def test_fail_on_decides_the_verdict(fail_on: str) -> None:
    scenario = healthy()
    scenario.update_function("billing", timeout=30)  # WARM010, low
    report = evaluate(default_policy(), scenario.snapshot(), NOW, policy_ref=REF, fail_on=fail_on)
    assert report.verdict == ("fail" if fail_on == "low" else "pass")


def test_flows_outside_the_scope_do_not_make_functions_required() -> None:
    scenario = healthy()
    scenario.flows.append(flow("draft", fn_arn("draft-only"), status="SAVED"))
    scenario.flows.append(flow("old", fn_arn("archived-only"), state="ARCHIVED"))
    assert run(scenario).findings == ()
    policy = Policy.model_validate(
        {
            "version": 1,
            "warm": {"payload": {"warmer": True}},
            "scope": {"flow_statuses": ["PUBLISHED", "SAVED"]},
        }
    )
    assert fn_arn("draft-only") in {c.function for c in run(scenario, policy).coverage}


def test_instances_out_of_scope_are_ignored() -> None:
    policy = Policy.model_validate(
        {"version": 1, "warm": {"payload": {"warmer": True}}, "scope": {"instances": ["other"]}}
    )
    report = run(healthy(), policy)
    assert report.coverage == ()
    # Every warmer is now an orphan: no in-scope flow calls what they warm.
    assert rules_of(report) == ["WARM006", "WARM006"]


def test_alias_routing_is_kept_when_reading_functions() -> None:
    alias = FunctionAlias(name="prod", function_version="1", additional_versions={"2": 0.1})
    assert alias.additional_versions == {"2": 0.1}
    assert LambdaReference(action="a", value=None, kind="missing").function is None


def test_warm001_when_flows_call_two_qualifiers_and_only_one_is_warmed() -> None:
    scenario = healthy()
    scenario.flows.append(flow("direct", fn_arn("crm-lookup")))
    scenario.associations.append(fn_arn("crm-lookup"))
    report = run(scenario)
    # The prod warmer is right for prod; $LATEST simply has no warmer of its own.
    finding = only(report, "WARM001")
    assert finding.resource == fn_arn("crm-lookup")
    assert rules_of(report) == ["WARM001", "WARM013"]


def test_warm004_still_reported_when_provisioned_concurrency_keeps_it_warm() -> None:
    scenario = healthy()
    resource = fn_arn("crm-lookup", "prod")
    scenario.update_function(
        "crm-lookup",
        policies=[
            FunctionPolicy(
                qualifier="prod",
                document=policy_document(
                    statement("connect", "connect.amazonaws.com", resource, INSTANCE_ARN)
                ),
            )
        ],
        provisioned_concurrency=[
            ProvisionedConcurrency(qualifier="prod", requested=1, available=1, allocated=1)
        ],
    )
    report = run(scenario)
    assert rules_of(report) == ["WARM004"]
    assert {c.function: c.status for c in report.coverage}[resource] == "warm"


def test_unread_instance_parts_are_evidence_gaps() -> None:
    scenario = healthy()
    scenario.instance_fields = {"lambda_functions": None}
    report = run(scenario)
    assert rules_of(report) == ["WARM901"]
    assert "Lambda associations" in only(report, "WARM901").message


# --- WARM902 waiver-expired / WARM903 waiver-unused -------------------------------------------


def _waived(expires: str, resource: str) -> Policy:
    return Policy.model_validate(
        {
            "version": 1,
            "warm": {"payload": {"warmer": True}},
            "waivers": [
                {
                    "rule": "WARM010",
                    "resource": resource,
                    "reason": "r",
                    "owner": "o",
                    "expires": expires,
                }
            ],
        }
    )


def test_warm902_when_a_waiver_has_expired() -> None:
    scenario = healthy()
    scenario.update_function("billing", timeout=30)
    report = run(scenario, _waived("2026-01-01", fn_arn("billing")))
    assert rules_of(report) == ["WARM010", "WARM902"]
    assert only(report, "WARM902").resource == "policy.yaml#waivers[0]"


def test_warm902_near_miss_a_waiver_in_force_is_not_reported() -> None:
    scenario = healthy()
    scenario.update_function("billing", timeout=30)
    report = run(scenario, _waived("2027-01-01", fn_arn("billing")))
    assert rules_of(report) == ["WARM010"]
    assert only(report, "WARM010").waived


def test_warm903_when_a_waiver_matches_nothing() -> None:
    report = run(healthy(), _waived("2027-01-01", fn_arn("billing")))
    assert rules_of(report) == ["WARM903"]


def test_warm903_near_miss_glob_that_matches_is_used() -> None:
    scenario = healthy()
    scenario.update_function("billing", timeout=30)
    report = run(scenario, _waived("2027-01-01", "arn:aws:lambda:*:function:bill*"))
    assert rules_of(report) == ["WARM010"]


# --- runtime evidence: WARM015..WARM019 -------------------------------------------------------
# (tests.evidence_scenario answers every metric like a healthy day; each test changes one)

CRM = fn_arn("crm-lookup", "prod")
BILLING = fn_arn("billing")
REQUIRED = (CRM, BILLING)


def judge_snapshot(snapshot: Snapshot, policy: Policy | None = None) -> Evaluation:
    """Judged with a policy asking for exactly the evidence the snapshot holds (by default)."""
    if policy is None:
        held = snapshot.evidence
        policy = evidence_policy(
            metrics=held is not None and held.metrics is not None,
            logs=held is not None and held.logs is not None,
        )
    return evaluate(policy, snapshot, NOW, policy_ref=REF)


def metrics_run(
    changes: Mapping[Series, float | None] | None = None,
    scenario: Scenario | None = None,
    policy: Policy | None = None,
    **kwargs: Any,
) -> Evaluation:
    snapshot = with_metrics((scenario or healthy()).snapshot(), REQUIRED, changes, **kwargs)
    return judge_snapshot(snapshot, policy)


def test_warm015_compliant_warmers_fired_as_due_and_coverage_shows_the_counts() -> None:
    report = metrics_run()
    assert report.findings == ()
    crm = next(c for c in report.coverage if c.function == CRM)
    assert (crm.expected_firings, crm.observed_firings, crm.cold_starts) == (FIRED, FIRED, None)
    assert crm.warmer_firings is not None
    assert [(f.warmer, f.verdict) for f in crm.warmer_firings] == [
        (rule_arn("crm-warmer"), "firing")
    ]


def test_warm015_without_evidence_the_report_fields_are_null() -> None:
    report = run(healthy())
    crm = next(c for c in report.coverage if c.function == CRM)
    assert (crm.expected_firings, crm.observed_firings, crm.cold_starts) == (None, None, None)
    assert crm.warmer_firings is None


def test_warm015_evidence_the_policy_turns_off_is_not_judged() -> None:
    # `--evidence none` over a snapshot collected with metrics: the failing warmer is not judged.
    snapshot = with_metrics(
        healthy().snapshot(), REQUIRED, {rule_series("FailedInvocations", "crm-warmer"): FIRED}
    )
    assert judge_snapshot(snapshot, default_policy()).findings == ()
    assert [f.rule for f in judge_snapshot(snapshot).findings] == ["WARM015"]
    assert "WARM901" in rules_of(judge_snapshot(snapshot, evidence_policy()))  # logs: unread


def test_warm015_failed_invocations_mean_the_warmer_is_failing() -> None:
    report = metrics_run({rule_series("FailedInvocations", "crm-warmer"): FIRED})
    finding = only(report, "WARM015")
    assert (finding.resource, finding.function) == (rule_arn("crm-warmer"), CRM)
    assert "failed to invoke" in finding.message
    assert rules_of(report) == ["WARM015"]


def test_warm015_throttled_rule_is_failing() -> None:
    report = metrics_run({rule_series("ThrottledRules", "billing-warmer"): 4})
    assert only(report, "WARM015").resource == rule_arn("billing-warmer")


def test_warm015_every_warm_invocation_errors_in_the_function() -> None:
    report = metrics_run({lambda_series("Errors", "crm-lookup", "prod"): FIRED})
    finding = only(report, "WARM015")
    assert "warm payload fails in the handler" in finding.message


def test_warm015_near_miss_fewer_errors_than_firings_are_the_callers() -> None:
    report = metrics_run({lambda_series("Errors", "crm-lookup", "prod"): FIRED - 1})
    assert report.findings == ()


def test_warm015_every_warm_invocation_throttled_by_lambda() -> None:
    report = metrics_run({lambda_series("Throttles", "billing"): FIRED + 10})
    assert "throttled" in only(report, "WARM015").message


def test_warm015_triggered_rules_absent_means_not_firing() -> None:
    report = metrics_run({rule_series("TriggeredRules", "crm-warmer"): None})
    finding = only(report, "WARM015")
    assert "is not firing" in finding.message
    assert f"fired 0 times where {FIRED} were due" in finding.message


def test_warm015_a_warmer_that_stopped_half_way_is_not_firing() -> None:
    report = metrics_run({rule_series("TriggeredRules", "crm-warmer"): 144})
    assert "fired 144 times" in only(report, "WARM015").message


def test_warm015_near_miss_two_missing_datapoints_are_tolerated() -> None:
    # CloudWatch delivery is best effort: fewer than min_expected_firings missing is fine.
    report = metrics_run({rule_series("TriggeredRules", "crm-warmer"): FIRED - 2})
    assert report.findings == ()


def test_warm015_near_miss_too_few_firings_due_is_not_judged() -> None:
    policy = evidence_policy(min_expected_firings=300, logs=False)
    report = metrics_run({rule_series("TriggeredRules", "crm-warmer"): None}, policy=policy)
    assert report.findings == ()
    crm = next(c for c in report.coverage if c.function == CRM)
    assert crm.warmer_firings is not None
    assert crm.warmer_firings[0].verdict == "unknown"


def test_warm015_missing_data_events_failure_counters_absent_count_as_zero() -> None:
    absent = {
        rule_series(metric, "crm-warmer"): None
        for metric in ("FailedInvocations", "ThrottledRules", "InvocationsSentToDlq")
    }
    assert metrics_run(absent).findings == ()


def test_warm015_missing_data_lambda_counters_absent_count_as_zero() -> None:
    absent = {
        lambda_series(metric, "crm-lookup", "prod"): None
        for metric in ("Invocations", "Errors", "Throttles")
    }
    assert metrics_run(absent).findings == ()


def _scheduled(group: str = "crm-warmers", *, share: bool = False) -> Scenario:
    scenario = healthy()
    scenario.rules = [r for r in scenario.rules if r.name != "crm-warmer"]
    scenario.schedules = [schedule("crm-warmer", "rate(5 minutes)", CRM, group=group)]
    if share:
        scenario.schedules.append(schedule("other", "rate(1 hour)", fn_arn("billing"), group=group))
    scenario.roles = [invoke_role("scheduler-warmer", CRM, fn_arn("billing"))]
    return scenario


def test_warm015_missing_data_scheduler_attempts_absent_means_not_firing() -> None:
    report = metrics_run(
        {group_series("InvocationAttemptCount", "crm-warmers"): None}, scenario=_scheduled()
    )
    finding = only(report, "WARM015")
    assert finding.resource == schedule_arn("crm-warmer")
    assert "not firing" in finding.message


def test_warm015_scheduler_target_errors_in_its_own_group_are_failing() -> None:
    report = metrics_run(
        {group_series("TargetErrorCount", "crm-warmers"): 12}, scenario=_scheduled()
    )
    assert "Scheduler reported 12" in only(report, "WARM015").message


def test_warm015_missing_data_scheduler_error_counters_absent_count_as_zero() -> None:
    report = metrics_run(scenario=_scheduled())
    assert report.findings == ()
    crm = next(c for c in report.coverage if c.function == CRM)
    assert crm.observed_firings == FIRED


def test_warm015_shared_schedule_group_judges_only_the_lambda_side() -> None:
    scenario = _scheduled(share=True)
    # The group's counters are not this schedule's: they are not even asked for.
    assert not any(
        q.namespace == "AWS/Scheduler" for q in queries_for(scenario.snapshot(), REQUIRED)
    )
    report = metrics_run(scenario=scenario)
    crm = next(c for c in report.coverage if c.function == CRM)
    assert crm.observed_firings is None
    failing = metrics_run({lambda_series("Errors", "crm-lookup", "prod"): FIRED}, scenario=scenario)
    assert only(failing, "WARM015").resource == schedule_arn("crm-warmer")


def test_warm015_partial_data_is_unread_evidence_not_a_verdict() -> None:
    series = rule_series("TriggeredRules", "crm-warmer")
    report = metrics_run({series: None}, statuses={series: "PartialData"})
    assert rules_of(report) == ["WARM901"]
    assert "PartialData" in only(report, "WARM901").message
    assert report.verdict == "incomplete"


def test_warm015_a_series_asked_for_but_not_answered_is_unread_evidence() -> None:
    report = metrics_run(drop=[rule_series("TriggeredRules", "crm-warmer")])
    assert rules_of(report) == ["WARM901"]


def test_warm015_denied_get_metric_data_is_one_warm901_and_no_verdict() -> None:
    scenario = healthy()
    scenario.errors = [
        CollectionFailure(
            service="cloudwatch",
            operation="GetMetricData",
            region="us-east-1",
            account=ACCOUNT,
            code="AccessDenied",
            message="not authorized",
        )
    ]
    snapshot = scenario.snapshot().model_copy(
        update={"evidence": RuntimeEvidence(start=NOW - timedelta(hours=24), end=NOW, metrics=[])}
    )
    report = judge_snapshot(snapshot)
    assert rules_of(report) == ["WARM901"]
    assert "AccessDenied" in only(report, "WARM901").message


def test_warm015_disabled_warmer_is_warm002_not_warm015() -> None:
    scenario = healthy()
    scenario.rules[0] = scenario.rules[0].model_copy(update={"state": "DISABLED"})
    report = metrics_run({rule_series("TriggeredRules", "crm-warmer"): None}, scenario=scenario)
    assert rules_of(report) == ["WARM002"]


def _provisioned(status: Literal["READY", "FAILED"] = "READY") -> Scenario:
    scenario = healthy()
    scenario.update_function(
        "crm-lookup",
        provisioned_concurrency=[
            ProvisionedConcurrency(
                qualifier="prod", requested=2, available=2, allocated=2, status=status
            )
        ],
    )
    return scenario


def test_warm018_spillover_on_the_called_qualifier() -> None:
    report = metrics_run(
        {lambda_series("ProvisionedConcurrencySpilloverInvocations", "crm-lookup", "prod"): 37},
        scenario=_provisioned(),
    )
    finding = only(report, "WARM018")
    assert finding.resource == CRM
    assert "37 invocations spilled over" in finding.message


def test_warm018_compliant_no_spillover_datapoints_count_as_zero() -> None:
    assert metrics_run(scenario=_provisioned()).findings == ()


def test_warm018_near_miss_without_provisioned_concurrency_spillover_is_not_read() -> None:
    queries = queries_for(healthy().snapshot(), REQUIRED)
    assert not any(q.metric == "ProvisionedConcurrencySpilloverInvocations" for q in queries)
    report = metrics_run()
    assert "WARM018" not in rules_of(report)


def test_warm019_reserved_concurrency_zero_is_the_one_cause() -> None:
    scenario = healthy()
    scenario.update_function("billing", concurrency=ReservedConcurrency(reserved=0))
    scenario.rules = [r for r in scenario.rules if r.name != "billing-warmer"]  # would be WARM001
    report = run(scenario)
    finding = only(report, "WARM019")
    assert finding.resource == BILLING
    assert "reserved concurrency is 0" in finding.message
    assert rules_of(report) == ["WARM019"]
    assert next(c for c in report.coverage if c.function == BILLING).status == "cold"


def test_warm019_inactive_or_failed_function_is_never_warm() -> None:
    for state in ("Inactive", "Failed"):
        scenario = healthy()
        scenario.update_function("crm-lookup", state=state, state_reason="idle for weeks")
        report = run(scenario)
        assert f"its state is {state}: idle for weeks" in only(report, "WARM019").message
        assert next(c for c in report.coverage if c.function == CRM).status == "cold"


def test_warm019_near_miss_reserved_concurrency_set_or_state_pending_is_fine() -> None:
    scenario = healthy()
    scenario.update_function("billing", concurrency=ReservedConcurrency(reserved=5))
    scenario.update_function("crm-lookup", state="Pending", concurrency=ReservedConcurrency())
    assert run(scenario).findings == ()


def test_warm019_failed_provisioned_concurrency_is_no_warm_source_not_warm019() -> None:
    scenario = _provisioned("FAILED")
    scenario.rules = [r for r in scenario.rules if r.name != "crm-warmer"]
    report = run(scenario)
    assert rules_of(report) == ["WARM001"]


def _logged(
    scenario: Scenario, log_format: Literal["Text", "JSON"] = "Text", level: str | None = None
) -> Scenario:
    for name in ("crm-lookup", "billing"):
        scenario.update_function(
            name,
            logging=FunctionLogging(
                log_group=f"/aws/lambda/{name}", log_format=log_format, system_log_level=level
            ),
        )
    return scenario


HOUR = NOW - timedelta(hours=3)


def logs_run(
    *readings: LogReading, scenario: Scenario | None = None, policy: Policy | None = None
) -> Evaluation:
    snapshot = with_logs(_logged(scenario or healthy()).snapshot(), *readings)
    return judge_snapshot(snapshot, policy)


def quiet_billing() -> LogReading:
    return log_reading(BILLING, (HOUR, 12, 0, 40.0, None))


def test_warm016_cold_starts_in_the_window() -> None:
    report = logs_run(
        log_reading(CRM, (HOUR, 40, 2, 900.0, 700.0), (HOUR - timedelta(hours=5), 3, 1, 50, 650)),
        quiet_billing(),
    )
    finding = only(report, "WARM016")
    assert finding.resource == CRM
    assert "3 cold starts" in finding.message
    assert next(c for c in report.coverage if c.function == CRM).cold_starts == 3


def test_warm016_near_miss_at_the_allowed_number() -> None:
    policy = evidence_policy(max_cold_starts=3, metrics=False)
    report = logs_run(log_reading(CRM, (HOUR, 40, 3, 900.0, 700.0)), quiet_billing(), policy=policy)
    assert report.findings == ()


def test_warm016_cold_starts_outside_the_weekly_window_do_not_count() -> None:
    # NOW is Monday 12:00 UTC; the window is weekdays 08:00-18:00 UTC: 03:00 lies outside it.
    policy = Policy.model_validate(
        {
            "version": 1,
            "evidence": {"logs": True},
            "warm": {
                "payload": PAYLOAD,
                "window": {
                    "timezone": "UTC",
                    "weekly": [{"days": ["MON-FRI"], "start": "08:00", "end": "18:00"}],
                },
            },
        }
    )
    night = NOW.replace(hour=3)
    report = logs_run(log_reading(CRM, (night, 5, 5, 900.0, 700.0)), quiet_billing(), policy=policy)
    assert report.findings == ()
    assert next(c for c in report.coverage if c.function == CRM).cold_starts == 0


def test_warm016_system_log_level_warn_is_unread_evidence_never_no_cold_starts() -> None:
    snapshot = with_logs(_logged(healthy(), "JSON", "WARN").snapshot())
    report = judge_snapshot(snapshot)
    assert set(rules_of(report)) == {"WARM901"}
    assert "SystemLogLevel WARN" in report.findings[0].message
    assert all(c.cold_starts is None for c in report.coverage)


def test_warm016_a_query_over_budget_or_timed_out_is_warm901() -> None:
    scenario = _logged(healthy())
    scenario.errors = [
        CollectionFailure(
            service="logs",
            operation="StartQuery",
            region="us-east-1",
            account=ACCOUNT,
            resource=CRM,
            code="LogsBudgetExceeded",
            message="not started",
        ),
        CollectionFailure(
            service="logs",
            operation="GetQueryResults",
            region="us-east-1",
            account=ACCOUNT,
            resource=BILLING,
            code="QueryTimeout",
            message="stopped",
        ),
    ]
    report = judge_snapshot(with_logs(scenario.snapshot()))
    assert rules_of(report) == ["WARM901", "WARM901"]
    assert {f.resource for f in report.findings} == {CRM, BILLING}


def test_warm017_p99_plus_worst_init_over_the_block_limit() -> None:
    # The scenario's blocks wait InvocationTimeLimitSeconds 8.
    report = logs_run(
        log_reading(CRM, (HOUR, 40, 0, 7600.0, None), (HOUR, 1, 1, 10, 500.0)), quiet_billing()
    )
    finding = only(report, "WARM017")
    assert finding.resource == CRM
    assert "8100 ms, over the 8 s" in finding.message
    assert finding.flows == (f"{INSTANCE_ARN}/contact-flow/main",)


def test_warm017_near_miss_inside_the_block_limit() -> None:
    report = logs_run(log_reading(CRM, (HOUR, 40, 0, 7400.0, 500.0)), quiet_billing())
    assert "WARM017" not in rules_of(report)


def test_warm015_a_function_whose_every_warmer_fails_is_not_shown_warm() -> None:
    report = metrics_run({lambda_series("Errors", "crm-lookup", "prod"): FIRED})
    assert next(c for c in report.coverage if c.function == CRM).status == "cold"
    assert next(c for c in report.coverage if c.function == BILLING).status == "warm"
    # Provisioned concurrency keeps it warm whatever its warmer does.
    covered = metrics_run(
        {lambda_series("Errors", "crm-lookup", "prod"): FIRED}, scenario=_provisioned()
    )
    assert next(c for c in covered.coverage if c.function == CRM).status == "warm"


def test_warm015_evidence_asked_for_but_absent_from_the_snapshot_is_warm901() -> None:
    report = judge_snapshot(healthy().snapshot(), evidence_policy())
    finding = only(report, "WARM901")
    assert finding.resource == ACCOUNT
    assert "asks for metrics and logs evidence, which was not read" in finding.message


def test_warm015_and_warm019_findings_can_be_waived() -> None:
    waivers = [
        {
            "rule": "warmer-failing",
            "resource": "arn:aws:events:*:*:rule/crm-*",
            "reason": "handler fix ships Friday",
            "owner": "cc-platform",
            "expires": "2099-01-01",
        },
        {
            "rule": "WARM019",
            "resource": "*:function:billing",
            "reason": "paused for the migration",
            "owner": "cc-platform",
            "expires": "2099-01-01",
        },
    ]
    policy = Policy.model_validate(
        {
            "version": 1,
            "warm": {"payload": PAYLOAD},
            "evidence": {"metrics": True},
            "waivers": waivers,
        }
    )
    scenario = healthy()
    scenario.update_function("billing", concurrency=ReservedConcurrency(reserved=0))
    snapshot = with_metrics(
        scenario.snapshot(), REQUIRED, {lambda_series("Errors", "crm-lookup", "prod"): FIRED}
    )
    report = judge_snapshot(snapshot, policy)
    assert sorted((f.rule, f.waived) for f in report.findings) == [
        ("WARM015", True),
        ("WARM019", True),
    ]
    assert report.verdict == "pass"
