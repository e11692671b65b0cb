"""Property: any snapshot AWS could describe goes through the engine and every format without
exit 4. Random names (controls, surrogates), expressions, zones, dates across the calendar,
inputs (deep and shallow), states, hours and failed reads, through the real CLI."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile import DEEP_ARRAY, DEEP_OBJECT, POLICY_TEXT, json_text, run_check
from tests.scenario import ACCOUNT, INSTANCE_ARN, REGION, fn_arn, healthy

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Names as AWS (or a hand-edited snapshot) may hold them: any code point, surrogates included.
names = st.lists(
    st.one_of(
        st.characters(codec=None),
        st.sampled_from("\x1b\r\n\t\x00\u202e\ufeff\ud800\udfff\x85"),
    ),
    min_size=1,
    max_size=30,
).map("".join)  # st.text() never yields a lone surrogate: AWS JSON can
zones = st.one_of(
    st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Pacific/Kiritimati"]),
    st.sampled_from(["Mars/Olympus", "", "../../etc/passwd", "Z" * 300]),
    names,
)
expressions = st.one_of(
    st.sampled_from(
        [
            "rate(5 minutes)",
            "rate(1 minute)",
            "cron(0/5 * * * ? *)",
            "cron(0 0 29 2 ? *)",
            "cron(0 0 1 1 ? 9999)",
            "at(9999-12-31T23:59:59)",
            "rate(" + "9" * 5000 + " minutes)",
            "rate(999999999 days)",
        ]
    ),
    st.builds(
        lambda n, u: f"rate({n} {u})",
        st.integers(0, 10**12),
        st.sampled_from(["minute", "minutes", "hours", "days", "weeks"]),
    ),
    names,
)
moments = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)
inputs = st.one_of(
    st.none(),
    st.just('{"warmer": true}'),
    st.just(DEEP_ARRAY),
    st.just(DEEP_OBJECT),
    json_values.map(json.dumps),
    names,
)
counts = st.integers(min_value=0, max_value=2**31)
hours = st.integers(0, 24)
minutes = st.integers(0, 59)


@st.composite
def snapshots(draw: st.DrawFn) -> dict[str, Any]:
    data = healthy().snapshot().model_dump(mode="json")
    instance = data["instances"][0]
    for flow in instance["flows"]:
        flow["name"] = draw(names)
    for module in instance["modules"]:
        module["name"] = draw(names)
    instance["alias"] = draw(st.one_of(st.none(), names))
    instance["hours_of_operation"] = [
        {
            "id": "h1",
            "arn": f"{INSTANCE_ARN}/operating-hours/h1",
            "name": "Basic",
            "time_zone": draw(zones),
            "config": [
                {
                    "day": draw(st.sampled_from(["MONDAY", "SATURDAY", "SUNDAY"])),
                    "start": {
                        "hours": draw(st.integers(0, 24)),
                        "minutes": draw(st.integers(0, 59)),
                    },
                    "end": {"hours": draw(st.integers(0, 24)), "minutes": draw(st.integers(0, 59))},
                }
                for _ in range(draw(st.integers(0, 3)))
            ],
        }
    ]
    for rule in data["rules"]:
        rule["name"] = draw(names)
        if draw(st.booleans()):  # AWS restricts rule names; a snapshot holds any text
            rule["arn"] = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule['name']}"
        rule["state"] = draw(st.sampled_from(["ENABLED", "DISABLED", "weird"]))
        rule["schedule_expression"] = draw(expressions)
        if draw(st.booleans()):
            rule["targets"] = None
        else:
            for target in rule["targets"]:
                target["input"] = draw(inputs)
    data["schedules"] = [
        {
            "arn": f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/s{index}",
            "name": draw(names),
            "region": REGION,
            "account": ACCOUNT,
            "state": draw(st.sampled_from(["ENABLED", "DISABLED"])),
            "expression": draw(st.one_of(st.none(), expressions)),
            "timezone": draw(zones),
            "flexible_window_minutes": draw(st.integers(0, 1440)),
            "start_date": _iso(draw(moments)),
            "end_date": _iso(draw(moments)),
            "target": {
                "arn": draw(
                    st.sampled_from(
                        [
                            fn_arn("billing"),
                            fn_arn("crm-lookup", "prod"),
                            "arn:aws:scheduler:::aws-sdk:lambda:invoke",
                        ]
                    )
                ),
                "role_arn": draw(st.one_of(st.none(), st.just(f"arn:aws:iam::{ACCOUNT}:role/r"))),
                "input": draw(inputs),
            },
        }
        for index in range(draw(st.integers(0, 2)))
    ]
    for function in data["functions"]:
        function["timeout"] = draw(st.one_of(st.none(), counts))
        for policy in function["policies"]:
            if draw(st.booleans()):
                policy["document"] = draw(inputs)
        function["provisioned_concurrency"] = draw(
            st.one_of(
                st.none(),
                st.lists(
                    st.builds(
                        lambda q, a, s: {"qualifier": q, "allocated": a, "status": s},
                        st.sampled_from(["prod", "$LATEST", "1"]),
                        counts,
                        st.sampled_from(["READY", "FAILED", "IN_PROGRESS"]),
                    ),
                    max_size=2,
                ),
            )
        )
    data["errors"] = [
        {
            "service": draw(st.sampled_from(["events", "scheduler", "lambda", "connect", "iam"])),
            "operation": draw(st.sampled_from(["ListRules", "GetPolicy", "SearchContactFlows"])),
            "region": REGION,
            "account": ACCOUNT,
            "resource": draw(names),
            "code": "AccessDeniedException",
            "message": draw(names),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    return data


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


policies = st.sampled_from(
    [
        POLICY_TEXT,
        POLICY_TEXT + "  window: {hours_of_operation: Basic}\n",
        POLICY_TEXT + "  max_interval: 1m\n  window: {timezone: Asia/Kathmandu, weekly: "
        '[{days: [MON-FRI], start: "22:00", end: "06:00"}]}\n',
        "version: 1\nwarmers:\n  name_patterns: ['*']\n",
    ]
)


@pytest.mark.filterwarnings("ignore::UserWarning")
@SETTINGS
@given(snapshot=snapshots(), policy=policies)
def test_no_snapshot_gives_exit_4(snapshot: dict[str, Any], policy: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        outcome = run_check(Path(folder), json_text(snapshot), policy=policy)
    assert outcome.code in (0, 1, 3), outcome.stderr
