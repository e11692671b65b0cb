"""The analysis house: stages that record their problems as they run, one decision, a frozen
result, and the shared domain pieces (intervals, schedule targets, the required set)."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta

import pytest

from checker.analysis.core import Analysis
from checker.analysis.records import Assessment
from checker.domain.arns import parse_function_arn
from checker.domain.intervals import clip_intervals, merge_intervals
from checker.domain.required import required_functions
from checker.domain.targets import UNIVERSAL_LAMBDA_INVOKE, invokes_lambda, schedule_invocation
from checker.model.findings import Finding
from checker.model.policy import Waiver
from checker.model.snapshot import FunctionPolicy
from checker.rules.waivers import WaiverUsage
from checker.rules.warm005_wrong_qualifier import WrongQualifier
from checker.rules.warm903_waiver_unused import WaiverUnused
from tests.scenario import ACCOUNT, NOW, REGION, default_policy, fn_arn, healthy, scheduled_rule

T0 = datetime(2026, 1, 5, tzinfo=UTC)


def hours(start: int, end: int) -> tuple[datetime, datetime]:
    return T0 + timedelta(hours=start), T0 + timedelta(hours=end)


# --- domain: intervals ------------------------------------------------------------------------


def test_merge_joins_overlapping_and_touching_and_drops_empty() -> None:
    merged = merge_intervals([hours(5, 6), hours(1, 3), hours(2, 4), hours(4, 5), hours(8, 8)])
    assert merged == [hours(1, 6)]
    assert merge_intervals([(3, 4), (1, 2)]) == [(1, 2), (3, 4)]


def test_clip_keeps_only_what_lies_inside() -> None:
    clipped = clip_intervals([hours(0, 2), hours(3, 5), hours(9, 12)], *hours(1, 10))
    assert clipped == [hours(1, 2), hours(3, 5), hours(9, 10)]
    assert clip_intervals([hours(0, 1)], *hours(1, 2)) == []


# --- domain: what a schedule target invokes -------------------------------------------------------


def test_templated_target_is_the_function_and_sends_its_input() -> None:
    key, payload = schedule_invocation(
        fn_arn("billing", "prod"), '{"warmer": true}', region=REGION, account=ACCOUNT
    )
    assert key == parse_function_arn(fn_arn("billing", "prod"))
    assert payload == '{"warmer": true}'


def test_universal_target_names_function_qualifier_and_payload() -> None:
    text = json.dumps({"FunctionName": "billing", "Qualifier": "7", "Payload": {"warmer": True}})
    key, payload = schedule_invocation(
        UNIVERSAL_LAMBDA_INVOKE, text, region=REGION, account=ACCOUNT
    )
    assert key == parse_function_arn(fn_arn("billing", "7"))
    assert payload == '{"warmer": true}'
    assert invokes_lambda(UNIVERSAL_LAMBDA_INVOKE)


@pytest.mark.parametrize("text", [None, "{not json", "[]", '{"FunctionName": 3}'])
def test_universal_target_without_a_readable_function_invokes_nothing(text: str | None) -> None:
    assert schedule_invocation(UNIVERSAL_LAMBDA_INVOKE, text, region=REGION, account=ACCOUNT) == (
        None,
        None,
    )
    assert not invokes_lambda("arn:aws:sqs:us-east-1:123456789012:queue")


# --- domain: the required set, the same for collector and analysis ----------------------------


def test_collector_and_analysis_agree_on_the_required_set() -> None:
    scenario = healthy()
    policy = default_policy()
    snapshot = scenario.snapshot()
    analysis = Analysis(policy, snapshot, NOW)
    assert required_functions(policy, snapshot.instances) == set(analysis.required)
    assert {key.arn for key in analysis.required} == {
        fn_arn("billing"),
        fn_arn("crm-lookup", "prod"),
    }


# --- stages record problems while they run ------------------------------------------------------


def test_a_resource_policy_only_a_rule_reads_is_a_problem_once_built() -> None:
    """WARM009 reads every qualifier's policy of a required function; one that cannot be
    interpreted is a problem of the built analysis, before any rule runs."""
    scenario = healthy()
    crm = scenario.functions["crm-lookup"]
    broken = FunctionPolicy(qualifier="$LATEST", document="{not json")
    scenario.update_function("crm-lookup", policies=[broken, *crm.policies[1:]])
    analysis = Analysis(default_policy(), scenario.snapshot(), NOW)
    assert any(
        p.resource == fn_arn("crm-lookup") and "cannot be interpreted" in p.message
        for p in analysis.problems
    )


def test_a_built_analysis_cannot_change() -> None:
    analysis = Analysis(default_policy(), healthy().snapshot(), NOW)
    assert isinstance(analysis.problems, tuple)
    with pytest.raises(AttributeError):
        analysis.now = NOW
    with pytest.raises(RuntimeError):
        analysis.add_problem("arn:aws:lambda:::x", "late")
    assessment = next(iter(analysis.assessments.values()))
    with pytest.raises(FrozenInstanceError):
        assessment.status = "cold"  # type: ignore[misc]
    with pytest.raises(TypeError):
        analysis.required[assessment.required.key] = assessment.required  # type: ignore[index]


# --- the one decision ---------------------------------------------------------------------------


def test_a_missing_function_gets_no_wrong_qualifier_warmers() -> None:
    """The decision, not WARM005, says a missing function's warmers on other qualifiers are no
    finding of their own: WARM014 says it all."""
    scenario = healthy()
    scenario.rules.append(
        scheduled_rule("crm-warmer-latest", "rate(5 minutes)", fn_arn("crm-lookup"))
    )
    scenario.update_function("crm-lookup", aliases=[])
    analysis = Analysis(default_policy(), scenario.snapshot(), NOW)
    crm: Assessment = analysis.assessments[parse_function_arn(fn_arn("crm-lookup", "prod"))]  # type: ignore[index]
    assert (crm.status, crm.cause, crm.others) == ("cold", "missing-function", ())
    assert WrongQualifier().evaluate(analysis).findings == []


def test_wrong_qualifier_warmers_are_in_the_decision() -> None:
    scenario = healthy()
    scenario.rules.append(
        scheduled_rule("crm-warmer-latest", "rate(5 minutes)", fn_arn("crm-lookup"))
    )
    analysis = Analysis(default_policy(), scenario.snapshot(), NOW)
    crm = analysis.assessments[parse_function_arn(fn_arn("crm-lookup", "prod"))]  # type: ignore[index]
    assert [s.name for s in crm.others] == ["crm-warmer-latest"]
    found = WrongQualifier().evaluate(analysis).findings
    assert [f.warmer for f in found] == [crm.others[0].arn]


# --- waivers are the engine's, not the analysis' ------------------------------------------------


def test_waiver_rules_judge_the_usage_they_are_given() -> None:
    waiver = Waiver.model_validate(
        {
            "rule": "WARM001",
            "resource": "*",
            "reason": "migrating",
            "owner": "team",
            "expires": "2099-01-01",
        }
    )
    unused = WaiverUnused().evaluate_waivers([WaiverUsage(waiver, 0, expired=False)], "p.yaml")
    assert [f.resource for f in unused.findings] == ["p.yaml#waivers[0]"]
    matched = WaiverUsage(waiver, 0, expired=False, matched=[_finding()])
    assert WaiverUnused().evaluate_waivers([matched], "p.yaml").findings == []
    with pytest.raises(TypeError):
        WaiverUnused().evaluate(Analysis(default_policy(), healthy().snapshot(), NOW))


def _finding() -> Finding:
    return WrongQualifier.finding(resource="r", message="m")
