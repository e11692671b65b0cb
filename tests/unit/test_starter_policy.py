"""`warmcheck init`'s starter policy: valid, evaluable, honest about what it found, never leaky.

Every test writes the text to a file, loads it with `load_policy` (the same path a user's policy
takes) and evaluates it against the snapshot it came from.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from checker.domain.targets import UNIVERSAL_LAMBDA_INVOKE
from checker.engine import Evaluation, PolicyRef, evaluate
from checker.load.policy import load_policy
from checker.model.policy import Policy
from checker.model.snapshot import ConnectInstance, RuleTarget, Snapshot
from checker.starter_policy import looks_secret, starter_policy
from tests.data.make_snapshots import drift
from tests.scenario import (
    ACCOUNT,
    INSTANCE_ARN,
    NOW,
    REGION,
    CollectionFailure,
    ProvisionedConcurrency,
    Scenario,
    fn_arn,
    healthy,
    invoke_role,
    schedule,
    scheduled_rule,
)

CRM = fn_arn("crm-lookup", "prod")
BILLING = fn_arn("billing")


def starter(snapshot: Snapshot, tmp_path: Path) -> tuple[str, Policy, Evaluation]:
    """The starter text, the policy it loads as, and its report on the same snapshot."""
    text = starter_policy(snapshot, now=NOW)
    policy = load_text(text, tmp_path)
    report = evaluate(policy, snapshot, NOW, policy_ref=PolicyRef("warm-policy.yaml", "0" * 64))
    return text, policy, report


def load_text(text: str, tmp_path: Path, name: str = "warm-policy.yaml") -> Policy:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_policy(path).policy


def rules_of(report: Evaluation) -> list[str]:
    return sorted(finding.rule for finding in report.findings)


def with_payload(scenario: Scenario, payload: Any) -> Scenario:
    """Both healthy warmers send `payload` instead of the policy payload."""
    scenario.rules = [
        scheduled_rule("crm-warmer", "rate(5 minutes)", CRM, payload=payload),
        scheduled_rule("billing-warmer", "cron(0/5 * * * ? *)", BILLING, payload=payload),
    ]
    return scenario


def uncomment_suggestions(text: str) -> str:
    """The text with the suggested overrides (commented under `overrides: []`) switched on."""
    lines = text.splitlines()
    start = lines.index("overrides: []")
    lines[start] = "overrides:"
    for index in range(start + 1, len(lines)):
        if not lines[index]:
            break
        if re.match(r"^#(  - |    )", lines[index]):
            lines[index] = lines[index][1:]
    return "\n".join(lines) + "\n"


# --- the scenarios ------------------------------------------------------------------------------


def test_healthy_starter_is_valid_compliant_and_lists_what_it_covers(tmp_path: Path) -> None:
    text, policy, report = starter(healthy().snapshot(), tmp_path)

    assert report.verdict == "pass"
    assert report.findings == ()
    assert [(c.function, c.status) for c in report.coverage] == [
        (BILLING, "warm"),
        (CRM, "warm"),
    ]
    assert policy.scope.regions == [REGION]
    assert policy.scope.instances == ["demo-center"]
    assert policy.scope.flow_statuses == ["PUBLISHED"]
    assert policy.warm.max_interval == 300
    assert policy.warm.payload == {"warmer": True}
    assert policy.warm.window == "always"
    assert policy.overrides == []
    assert policy.extra_functions == []
    assert policy.waivers == []
    # The covered Lambdas, sorted by qualified ARN, with their flow counts and warmers.
    billing_line = next(line for line in text.splitlines() if f"#   {BILLING} " in line)
    crm_line = next(line for line in text.splitlines() if f"#   {CRM} " in line)
    assert text.index(billing_line) < text.index(crm_line)
    assert "1 flow" in billing_line
    assert "warmed by billing-warmer" in billing_line
    assert "1 flow" in crm_line
    assert "warmed by crm-warmer" in crm_line
    assert "#   rule crm-warmer  rate(5 minutes)\n" in text
    assert "#   rule billing-warmer  cron(0/5 * * * ? *)\n" in text
    assert f"#       -> {CRM}\n" in text
    assert f"#       -> {BILLING}\n" in text
    assert INSTANCE_ARN in text


def test_every_knob_is_commented(tmp_path: Path) -> None:
    text, _policy, _report = starter(healthy().snapshot(), tmp_path)
    knobs = [
        "  max_interval:",
        "  window:",
        "  payload:",
        "  accept:",
        "  require_source_arn:",
        "  max_function_timeout:",
        "  name_patterns:",
        "  flow_statuses:",
        "  instances:",
    ]
    for knob in knobs:
        line = next(line for line in text.splitlines() if line.startswith(knob))
        assert "#" in line, line
    for section in ("scope:", "warm:", "warmers:", "overrides: []", "extra_functions: []"):
        index = text.splitlines().index(section)
        assert text.splitlines()[index - 1].startswith("#"), section


def test_drift_starter_is_valid_and_keeps_the_policy_strict(tmp_path: Path) -> None:
    text, policy, report = starter(drift().snapshot(), tmp_path)

    # billing's warmer fires every 15 minutes: the starter does not loosen to 15m, it says so.
    assert policy.warm.max_interval == 300
    assert "the existing warmers leave up to 15m (billing)" in text
    # crm-warmer sends the policy payload; billing-warmer sends nothing (it is no reason to drop
    # the payload, and old-ivr-warmer does not target a function the flows call).
    assert policy.warm.payload == {"warmer": True}
    assert "adopted: sent today by 1 of 2 warmer targets" in text
    assert "(no flow calls this function)" in text
    assert "(the flows call another qualifier)" in text
    assert "warmer on another qualifier: crm-warmer (on $LATEST)" in text
    assert "1 Lambda reference that cannot be resolved" in text
    for arn in (fn_arn("survey"), fn_arn("legacy-menu")):
        line = next(line for line in text.splitlines() if f"#   {arn} " in line)
        assert "no warmer found" in line
    assert {"WARM001", "WARM003", "WARM005", "WARM006", "WARM008"} <= set(rules_of(report))


def test_empty_account_gives_a_valid_default_policy_that_says_nothing_was_found(
    tmp_path: Path,
) -> None:
    snapshot = Snapshot(collected_at=NOW, accounts=[ACCOUNT], regions=[REGION])
    text, policy, report = starter(snapshot, tmp_path)

    assert "Nothing was found: no Amazon Connect instance in us-east-1" in text
    assert "Warmers found: none" in text
    assert policy.scope.instances == ["*"]
    assert policy.scope.regions == [REGION]
    assert policy.warm.max_interval == 300
    assert policy.warm.payload == {"warmer": True}
    assert report.findings == ()
    assert report.coverage == ()


def test_a_snapshot_with_no_regions_leaves_the_region_default(tmp_path: Path) -> None:
    text, policy, report = starter(Snapshot(collected_at=NOW), tmp_path)
    assert policy.scope.regions is None
    assert "# regions: [us-east-1]" in text
    assert report.findings == ()


def test_an_account_with_flows_but_no_lambda_calls(tmp_path: Path) -> None:
    scenario = healthy()
    scenario.flows, scenario.modules, scenario.rules = [], [], []
    text, policy, report = starter(scenario.snapshot(), tmp_path)
    assert "Lambdas the flows call: none" in text
    assert "Warmers found: none" in text
    assert policy.scope.instances == ["demo-center"]
    assert "no warmer targets these Lambdas yet" in text
    assert report.findings == ()


# --- the payload --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"password": "hunter2"},
        {"warmer": True, "db_password": "hunter2"},
        {"warmer": "password=hunter2"},
        {"warmer": True, "auth": {"user": "hunter2"}},
        {"apiKey": "hunter2"},
        {"headers": [{"X-Session": "hunter2"}]},
        {"warmer": "AKIAHUNTER2HUNTER2HUNTER2"},
        {"warmer": True, "blob": "hunter2" + "x" * 200},
    ],
)
def test_a_secret_looking_or_large_input_is_never_adopted_nor_echoed(
    tmp_path: Path, payload: Any
) -> None:
    text, policy, report = starter(with_payload(healthy(), payload).snapshot(), tmp_path)

    assert policy.warm.payload == {"warmer": True}
    assert "hunter2" not in text
    assert "HUNTER2" not in text
    assert "the current input differs: 2 of 2 warmer targets" in text
    assert "so it was not adopted" in text
    assert rules_of(report) == ["WARM008", "WARM008"]


@pytest.mark.parametrize(
    "payload",
    [
        {"keepWarm": 1, "source": "scheduler"},
        {"a": [1, 2.5, None, {}], "b": "x#y: z", "c": 'quote " and \\ backslash'},
        {"accent": "caf\u00e9"},
        "warm",
        7,
        [],
    ],
)
def test_a_plain_common_input_is_adopted_exactly(tmp_path: Path, payload: Any) -> None:
    text, policy, report = starter(with_payload(healthy(), payload).snapshot(), tmp_path)

    assert policy.warm.payload == payload
    assert "adopted: sent today by 2 of 2 warmer targets" in text
    assert report.findings == ()


def test_an_input_yaml_cannot_carry_is_not_adopted(tmp_path: Path) -> None:
    text, policy, _report = starter(
        with_payload(healthy(), {"warmer": "\U0001f525"}).snapshot(), tmp_path
    )
    assert policy.warm.payload == {"warmer": True}
    assert "has characters a YAML policy cannot carry" in text


def test_null_and_missing_inputs_keep_the_default_payload(tmp_path: Path) -> None:
    text, policy, _report = starter(with_payload(healthy(), None).snapshot(), tmp_path)
    assert policy.warm.payload == {"warmer": True}
    assert "the 2 warmer targets found send no constant JSON input" in text

    scenario = with_payload(healthy(), None)
    scenario.rules[0] = scenario.rules[0].model_copy(
        update={"targets": [RuleTarget(id="t0", arn=CRM, input="null")]}
    )
    text, policy, _report = starter(scenario.snapshot(), tmp_path)
    assert policy.warm.payload == {"warmer": True}
    assert "send a constant input that is null" in text


def test_the_most_common_input_wins_and_schedules_count(tmp_path: Path) -> None:
    scenario = with_payload(healthy(), {"ping": 1})
    # A universal-target schedule sends a third, different input to billing.
    scenario.schedules.append(
        schedule(
            "billing-keepalive",
            "rate(5 minutes)",
            UNIVERSAL_LAMBDA_INVOKE,
            payload={"FunctionName": "billing", "Payload": {"warmer": True}},
        )
    )
    scenario.roles.append(invoke_role("scheduler-warmer", BILLING))
    text, policy, report = starter(scenario.snapshot(), tmp_path)

    assert policy.warm.payload == {"ping": 1}
    assert "adopted: sent today by 2 of 3 warmer targets" in text
    assert "(WARM008 flags the other 1 until it sends the same)" in text
    assert "#   schedule billing-keepalive  rate(5 minutes)" in text
    assert rules_of(report) == ["WARM008"]


def test_a_schedule_payload_is_read_through_the_universal_target(tmp_path: Path) -> None:
    scenario = healthy()
    scenario.rules = [scheduled_rule("crm-warmer", "rate(5 minutes)", CRM, payload={"ping": 1})]
    scenario.schedules.append(
        schedule(
            "billing-warmer",
            "rate(5 minutes)",
            UNIVERSAL_LAMBDA_INVOKE,
            payload={"FunctionName": BILLING, "Payload": {"ping": 1}},
        )
    )
    scenario.roles.append(invoke_role("scheduler-warmer", BILLING))
    _text, policy, report = starter(scenario.snapshot(), tmp_path)
    assert policy.warm.payload == {"ping": 1}
    assert report.findings == ()


@pytest.mark.parametrize(
    ("value", "secret"),
    [
        ({"warmer": True}, False),
        ({"ping": 1, "source": "aws.events"}, False),
        ({"nested": [{"Token": "x"}]}, True),
        ({"PRIVATE_KEY": None}, True),
        ("Bearer abc", True),
        ({"id": "0123456789abcdefABCDEF"}, True),
        (12, False),
    ],
)
def test_looks_secret(value: object, secret: bool) -> None:
    assert looks_secret(value) is secret


# --- max_interval and the suggested overrides ---------------------------------------------------


def test_warmers_tighter_than_five_minutes_set_the_interval(tmp_path: Path) -> None:
    scenario = healthy()
    scenario.rules = [
        scheduled_rule("crm-warmer", "rate(1 minute)", CRM),
        scheduled_rule("billing-warmer", "cron(* * * * ? *)", BILLING),
    ]
    text, policy, report = starter(scenario.snapshot(), tmp_path)
    assert policy.warm.max_interval == 60
    assert "  max_interval: 1m " in text
    assert "the existing warmers leave at most 1m between warm calls" in text
    assert report.findings == ()


def test_a_function_warmed_more_often_gets_a_commented_override(tmp_path: Path) -> None:
    scenario = healthy()
    scenario.rules[0] = scheduled_rule("crm-warmer", "rate(1 minute)", CRM)
    text, policy, report = starter(scenario.snapshot(), tmp_path)

    assert policy.warm.max_interval == 300
    assert policy.overrides == []
    assert f'#  - function: "{CRM}"\n' in text
    assert (
        "#    # its warmers leave at most 1m today: hold it to that\n#    max_interval: 1m\n"
        in text
    )
    assert report.findings == ()

    adopted = load_text(uncomment_suggestions(text), tmp_path, "adopted.yaml")
    assert [(o.function, o.max_interval) for o in adopted.overrides] == [(CRM, 60)]
    report = evaluate(adopted, scenario.snapshot(), NOW, policy_ref=PolicyRef("a", "0" * 64))
    assert report.findings == ()


def test_provisioned_concurrency_gets_a_commented_override(tmp_path: Path) -> None:
    scenario = healthy()
    scenario.update_function(
        "crm-lookup",
        provisioned_concurrency=[
            ProvisionedConcurrency(qualifier="prod", requested=5, available=5, allocated=5)
        ],
    )
    scenario.update_function(
        "billing",
        provisioned_concurrency=[
            ProvisionedConcurrency(qualifier="live", requested=2, available=2, allocated=2)
        ],
    )
    text, policy, report = starter(scenario.snapshot(), tmp_path)

    assert policy.overrides == []
    assert report.findings == ()
    crm_line = next(line for line in text.splitlines() if f"#   {CRM} " in line)
    assert "provisioned concurrency" in crm_line
    assert f'#  - function: "{CRM}"\n' in text
    assert "#    # provisioned concurrency READY, 5 of 5 allocated: accept only that," in text
    assert "#    accept: [provisioned_concurrency]\n" in text
    assert f"# Note: {BILLING} has provisioned concurrency on live" in text
    assert "but the flows call $LATEST: it does not keep them warm." in text

    adopted = load_text(uncomment_suggestions(text), tmp_path, "adopted.yaml")
    assert [(o.function, o.accept) for o in adopted.overrides] == [
        (CRM, ["provisioned_concurrency"])
    ]
    report = evaluate(adopted, scenario.snapshot(), NOW, policy_ref=PolicyRef("a", "0" * 64))
    assert report.findings == ()


# --- scope ----------------------------------------------------------------------------------------


def test_several_instances_and_regions_are_scoped(tmp_path: Path) -> None:
    snapshot = healthy().snapshot()
    second_id = "99999999-8888-7777-6666-555555555555"
    second = ConnectInstance(
        id=second_id,
        arn=f"arn:aws:connect:eu-west-2:{ACCOUNT}:instance/{second_id}",
        region="eu-west-2",
        account=ACCOUNT,
        flows=[],
        modules=[],
        lambda_functions=[],
        hours_of_operation=[],
    )
    snapshot = snapshot.model_copy(
        update={"instances": [*snapshot.instances, second], "regions": ["eu-west-2", REGION]}
    )
    text, policy, report = starter(snapshot, tmp_path)

    assert policy.scope.regions == ["eu-west-2", REGION]
    assert policy.scope.instances == [second_id, "demo-center"]
    assert "(no usable alias)" in text
    assert report.findings == ()


def test_hostile_names_cannot_break_or_inject_yaml(tmp_path: Path) -> None:
    scenario = healthy()
    scenario.instance_fields["alias"] = "prod-*"  # a glob would scope more than this instance
    scenario.rules[0] = scenario.rules[0].model_copy(
        update={"name": "crm-warmer\nversion: 2\nwaivers: [x] # \u2028\x85", "state": "OFF\n- y"}
    )
    text, policy, _report = starter(scenario.snapshot(), tmp_path)

    assert policy.scope.instances == ["11111111-2222-3333-4444-555555555555"]
    assert policy.waivers == []
    assert all(line.isascii() and line.isprintable() for line in text.splitlines())
    assert not any(line.startswith(("version: 2", "waivers: [x]")) for line in text.splitlines())
    assert "crm-warmer\\nversion: 2" in text


def test_collection_errors_are_mentioned(tmp_path: Path) -> None:
    scenario = healthy()
    scenario.errors.append(
        CollectionFailure(
            service="events",
            operation="ListRules",
            region=REGION,
            code="AccessDeniedException",
            message="denied",
        )
    )
    text, _policy, report = starter(scenario.snapshot(), tmp_path)
    assert "Note: 1 read failed while collecting" in text
    assert report.verdict == "incomplete"


# --- determinism ----------------------------------------------------------------------------------


def test_the_same_snapshot_gives_the_same_bytes_whatever_its_order() -> None:
    snapshot = drift().snapshot()
    first = starter_policy(snapshot, now=NOW)
    assert starter_policy(snapshot, now=NOW) == first
    assert starter_policy(Snapshot.model_validate_json(snapshot.to_json()), now=NOW) == first

    instance = snapshot.instances[0]
    shuffled = snapshot.model_copy(
        update={
            "instances": [
                instance.model_copy(
                    update={
                        "flows": list(reversed(instance.flows or [])),
                        "modules": list(reversed(instance.modules or [])),
                    }
                )
            ],
            "functions": list(reversed(snapshot.functions)),
            "rules": list(reversed(snapshot.rules)),
        }
    )
    assert starter_policy(shuffled, now=NOW) == first


def test_now_only_matters_through_the_evidence() -> None:
    snapshot = healthy().snapshot()
    assert starter_policy(snapshot, now=NOW) == starter_policy(
        snapshot, now=NOW + timedelta(days=3)
    )
