"""AWS strings in a snapshot are parsed once, where the snapshot is built or loaded: the engine
reads values (parse errors included, as data), and the snapshot's JSON does not change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.domain.arns import parse_function_arn
from checker.domain.permissions import PolicyDocument
from checker.domain.schedule import CronExpression
from checker.domain.targets import UNIVERSAL_LAMBDA_INVOKE
from checker.engine import PolicyRef, evaluate
from checker.load import untrusted_json
from checker.load.untrusted_json import MAX_DEPTH
from checker.model import snapshot as snapshot_module
from checker.model.snapshot import (
    EventRule,
    RuleTarget,
    Schedule,
    ScheduleTarget,
    Snapshot,
    Unreadable,
)
from tests.scenario import ACCOUNT, NOW, REGION, default_policy, fn_arn, healthy

DRIFT = Path(__file__).resolve().parents[1] / "data" / "snapshots" / "drift.json"


def _snapshot(**fields: Any) -> Snapshot:
    return Snapshot(collected_at=NOW, accounts=[ACCOUNT], regions=[REGION], **fields)


def _rule(expression: str, *targets: RuleTarget) -> EventRule:
    return EventRule(
        arn=f"arn:aws:events:{REGION}:{ACCOUNT}:rule/r",
        name="r",
        region=REGION,
        account=ACCOUNT,
        schedule_expression=expression,
        targets=list(targets),
    )


def test_targets_and_expressions_are_parsed_when_the_snapshot_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = RuleTarget(id="1", arn=fn_arn("billing", "prod"), input='{"warmer": true}')
    snapshot = _snapshot(rules=[_rule("cron(0/5 * * * ? *)", target)])

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed again")

    monkeypatch.setattr(untrusted_json, "loads", refuse)
    monkeypatch.setattr(snapshot_module, "parse_expression", refuse)
    monkeypatch.setattr(snapshot_module, "parse_function_arn", refuse)
    parsed = snapshot.parsed
    assert parsed.function(target.arn) == parse_function_arn(fn_arn("billing", "prod"))
    assert parsed.json('{"warmer": true}') == {"warmer": True}
    assert isinstance(parsed.expression("cron(0/5 * * * ? *)"), CronExpression)


def test_unreadable_strings_are_data() -> None:
    parsed = _snapshot().parsed
    invalid = parsed.json("{not json")
    assert isinstance(invalid, Unreadable)
    assert invalid.kind == "invalid-json"
    nested = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    deep = parsed.json(nested)
    assert isinstance(deep, Unreadable)
    assert deep.kind == "untrusted-json"
    bad = parsed.expression("rate(0 minutes)")
    assert isinstance(bad, Unreadable)
    assert bad.kind == "expression"
    assert isinstance(parsed.policy("{not json"), Unreadable)
    assert parsed.function("arn:aws:sqs:us-east-1:123456789012:q") is None
    document = healthy().functions["billing"].policies[0].document
    assert document is not None
    assert isinstance(parsed.policy(document), PolicyDocument)


def test_parsed_values_are_neither_serialised_nor_part_of_equality() -> None:
    text = DRIFT.read_text(encoding="utf-8")
    loaded = Snapshot.model_validate_json(text)
    again = Snapshot.model_validate(json.loads(text))
    loaded.parsed.json("[1]")  # one table has read more than the other
    assert loaded == again
    assert loaded.to_json() == again.to_json()
    assert "parsed" not in json.dumps(loaded.model_dump(mode="json"))


def test_a_copy_with_other_content_reads_its_own_values() -> None:
    snapshot = _snapshot(rules=[_rule("rate(5 minutes)")])
    copy = snapshot.model_copy(update={"rules": [_rule("rate(0 minutes)")]})
    assert isinstance(copy.parsed.expression("rate(0 minutes)"), Unreadable)
    assert not isinstance(snapshot.parsed.expression("rate(5 minutes)"), Unreadable)


def test_the_engine_decodes_no_json(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs, universal targets and policy documents were parsed with the snapshot: judging it
    calls no JSON decoder."""
    scenario = healthy()
    scenario.schedules.append(
        Schedule(
            arn=f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/universal",
            name="universal-warm",
            region=REGION,
            account=ACCOUNT,
            expression="rate(5 minutes)",
            target=ScheduleTarget(
                arn=UNIVERSAL_LAMBDA_INVOKE,
                role_arn=f"arn:aws:iam::{ACCOUNT}:role/warm",
                input=json.dumps({"FunctionName": "billing", "Payload": {"warmer": True}}),
            ),
        )
    )
    snapshot = scenario.snapshot()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the engine decoded JSON")

    monkeypatch.setattr(untrusted_json, "loads", refuse)
    report = evaluate(default_policy(), snapshot, NOW, policy_ref=PolicyRef("p.yaml", "0" * 64))
    assert {entry.function for entry in report.coverage} == {
        fn_arn("billing"),
        fn_arn("crm-lookup", "prod"),
    }
