"""Hostile but legal AWS state, and ordinary filesystem mistakes, through the real CLI.

Every case states its exit code and findings, and (through `run_check`) that exit 2 or 4
replaced no earlier report while 0, 1 and 3 replaced all of them with whole, valid files.
Inputs are generated here (tests/hostile.py), never stored.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import signal
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.domain.flows import parse_flow_content
from checker.format.escape import json_document, shown, shown_document, xml_text
from checker.load.snapshot import load_snapshot
from checker.load.untrusted_json import MAX_DEPTH, UntrustedJsonError, check_depth, loads
from checker.model.snapshot import (
    ClockTime,
    CollectionFailure,
    ContactFlow,
    EffectiveDay,
    HoursConfig,
    HoursOfOperation,
    OpenInterval,
    ProvisionedConcurrency,
)
from tests.hostile import (
    ALL_FORMATS,
    DEEP_ARRAY,
    DEEP_OBJECT,
    EARLIER,
    FORGED_VERDICT,
    HOSTILE_NAMES,
    LONE_SURROGATE,
    POLICY_TEXT,
    UNSAFE_SHOWN,
    Outcome,
    json_text,
    run_check,
    seed_earlier_reports,
    temporaries,
)
from tests.scenario import (
    ACCOUNT,
    INSTANCE_ARN,
    REGION,
    Scenario,
    flow_document,
    fn_arn,
    healthy,
    invoke_role,
    rule_arn,
    schedule,
    statement,
)

CRM_RULE = rule_arn("crm-warmer")
BILLING = fn_arn("billing")
CRM_PROD = fn_arn("crm-lookup", "prod")
HOURS_POLICY = POLICY_TEXT + "  window: {hours_of_operation: Basic}\n"


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[2])


def text_of(scenario: Scenario) -> str:
    return json_text(scenario.snapshot().model_dump(mode="json"))


def with_rule_input(text: str) -> Scenario:
    scenario = healthy()
    rule = scenario.rules[0]
    assert rule.targets is not None
    target = rule.targets[0].model_copy(update={"input": text})
    scenario.rules[0] = rule.model_copy(update={"targets": [target]})
    return scenario


def schedule_only(**fields: Any) -> Scenario:
    """billing warmed by one schedule only (its role may invoke it), crm by its rule."""
    scenario = healthy()
    scenario.rules = [scenario.rules[0]]
    scenario.roles = [invoke_role("scheduler-warmer", BILLING)]
    expression = fields.pop("expression", "rate(5 minutes)")
    scenario.schedules = [schedule("billing-schedule", expression, BILLING, **fields)]
    return scenario


def with_hours(
    time_zone: str = "UTC",
    end: tuple[int, int] = (17, 0),
    effective: list[EffectiveDay] | None = None,
) -> Scenario:
    scenario = healthy()
    scenario.hours = [
        HoursOfOperation(
            id="h1",
            arn=f"{INSTANCE_ARN}/operating-hours/h1",
            name="Basic",
            time_zone=time_zone,
            config=[
                HoursConfig(
                    day=day,
                    start=ClockTime(hours=9, minutes=0),
                    end=ClockTime(hours=end[0], minutes=end[1]),
                )
                for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
            ],
            effective=effective,
        )
    ]
    return scenario


# --- the bounded reader and the sanitiser, directly ---------------------------------------------


def test_depth_is_checked_without_recursion() -> None:
    check_depth("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    with pytest.raises(UntrustedJsonError, match="nested more than"):
        check_depth("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(UntrustedJsonError):
        loads(DEEP_ARRAY)
    with pytest.raises(UntrustedJsonError):
        loads(DEEP_OBJECT)
    # Brackets inside strings (escaped quotes included) are text, not nesting.
    assert loads(json.dumps({"a": "[" * 5000 + '\\"' + "{" * 10})) == {
        "a": "[" * 5000 + '\\"' + "{" * 10
    }
    with pytest.raises(UntrustedJsonError, match="digits"):
        loads("9" * 5000)
    with pytest.raises(json.JSONDecodeError):
        loads("[1,")  # malformed keeps its position


def test_depth_check_by_bracket_count_agrees_with_the_full_check() -> None:
    nested = '{"a":[{"b":[]}]}'  # four levels, four opening brackets
    check_depth(nested, max_depth=4)  # decided by the count alone
    with pytest.raises(UntrustedJsonError, match="nested more than 3"):
        check_depth(nested, max_depth=3)
    check_depth("[" + ",".join(["{}"] * 100) + "]", max_depth=2)  # many brackets, two levels
    check_depth('{"a":"[[[[[["}', max_depth=1)  # over the count, but strings are not nesting
    with pytest.raises(UntrustedJsonError):
        check_depth('[{"a":"]]]]"}]', max_depth=1)


def test_hooks_apply_to_their_own_call_only() -> None:
    text = '{"a": 1.5, "a": 2.5}'
    assert loads(text, parse_float=str, object_pairs_hook=list) == [("a", "1.5"), ("a", "2.5")]
    assert loads(text) == {"a": 2.5}  # the shared hook-less decoder is untouched
    assert loads(text, parse_float=str) == {"a": "2.5"}


def test_sanitiser_escapes_what_moves_the_cursor_or_cannot_be_encoded() -> None:
    assert shown(FORGED_VERDICT) == "Main\\x1b[2K\\x0dwarmcheck: PASS"
    assert shown(LONE_SURROGATE) == "x\\ud800y"
    assert shown("bidi\u202e") == "bidi\\u202e"
    assert shown("two\nlines") == "two\\x0alines"
    assert shown("Ünïcödé names stay 名前") == "Ünïcödé names stay 名前"
    assert shown("x" * 50, limit=10) == "x" * 9 + "…"
    assert shown_document("a\n\tb\x1b") == "a\n\tb\\x1b"
    assert json.loads(json_document(json.dumps("a\ud800", ensure_ascii=False))) == "a\ud800"
    assert xml_text("a\x1b\ud800\tb") == "a\\x1b\\ud800\tb"


# --- deep JSON in every JSON-bearing field ---------------------------------------------------


def test_deep_rule_input_is_an_unsafe_payload_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run_check(tmp_path, text_of(with_rule_input(DEEP_ARRAY)), capsys=capsys)
    assert outcome.code == 1
    assert outcome.rules() == {"WARM008"}
    assert outcome.findings("WARM008")[0]["resource"] == CRM_RULE
    assert outcome.coverage()[CRM_PROD] == "warm"  # the payload never decides warmth


def test_deep_schedule_input_is_an_unsafe_payload(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = schedule_only(payload=None)
    target = scenario.schedules[0].target.model_copy(update={"input": DEEP_OBJECT})
    scenario.schedules[0] = scenario.schedules[0].model_copy(update={"target": target})
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys)
    assert outcome.code == 1
    assert outcome.rules() == {"WARM008"}
    assert outcome.coverage()[BILLING] == "warm"


def test_deep_universal_target_input_is_no_warmer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The function of a universal target travels in its Input: too deep, nothing is invoked
    that warmcheck can name, so billing has no warm source (its rule was removed)."""
    scenario = schedule_only()
    deep = '{"FunctionName": "billing", "Payload": ' + DEEP_ARRAY + "}"
    target = scenario.schedules[0].target.model_copy(
        update={"arn": "arn:aws:scheduler:::aws-sdk:lambda:invoke", "input": deep}
    )
    scenario.schedules[0] = scenario.schedules[0].model_copy(update={"target": target})
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys)
    assert outcome.code == 1
    assert outcome.rules() == {"WARM001"}
    assert outcome.coverage()[BILLING] == "cold"


def test_deep_resource_policy_is_unread_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = healthy()
    function = scenario.functions["billing"]
    policies = [p.model_copy(update={"document": DEEP_OBJECT}) for p in function.policies]
    scenario.update_function("billing", policies=policies)
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys)
    assert outcome.code == 3
    assert outcome.rules() == {"WARM901"}
    resources = {f["resource"] for f in outcome.findings("WARM901")}
    assert resources == {BILLING, rule_arn("billing-warmer")}
    assert outcome.coverage()[BILLING] == "unknown"


def test_deep_role_policy_is_unread_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = schedule_only()
    role = scenario.roles[0]
    assert role.policies is not None
    deep = [p.model_copy(update={"document": DEEP_ARRAY}) for p in role.policies]
    scenario.roles = [role.model_copy(update={"policies": deep})]
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys)
    assert outcome.code == 3
    assert outcome.rules() == {"WARM901"}
    assert outcome.coverage()[BILLING] == "unknown"


def test_deep_flow_content_is_an_unreadable_flow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = healthy()
    content = parse_flow_content(DEEP_ARRAY, region=REGION, account=ACCOUNT)
    assert not content.readable
    scenario.flows.append(
        ContactFlow(
            id="deep", arn=f"{INSTANCE_ARN}/contact-flow/deep", name="Deep", content=content
        )
    )
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys)
    assert outcome.code == 3
    assert {f["resource"] for f in outcome.findings("WARM901")} == {
        f"{INSTANCE_ARN}/contact-flow/deep"
    }
    assert outcome.rules() == {"WARM901"}


@pytest.mark.parametrize(
    ("where", "deep"),
    [
        ("an override's recurrence", DEEP_OBJECT),
        ("the top level", None),
    ],
)
def test_a_deep_snapshot_file_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, deep: str | None
) -> None:
    data = healthy().snapshot().model_dump(mode="json")
    if deep is None:
        text = json.dumps({**data, "x": json.loads("[" * 60 + "]" * 60)})[:-1] + (
            ', "y": ' + DEEP_ARRAY + "}"
        )
    else:
        data["instances"][0]["hours_of_operation"] = [
            {
                "id": "h",
                "arn": f"{INSTANCE_ARN}/operating-hours/h",
                "name": "h",
                "time_zone": "UTC",
                "overrides": [
                    {
                        "id": "o",
                        "effective_from": "2026-11-01",
                        "effective_till": "2026-11-02",
                        "recurrence": {"r": "REPLACE"},
                    }
                ],
            }
        ]
        text = json.dumps(data).replace('"REPLACE"', deep)
    outcome = run_check(tmp_path, text, capsys=capsys)
    assert outcome.code == 2, where
    assert "nested more than" in outcome.stderr


def test_deep_policy_and_baseline_files_are_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep_policy = POLICY_TEXT.replace('{"warmer": true}', DEEP_ARRAY)
    outcome = run_check(tmp_path, text_of(healthy()), policy=deep_policy, capsys=capsys)
    assert outcome.code == 2
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"findings": ' + DEEP_ARRAY + "}")
    outcome = run_check(
        tmp_path, text_of(healthy()), "--baseline", str(baseline), capsys=capsys, name="b"
    )
    assert outcome.code == 2
    assert "nested more than" in outcome.stderr


# --- control and surrogate characters in every name -------------------------------------------


def _rename_everything(name: str) -> Scenario:
    """Every name a snapshot carries set to `name`; the crm warmer disabled so its name is in a
    finding (WARM002), and a dynamic reference so a flow's name is too (WARM011)."""
    scenario = healthy()
    scenario.flows = [flow.model_copy(update={"name": name}) for flow in scenario.flows]
    scenario.modules = [module.model_copy(update={"name": name}) for module in scenario.modules]
    scenario.rules = [
        rule.model_copy(update={"name": name, "state": "DISABLED" if i == 0 else rule.state})
        for i, rule in enumerate(scenario.rules)
    ]
    scenario.hours = with_hours().hours
    scenario.hours[0] = scenario.hours[0].model_copy(update={"name": name})
    scenario.instance_fields["alias"] = name
    dynamic = parse_flow_content(
        json.dumps(flow_document(["$.External.fn"])), region=REGION, account=ACCOUNT
    )
    scenario.flows.append(
        ContactFlow(id="dyn", arn=f"{INSTANCE_ARN}/contact-flow/dyn", name=name, content=dynamic)
    )
    scenario.errors.append(
        CollectionFailure(
            service="lambda",
            operation="GetAlias",
            region=REGION,
            account=ACCOUNT,
            resource=name,
            code=name,
            message=name,
        )
    )
    return scenario


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=repr)
def test_hostile_names_are_escaped_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    outcome = run_check(tmp_path, text_of(_rename_everything(name)), capsys=capsys)
    assert outcome.code == 3  # the failed read
    assert {"WARM002", "WARM011", "WARM901"} <= outcome.rules()
    messages = " ".join(f["message"] for f in outcome.report["findings"])  # type: ignore[index]
    assert shown(name) in messages
    assert not UNSAFE_SHOWN.search(messages.replace("\n", ""))


def test_a_forged_verdict_line_never_reaches_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run_check(tmp_path, text_of(_rename_everything(FORGED_VERDICT)), capsys=capsys)
    assert "\x1b" not in outcome.stdout
    assert "\r" not in outcome.stdout
    verdicts = [line for line in outcome.stdout.splitlines() if line.startswith("warmcheck:")]
    assert verdicts == [verdicts[0]]
    assert verdicts[0].startswith("warmcheck: INCOMPLETE")


def test_a_lone_surrogate_survives_the_snapshot_round_trip(tmp_path: Path) -> None:
    snapshot = _rename_everything(LONE_SURROGATE).snapshot()
    text = snapshot.to_json()
    path = tmp_path / "snapshot.json"
    path.write_bytes(text.encode("utf-8"))  # `collect` writes this: it must encode
    assert load_snapshot(path).to_json() == text


# --- time zones and values at the edge: AWS state, never exit 2 or 4 --------------------------


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "A" * 300, "", "../../etc/passwd", "/etc/localtime", "UTC\x00"]
)
def test_a_schedule_zone_that_is_not_iana_is_warm901_on_the_schedule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], zone: str
) -> None:
    outcome = run_check(tmp_path, text_of(schedule_only(timezone=zone)), capsys=capsys)
    assert outcome.code == 3
    assert outcome.rules() == {"WARM901"}
    resources = {f["resource"] for f in outcome.findings("WARM901")}
    assert resources == {
        BILLING,
        f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/billing-schedule",
    }
    assert outcome.coverage()[BILLING] == "unknown"
    assert all(len(f["message"]) < 600 for f in outcome.report["findings"])  # type: ignore[index]


@pytest.mark.parametrize(
    ("zone", "end"),
    [
        ("Mars/Olympus", (17, 0)),
        ("B" * 300, (17, 0)),
        ("UTC", (24, 59)),
    ],
)
def test_hours_of_operation_that_cannot_be_evaluated_are_warm901(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], zone: str, end: tuple[int, int]
) -> None:
    outcome = run_check(
        tmp_path, text_of(with_hours(zone, end)), policy=HOURS_POLICY, capsys=capsys
    )
    assert outcome.code == 3
    assert outcome.rules() == {"WARM901"}
    assert set(outcome.coverage().values()) == {"unknown"}
    assert all("hours of operation" in f["message"] for f in outcome.findings("WARM901"))


def test_effective_hours_at_the_end_of_the_calendar_are_warm901(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last = date(9999, 12, 31)
    effective = [
        EffectiveDay(
            date=last,
            hours=[OpenInterval(start=datetime(9999, 12, 31, 9), end=datetime(9999, 12, 31, 17))],
        )
    ]
    outcome = run_check(
        tmp_path,
        text_of(with_hours("Pacific/Kiritimati", effective=effective)),
        policy=HOURS_POLICY,
        capsys=capsys,
    )
    assert outcome.code == 3
    assert outcome.rules() == {"WARM901"}


@pytest.mark.parametrize(
    ("fields", "code", "rules"),
    [
        ({"end_date": datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)}, 0, set()),
        ({"start_date": datetime(1, 1, 1, tzinfo=UTC)}, 0, set()),
        ({"expression": "rate(" + "9" * 5000 + " minutes)"}, 3, {"WARM901"}),
        ({"expression": "cron(0 0 1 1 ? 9999)"}, 3, {"WARM901"}),
        ({"expression": "at(9999-12-31T23:59:59)"}, 1, {"WARM001"}),
        ({"expression": "rate(999999999 days)"}, 1, {"WARM003"}),
        ({"flexible_window_minutes": 1440}, 1, {"WARM003"}),
    ],
    ids=[
        "end-9999",
        "start-0001",
        "rate-5000-digits",
        "cron-9999",
        "at-9999",
        "rate-max",
        "flexible-max",
    ],
)
def test_schedule_edge_values(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fields: dict[str, Any],
    code: int,
    rules: set[str],
) -> None:
    outcome = run_check(tmp_path, text_of(schedule_only(**fields)), capsys=capsys)
    assert outcome.code == code, outcome.stderr
    assert outcome.rules() == rules


@pytest.mark.parametrize("year", ["9999", "0001", "1969"])
def test_collected_at_outside_the_calendar_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], year: str
) -> None:
    text = text_of(healthy()).replace('"collected_at": "2026', f'"collected_at": "{year}')
    outcome = run_check(tmp_path, text, capsys=capsys)
    assert outcome.code == 2
    assert "collected_at" in outcome.stderr


# --- every snapshot field, generated: never exit 4 ------------------------------------------------


def _rich_snapshot() -> dict[str, Any]:
    scenario = schedule_only()
    scenario.hours = with_hours(
        effective=[
            EffectiveDay(
                date=date(2026, 11, 2),
                hours=[OpenInterval(start=datetime(2026, 11, 2, 9), end=datetime(2026, 11, 2, 17))],
            )
        ]
    ).hours
    scenario.update_function(
        "crm-lookup",
        provisioned_concurrency=[
            ProvisionedConcurrency(qualifier="prod", requested=1, available=1, allocated=1)
        ],
    )
    return scenario.snapshot().model_dump(mode="json")


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _with(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def _hostile_values(leaf: Any) -> list[Any]:
    if isinstance(leaf, bool):
        return [1, "true"]
    if isinstance(leaf, int):
        return [True, -1, 10**30, 2**63]
    if isinstance(leaf, str) and len(leaf) >= 19 and leaf[4] == "-" and leaf[10] == "T":
        return ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59"]
    if isinstance(leaf, str):
        return ["".join(HOSTILE_NAMES) + "\ud800" * 3 + "9" * 300]
    return [True, DEEP_ARRAY]


_RICH = _rich_snapshot()
_FIELD_CASES = [
    pytest.param(path, value, id=".".join(map(str, path)) + f"={str(value)[:12]!r}")
    for path, leaf in _leaves(_RICH)
    for value in _hostile_values(leaf)
]


@pytest.mark.parametrize(("path", "value"), _FIELD_CASES)
def test_every_snapshot_field_with_a_hostile_value_never_exits_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: tuple[Any, ...], value: Any
) -> None:
    outcome = run_check(
        tmp_path, json_text(_with(_RICH, path, value)), policy=HOURS_POLICY, capsys=capsys
    )
    assert outcome.code in (0, 1, 2, 3), outcome.stderr
    if outcome.code == 2:  # refused as the snapshot file it is: names the file and field
        assert "snapshot.json:" in outcome.stderr


# --- booleans are not numbers ----------------------------------------------------------------


def test_version_true_is_not_version_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_check(
        tmp_path, text_of(healthy()), policy=POLICY_TEXT.replace("1", "true", 1), capsys=capsys
    )
    assert outcome.code == 2
    assert "version: expected 1, not a boolean" in outcome.stderr


def test_timeout_true_is_not_one_second(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = text_of(healthy()).replace('"timeout": 8', '"timeout": true', 1)
    outcome = run_check(tmp_path, text, capsys=capsys)
    assert outcome.code == 2
    assert "timeout: expected a number, not a boolean" in outcome.stderr


# --- odd policy statements ----------------------------------------------------------------------


def test_warm009_ignores_a_statement_about_another_function(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = healthy()
    elsewhere = statement("wide", "events.amazonaws.com", fn_arn("other-function"), None)
    for name in ("billing",):
        function = scenario.functions[name]
        document = json.loads(function.policies[0].document or "{}")
        document["Statement"].append(elsewhere)
        scenario.update_function(
            name,
            policies=[function.policies[0].model_copy(update={"document": json.dumps(document)})],
        )
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys)
    assert outcome.code == 0
    own = statement("wide", "events.amazonaws.com", BILLING, None)
    scenario.set_policy(
        "billing",
        "$LATEST",
        own,
        statement("w", "events.amazonaws.com", BILLING, rule_arn("billing-warmer")),
        statement("c", "connect.amazonaws.com", BILLING, INSTANCE_ARN),
    )
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys, name="own")
    assert outcome.code == 1
    assert outcome.rules() == {"WARM009"}


@pytest.mark.parametrize(
    "document",
    [
        {"Statement": "not a list"},
        {"Statement": [{"Effect": "Allow", "Principal": 7, "Action": [], "Resource": 1}]},
        {"Statement": [{"Effect": "Maybe"}]},
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "*",
                    "Condition": {"StringEquals": {"AWS:SourceArn": [[[]]]}},
                }
            ]
        },
        {"Statement": [None, 1, "x"]},
        [],
        "\ud800",
    ],
    ids=[
        "statement-string",
        "numbers",
        "effect",
        "nested-condition",
        "junk-items",
        "list",
        "surrogate",
    ],
)
def test_odd_resource_policy_statements_are_unread_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: Any
) -> None:
    scenario = healthy()
    function = scenario.functions["billing"]
    policies = [p.model_copy(update={"document": json.dumps(document)}) for p in function.policies]
    scenario.update_function("billing", policies=policies)
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys)
    assert outcome.code == 3
    assert outcome.rules() == {"WARM901"}
    assert outcome.coverage()[BILLING] == "unknown"


# --- unread evidence is never a verdict ------------------------------------------------------


def test_list_targets_by_rule_denied_is_unknown_not_missing_warmer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = healthy()
    scenario.rules = [rule.model_copy(update={"targets": None}) for rule in scenario.rules]
    scenario.errors = [
        CollectionFailure(
            service="events",
            operation="ListTargetsByRule",
            region=REGION,
            account=ACCOUNT,
            resource=rule.arn,
            code="AccessDeniedException",
            message="not authorized",
        )
        for rule in scenario.rules
    ]
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys)
    assert outcome.code == 3
    assert outcome.rules() == {"WARM901"}
    assert set(outcome.coverage().values()) == {"unknown"}


def test_list_rules_denied_is_unknown_not_missing_warmer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = healthy()
    scenario.rules = []
    scenario.errors = [
        CollectionFailure(
            service="events",
            operation="ListRules",
            region=REGION,
            account=ACCOUNT,
            code="AccessDeniedException",
            message="not authorized",
        )
    ]
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys)
    assert outcome.code == 3
    assert outcome.rules() == {"WARM901"}
    assert set(outcome.coverage().values()) == {"unknown"}


def test_unread_flows_make_no_warmer_an_orphan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SearchContactFlows denied: the orphan-looking warmer may be for a flow not read."""
    scenario = healthy()
    scenario.instance_fields["flows"] = None
    scenario.errors = [
        CollectionFailure(
            service="connect",
            operation="SearchContactFlows",
            region=REGION,
            account=ACCOUNT,
            resource=INSTANCE_ARN,
            code="AccessDeniedException",
            message="not authorized",
        )
    ]
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys)
    assert outcome.code == 3
    assert outcome.rules() == {"WARM901"}
    # Without the failure the same warmers are orphans (the flows were read and call nothing).
    scenario.instance_fields["flows"] = []
    scenario.errors = []
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys, name="read")
    assert outcome.code == 1
    assert outcome.rules() == {"WARM006"}


# --- output path mistakes: exit 2, one line naming the path, nothing replaced -------------------


def _check_args(tmp_path: Path, out: Path, *extra: str) -> list[str]:
    snapshot = tmp_path / "healthy.json"
    snapshot.write_text(text_of(healthy()), encoding="utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY_TEXT, encoding="utf-8")
    return [
        "check",
        "--snapshot",
        str(snapshot),
        "--policy",
        str(policy),
        "--out-dir",
        str(out),
        *ALL_FORMATS,
        *extra,
    ]


def _one_line_naming(stderr: str, path: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert path[:150] in lines[0]
    assert "internal error" not in lines[0]


def _earlier_intact(out: Path) -> None:
    for name in ("warmcheck.json", "warmcheck.sarif", "warmcheck.md", "warmcheck.html"):
        assert (out / name).read_text() == EARLIER
    assert temporaries(out) == []


@pytest.mark.parametrize(
    "mistake",
    [
        "out-dir-is-a-file",
        "out-dir-under-a-file",
        "out-dir-name-too-long",
        "out-dir-too-long",
        "out-dir-unwritable",
    ],
)
def test_out_dir_mistakes_are_bad_input(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    mistake: str,
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    out = {
        "out-dir-is-a-file": afile,
        "out-dir-under-a-file": afile / "reports",
        "out-dir-name-too-long": tmp_path / ("n" * 300),
        "out-dir-too-long": tmp_path.joinpath(*["d" * 200] * 30),
        "out-dir-unwritable": tmp_path / "locked" / "reports",
    }[mistake]
    if mistake == "out-dir-unwritable":
        (tmp_path / "locked").mkdir()
        real = os.access
        monkeypatch.setattr(
            os, "access", lambda p, m: False if Path(p).name == "locked" else real(p, m)
        )
    assert main(_check_args(tmp_path, out)) == 2
    _one_line_naming(capsys.readouterr().err, f"--out-dir {out}")
    assert afile.read_text() == "x"


def test_a_report_name_that_is_a_folder_replaces_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    seed_earlier_reports(out)
    (out / "warmcheck.junit.xml").unlink()
    (out / "warmcheck.junit.xml").mkdir()
    assert main(_check_args(tmp_path, out)) == 2
    _one_line_naming(capsys.readouterr().err, str(out / "warmcheck.junit.xml"))
    _earlier_intact(out)


@pytest.mark.parametrize(
    ("flag", "where"),
    [
        ("--summary-to", "folder"),
        ("--summary-to", "/dev/full"),
        ("--summary-to", "missing/summary.md"),
        ("--write-baseline", "missing/baseline.json"),
        ("--write-baseline", "folder"),
    ],
)
def test_summary_and_baseline_mistakes_replace_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, where: str
) -> None:
    if where == "/dev/full" and not Path("/dev/full").exists():
        pytest.skip("this system has no /dev/full")
    out = tmp_path / "reports"
    seed_earlier_reports(out)
    (tmp_path / "folder").mkdir()
    target = where if where.startswith("/") else str(tmp_path / where)
    assert main(_check_args(tmp_path, out, flag, target)) == 2
    _one_line_naming(capsys.readouterr().err, f"{flag} {target}")
    _earlier_intact(out)
    assert (out / "warmcheck.junit.xml").read_text() == EARLIER


def test_a_disk_that_fills_while_writing_is_exit_4_and_replaces_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "reports"
    seed_earlier_reports(out)
    real_fsync = os.fsync
    calls = []

    def full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:  # the third report of five does not fit
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    assert main(_check_args(tmp_path, out)) == 4
    err = capsys.readouterr().err
    assert "No space left on device while writing" in err
    assert "no report was replaced" in err
    _earlier_intact(out)
    assert (out / "warmcheck.junit.xml").read_text() == EARLIER


def test_sigterm_while_writing_leaves_no_temporary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    out = tmp_path / "reports"
    seed_earlier_reports(out)
    real_fsync = os.fsync

    def terminated(fd: int) -> None:
        real_fsync(fd)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(os, "fsync", terminated)
    assert main(_check_args(tmp_path, out)) == 143
    assert "terminated" in capsys.readouterr().err
    _earlier_intact(out)
    assert (out / "warmcheck.junit.xml").read_text() == EARLIER
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler was put back


def test_a_healthy_run_replaces_every_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome: Outcome = run_check(tmp_path, text_of(healthy()), capsys=capsys)
    assert outcome.code == 0  # and run_check saw every earlier report replaced


# --- the policy is read once ------------------------------------------------------------------


def test_a_policy_from_a_fifo_is_read_once_and_hashed_as_evaluated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    fifo = tmp_path / "policy.fifo"
    os.mkfifo(fifo)
    body = POLICY_TEXT.encode()

    def feed() -> None:
        with fifo.open("wb") as stream:
            stream.write(body)

    writer = threading.Thread(target=feed)
    writer.start()
    out = tmp_path / "reports"
    args = _check_args(tmp_path, out)
    args[args.index("--policy") + 1] = str(fifo)
    code = main(args)
    writer.join(timeout=10)
    assert code == 0
    report = json.loads((out / "warmcheck.json").read_text())
    assert report["policy"]["sha256"] == hashlib.sha256(body).hexdigest()


# --- the one place AWS data errors become findings ----------------------------------------------


def test_aws_data_errors_while_judging_a_function_are_warm901(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever interpreting a function's state raises among AWS_DATA_ERRORS makes that
    function unknown with a WARM901, never a crash."""
    from checker.analysis.decide import Decider
    from checker.engine import PolicyRef, evaluate
    from tests.scenario import NOW, default_policy

    def explode(self: Any, required: Any) -> Any:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(Decider, "_decide", explode)
    report = evaluate(
        default_policy(), healthy().snapshot(), NOW, policy_ref=PolicyRef("p.yaml", "0" * 64)
    )
    assert report.incomplete
    assert {entry.status for entry in report.coverage} == {"unknown"}
    assert any("date value out of range" in f.message for f in report.findings)


@pytest.mark.parametrize("operation", ["DescribeContactFlow", "DescribeContactFlowModule"])
def test_a_denied_describe_fallback_is_unread_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], operation: str
) -> None:
    """The Describe fall-backs (never called by the sandbox, whose searches carry Content):
    the flow or module whose content was not read is WARM901, and nothing rests on it: the
    warmers of what it might call are not orphans."""
    scenario = healthy()
    if operation == "DescribeContactFlow":
        scenario.flows = [f.model_copy(update={"content": None}) for f in scenario.flows]
        resource = scenario.flows[0].arn
    else:
        scenario.modules = [m.model_copy(update={"content": None}) for m in scenario.modules]
        resource = scenario.modules[0].arn
    scenario.errors = [
        CollectionFailure(
            service="connect",
            operation=operation,
            region=REGION,
            account=ACCOUNT,
            resource=resource,
            code="AccessDeniedException",
            message="not authorized",
        )
    ]
    outcome = run_check(tmp_path, text_of(scenario), capsys=capsys)
    assert outcome.code == 3
    assert outcome.rules() == {"WARM901"}
    assert any(operation in f["message"] for f in outcome.findings("WARM901"))


def test_a_lone_surrogate_in_a_lambda_reference_is_collected_and_evaluated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `collect` does with a flow's Content: hash it, parse it, write the snapshot."""
    from checker.domain.flows import content_sha256

    content = json.dumps(flow_document([fn_arn("billing") + "\ud800"]), ensure_ascii=False)
    assert len(content_sha256(content)) == 64
    scenario = healthy()
    parsed = parse_flow_content(content, region=REGION, account=ACCOUNT)
    scenario.flows.append(
        ContactFlow(id="odd", arn=f"{INSTANCE_ARN}/contact-flow/odd", name="Odd", content=parsed)
    )
    text = scenario.snapshot().to_json()
    path = tmp_path / "collected.json"
    path.write_bytes(text.encode("utf-8"))
    outcome = run_check(tmp_path, path.read_text(encoding="utf-8"), capsys=capsys)
    assert outcome.code == 1  # the odd reference is reported (WARM011), never a crash
    assert outcome.rules() == {"WARM011"}
    assert "\\ud800" in outcome.findings("WARM011")[0]["message"]


def test_a_policy_on_stdin_is_read_once_and_hashed_as_evaluated(tmp_path: Path) -> None:
    import hashlib
    import subprocess
    import sys

    out = tmp_path / "reports"
    args = _check_args(tmp_path, out)
    args[args.index("--policy") + 1] = "/dev/stdin"
    result = subprocess.run(
        [sys.executable, "-m", "checker", *args],
        input=POLICY_TEXT.encode(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "warmcheck.json").read_text())
    assert report["policy"]["sha256"] == hashlib.sha256(POLICY_TEXT.encode()).hexdigest()


@pytest.mark.parametrize(
    ("command", "where"),
    [("collect", "missing/snapshot.json"), ("collect", "folder"), ("init", "folder")],
)
def test_collect_and_init_check_their_output_before_reading_aws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, where: str
) -> None:
    (tmp_path / "folder").mkdir()
    target = tmp_path / where
    args = [command, "--out", str(target)]
    if command == "init":
        args += ["--force", "--snapshot", "tests/data/snapshots/healthy.json"]
    else:
        args += ["--policy", "tests/data/policies/strict.yaml"]
    assert main(args) == 2
    _one_line_naming(capsys.readouterr().err, f"--out {target}")
