"""Time-aware coverage through the engine: windows, hours of operation, overrides, DST traps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from checker.engine import Evaluation, PolicyRef, evaluate
from checker.model.policy import Policy
from checker.model.snapshot import (
    ClockTime,
    EffectiveDay,
    HoursConfig,
    HoursOfOperation,
    OpenInterval,
)
from tests.scenario import (
    INSTANCE_ARN,
    NOW,
    Scenario,
    fn_arn,
    healthy,
    invoke_role,
    schedule,
    scheduled_rule,
)

REF = PolicyRef("policy.yaml", "0" * 64)
HOURS_ARN = f"{INSTANCE_ARN}/operating-hours/hours-1"
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")


def hours(effective: list[EffectiveDay] | None = None) -> HoursOfOperation:
    return HoursOfOperation(
        id="hours-1",
        arn=HOURS_ARN,
        name="Support Hours",
        time_zone="America/New_York",
        config=[
            HoursConfig(
                day=day,  # type: ignore[arg-type]
                start=ClockTime(hours=8, minutes=0),
                end=ClockTime(hours=18, minutes=0),
            )
            for day in WEEKDAYS
        ],
        effective=effective,
    )


def open_days(closed_weekdays: set[int], extra: dict[date, tuple[int, int]]) -> list[EffectiveDay]:
    """Effective hours for the whole horizon: 08-18 on weekdays not closed, plus extra days."""
    days = []
    day = NOW.date() - timedelta(days=1)
    while day <= NOW.date() + timedelta(days=367):
        spans = []
        if day.isoweekday() <= 5 and day.isoweekday() not in closed_weekdays:
            spans.append((8, 18))
        if day in extra:
            spans.append(extra[day])
        days.append(
            EffectiveDay(
                date=day,
                hours=[
                    OpenInterval(
                        start=datetime(day.year, day.month, day.day, a),
                        end=datetime(day.year, day.month, day.day, b),
                    )
                    for a, b in spans
                ],
            )
        )
        day += timedelta(days=1)
    return days


def policy(window: object) -> Policy:
    return Policy.model_validate(
        {"version": 1, "warm": {"payload": {"warmer": True}, "window": window}}
    )


def billing_warmed_by(scenario: Scenario, expression: str, timezone: str = "UTC") -> None:
    """Replace billing's rule with a Scheduler schedule (it has a time zone)."""
    scenario.rules = [r for r in scenario.rules if r.name != "billing-warmer"]
    scenario.schedules = [
        schedule("billing-warm", expression, fn_arn("billing"), timezone=timezone)
    ]
    scenario.roles = [invoke_role("scheduler-warmer", fn_arn("billing"))]


def run(scenario: Scenario, window: object) -> Evaluation:
    return evaluate(policy(window), scenario.snapshot(), NOW, policy_ref=REF)


def billing(report: Evaluation) -> tuple[str, int | None]:
    entry = next(c for c in report.coverage if c.function == fn_arn("billing"))
    return entry.status, entry.worst_gap_seconds


def test_utc_cron_covers_new_york_hours_in_winter_but_not_in_summer() -> None:
    # 08:00-18:00 New York is 13:00-23:00 UTC in winter but 12:00-22:00 UTC in summer.
    scenario = healthy()
    scenario.rules[1] = scheduled_rule(
        "billing-warmer", "cron(0/5 13-22 ? * MON-FRI *)", fn_arn("billing")
    )
    scenario.hours = [hours()]
    report = run(scenario, {"hours_of_operation": "Support Hours"})
    status, gap = billing(report)
    assert status == "cold"
    assert gap == 3600  # 12:00 to 13:00 UTC at opening, every summer weekday
    entry = next(c for c in report.coverage if c.function == fn_arn("billing"))
    assert entry.worst_gap_start is not None
    assert entry.worst_gap_start.date() >= date(2027, 3, 15)  # after the spring change
    # Held to the same hours for one winter month only, it is warm.
    winter = run(
        scenario,
        {
            "timezone": "America/New_York",
            "weekly": [{"days": ["MON-FRI"], "start": "09:00", "end": "17:00"}],
        },
    )
    assert billing(winter)[0] == "warm"


def test_scheduler_cron_in_the_hours_zone_follows_daylight_saving() -> None:
    scenario = healthy()
    billing_warmed_by(scenario, "cron(0/5 8-17 ? * MON-FRI *)", "America/New_York")
    scenario.hours = [hours()]
    assert billing(run(scenario, {"hours_of_operation": "Support Hours"})) == ("warm", 300)


def test_effective_hours_apply_a_closed_day_override() -> None:
    scenario = healthy()
    billing_warmed_by(scenario, "cron(0/5 8-17 ? * MON-THU *)", "America/New_York")
    scenario.hours = [hours()]
    # By the weekly config Friday is open, and nothing warms billing on Fridays.
    assert billing(run(scenario, {"hours_of_operation": "Support Hours"}))[0] == "cold"
    # Overrides close every Friday: Connect's effective hours say so, and the gap goes.
    scenario.hours = [hours(open_days({5}, {}))]
    assert billing(run(scenario, {"hours_of_operation": "hours-1"})) == ("warm", 300)


def test_effective_hours_apply_special_opening_hours() -> None:
    scenario = healthy()
    billing_warmed_by(scenario, "cron(0/5 8-17 ? * MON-FRI *)", "America/New_York")
    saturday = date(2026, 11, 28)
    scenario.hours = [hours(open_days(set(), {saturday: (10, 14)}))]
    report = run(scenario, {"hours_of_operation": HOURS_ARN})
    status, gap = billing(report)
    assert status == "cold"
    assert gap == 4 * 3600  # the whole special Saturday opening is unwarmed
    entry = next(c for c in report.coverage if c.function == fn_arn("billing"))
    assert entry.worst_gap_start == datetime(2026, 11, 28, 15, 0, tzinfo=UTC)  # 10:00 EST


def test_unknown_hours_of_operation_is_evidence_not_a_pass() -> None:
    scenario = healthy()
    scenario.hours = [hours()]
    report = run(scenario, {"hours_of_operation": "Night Shift"})
    assert {c.status for c in report.coverage} == {"unknown"}
    assert report.verdict == "incomplete"
    assert any("Night Shift" in f.message for f in report.findings if f.rule == "WARM901")


def test_window_crossing_midnight() -> None:
    scenario = healthy()
    scenario.rules[1] = scheduled_rule(
        "billing-warmer", "cron(0/5 22-23,0-1 ? * * *)", fn_arn("billing")
    )
    overnight = {
        "timezone": "UTC",
        "weekly": [{"days": ["MON-SUN"], "start": "22:00", "end": "02:00"}],
    }
    assert billing(run(scenario, overnight)) == ("warm", 300)
    overnight["weekly"][0]["end"] = "03:00"  # type: ignore[index]
    assert billing(run(scenario, overnight)) == ("cold", 3900)  # last firing 01:55, closes 03:00


def test_per_function_window_through_overrides() -> None:
    scenario = healthy()
    scenario.rules[1] = scheduled_rule(
        "billing-warmer", "cron(0/5 13-22 ? * MON-FRI *)", fn_arn("billing")
    )
    window = {
        "timezone": "UTC",
        "weekly": [{"days": ["MON-FRI"], "start": "13:00", "end": "23:00"}],
    }
    base = {"version": 1, "warm": {"payload": {"warmer": True}}}
    always = Policy.model_validate(base)
    assert billing(evaluate(always, scenario.snapshot(), NOW, policy_ref=REF))[0] == "cold"
    scoped = Policy.model_validate(
        {**base, "overrides": [{"function": "billing", "window": window}]}
    )
    assert billing(evaluate(scoped, scenario.snapshot(), NOW, policy_ref=REF)) == ("warm", 300)


def test_warm003_message_says_when_and_where_in_the_window_zone() -> None:
    scenario = healthy()
    scenario.rules[1] = scheduled_rule(
        "billing-warmer", "cron(0/5 13-22 ? * MON-FRI *)", fn_arn("billing")
    )
    scenario.hours = [hours()]
    report = run(scenario, {"hours_of_operation": "Support Hours"})
    message = next(f.message for f in report.findings if f.rule == "WARM003")
    assert "worst gap 1 h on Mon 2027-03-15 08:00\u201309:00 America/New_York" in message
    assert "(daylight saving: clocks change on 2027-03-14)" in message
