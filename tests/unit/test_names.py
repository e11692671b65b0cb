"""Names a reviewer reads, coverage that never calls a broken function plainly warm, and a fix
filled in for each finding."""

from __future__ import annotations

import json

import pytest

from checker.domain.names import name_for, report_names
from checker.engine import Evaluation, PolicyRef, evaluate
from checker.format import html, junit, markdown, sarif
from checker.format import json as json_format
from checker.format.display import display, fix_of, named_message, status_label
from checker.rules.base import Rule
from checker.rules.registry import ALL_RULES
from tests.scenario import (
    INSTANCE_ARN,
    NOW,
    Scenario,
    default_policy,
    flow_arn,
    fn_arn,
    healthy,
    module_arn,
    rule_arn,
    schedule,
    schedule_arn,
    statement,
)

REF = PolicyRef("policy.yaml", "0" * 64)


def run(scenario: Scenario) -> Evaluation:
    return evaluate(default_policy(), scenario.snapshot(), NOW, policy_ref=REF)


def connect_denied() -> Scenario:
    """billing is warm (its rule fires every 5 min) but Connect may not invoke it: WARM013."""
    scenario = healthy()
    billing = fn_arn("billing")
    other_instance = INSTANCE_ARN.replace("11111111", "99999999")
    scenario.set_policy(
        "billing",
        "$LATEST",
        statement("connect", "connect.amazonaws.com", billing, other_instance),
        statement("warmer", "events.amazonaws.com", billing, rule_arn("billing-warmer")),
    )
    return scenario


def test_names_cover_every_flow_instance_function_and_warmer_mentioned() -> None:
    report = run(connect_denied())
    names = report.names
    assert names[flow_arn("main")] == "Main"
    assert names[INSTANCE_ARN] == "demo-center"
    assert names[fn_arn("billing")] == "billing"
    assert names[fn_arn("crm-lookup", "prod")] == "crm-lookup:prod"
    assert names[rule_arn("billing-warmer")] == "billing-warmer"
    mentioned = {f.resource for f in report.findings} | {
        arn for entry in report.coverage for arn in (entry.function, *entry.warmers, *entry.flows)
    }
    assert mentioned <= names.keys()
    data = json.loads(json_format.render(report))
    assert data["names"] == dict(sorted(names.items()))


def test_names_read_from_the_arn_when_the_snapshot_lacks_the_resource() -> None:
    assert name_for(fn_arn("gone", "live"), {}) == "gone:live"
    assert name_for(schedule_arn("nightly", group="warmers"), {}) == "warmers/nightly"
    assert name_for(schedule_arn("nightly"), {}) == "nightly"
    assert name_for(module_arn("mod-x"), {}) == "mod-x"
    assert name_for(rule_arn("r1"), {}) == "r1"


def test_schedule_names_carry_their_group_and_modules_their_name() -> None:
    scenario = healthy()
    scenario.schedules.append(
        schedule("warm-billing", "rate(5 minutes)", fn_arn("billing"), group="warmers")
    )
    names = report_names(scenario.snapshot(), [schedule_arn("warm-billing", "warmers")])
    assert names == {schedule_arn("warm-billing", "warmers"): "warmers/warm-billing"}


def test_a_warm_function_with_a_high_finding_lists_it_and_is_never_plainly_warm() -> None:
    report = run(connect_denied())
    billing = next(e for e in report.coverage if e.function == fn_arn("billing"))
    assert billing.status == "warm"  # its warmers work: status keeps the contract's meaning
    assert billing.findings == ("WARM013",)
    assert billing.worst_severity == "high"
    assert status_label(billing) == "warm, but broken"
    entry = next(e for e in json.loads(json_format.render(report))["coverage"] if e["findings"])
    assert (entry["status"], entry["findings"], entry["worst_severity"]) == (
        "warm",
        ["WARM013"],
        "high",
    )
    assert "| **warm, but broken** | WARM013 |" in markdown.render(report)
    page = html.render(report)
    assert '<span class="status status-broken-high" title="WARM013">warm, but broken</span>' in page
    assert '<figure class="strip strip-broken"' in page
    assert "Warm, but callers still fail or are at risk: WARM013." in page


def test_a_healthy_function_has_no_findings_and_is_plainly_warm() -> None:
    report = run(healthy())
    assert all(e.findings == () and e.worst_severity is None for e in report.coverage)
    assert all(status_label(e) == "warm" for e in report.coverage)
    page = html.render(report)
    assert 'class="status status-broken' not in page
    assert page.count('<figure class="strip strip-warm"') == len(report.coverage)


def test_waived_findings_do_not_mark_a_function() -> None:
    scenario = connect_denied()
    policy = default_policy().model_copy(
        update={
            "waivers": default_policy()
            .model_validate(
                {
                    "version": 1,
                    "waivers": [
                        {
                            "rule": "WARM013",
                            "resource": fn_arn("billing"),
                            "reason": "r",
                            "owner": "o",
                            "expires": "2099-01-01",
                        }
                    ],
                }
            )
            .waivers
        }
    )
    report = evaluate(policy, scenario.snapshot(), NOW, policy_ref=REF)
    billing = next(e for e in report.coverage if e.function == fn_arn("billing"))
    assert billing.findings == ()


def test_each_finding_carries_its_fix_filled_in_with_its_names() -> None:
    report = run(connect_denied())
    finding = next(f for f in report.findings if f.rule == "WARM013")
    fix = fix_of(report, finding)
    assert fix.startswith("Let instance demo-center invoke billing:")
    assert "--function-name billing " in fix
    assert f"--source-arn {INSTANCE_ARN}" in fix
    data = json.loads(json_format.render(report))
    assert data["findings"][0]["fix"] == fix
    assert fix in junit.render(report)
    assert fix in json.loads(sarif.render(report))["runs"][0]["results"][0]["properties"]["fix"]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.meta.id)
def test_every_remedy_fills_in_from_a_finding_that_has_what_it_names(rule: type[Rule]) -> None:
    meta = rule.meta
    finding = rule.finding(
        resource=flow_arn("main") if meta.id in ("WARM011", "WARM014") else fn_arn("f", "live"),
        function=fn_arn("f", "live"),
        warmer=rule_arn("warm-f"),
        flows=[flow_arn("main")],
        message="m",
    )
    report = run(healthy())
    fix = fix_of(report, finding)
    assert fix
    assert "{" not in fix, fix  # every placeholder filled
    if meta.remedies:
        assert fix != meta.fix, f"{meta.id}: a finding with every name should get its own fix"


def test_a_remedy_falls_back_when_the_finding_lacks_a_name() -> None:
    meta = next(rule.meta for rule in ALL_RULES if rule.meta.id == "WARM012")
    finding = next(rule for rule in ALL_RULES if rule.meta.id == "WARM012").finding(
        resource=fn_arn("f"), function=fn_arn("f"), message="m"
    )
    assert fix_of(run(healthy()), finding) == meta.fix  # no flow: no instance to name


def test_messages_lead_with_names_and_keep_punctuation() -> None:
    report = run(connect_denied())
    finding = next(f for f in report.findings if f.rule == "WARM013")
    assert fn_arn("billing") in finding.message
    named = named_message(report, finding)
    assert fn_arn("billing") not in named
    assert "billing" in named


def test_display_escapes_control_characters_and_lone_surrogates_visibly() -> None:
    assert display("a\x1b[31mb\x00c\ud800") == "a\\x1b[31mb\\x00c\\ud800"
    assert display("Post-call Survey — ü") == "Post-call Survey — ü"


def test_names_from_aws_are_shown_safely_in_every_human_format() -> None:
    scenario = connect_denied()
    scenario.flows[0] = scenario.flows[0].model_copy(
        update={"name": "Main\x1b[31m <b>menu</b>\ud800"}
    )
    report = run(scenario)
    assert report.names[flow_arn("main")] == "Main\x1b[31m <b>menu</b>\ud800"
    shown = "Main\\x1b[31m <b>menu</b>\\ud800"
    assert json.loads(json_format.render(report))["names"][flow_arn("main")] == shown
    page = html.render(report)
    assert "\x1b" not in page
    assert "Main\\x1b[31m &lt;b&gt;menu&lt;/b&gt;\\ud800" in page
    finding = next(f for f in report.findings if f.rule == "WARM013")
    assert "\x1b" not in fix_of(report, finding) + junit.render(report) + markdown.render(report)
