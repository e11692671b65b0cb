"""`warmcheck schedule`: the --window option, check_expression, describe_gap, the printed lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from checker.cli.schedule import parse_window_option, render_schedule_check
from checker.domain.gap_wording import describe_gap, describe_gap_when
from checker.domain.schedule import (
    FiringSource,
    Gap,
    clear_caches,
    readable_duration,
    weekly_intervals,
    worst_gap,
)
from checker.domain.schedule_check import HORIZON, ScheduleCheck, check_expression
from checker.errors import ScheduleExpressionError, UsageError
from checker.model.policy import WeeklyRange, WeeklyWindow

MINUTE = 60
HOUR = 3600
DAY = 86400
NEW_YORK = "America/New_York"
ISSUE_EXAMPLE = "cron(0/5 13-22 ? * MON-FRI *)"  # an EventBridge rule: UTC


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def office_hours(zone: str = NEW_YORK) -> WeeklyWindow | None:
    return parse_window_option("MON-FRI 08:00-18:00", zone)


def check(
    expression: str,
    now: datetime,
    *,
    timezone: str = "UTC",
    window: WeeklyWindow | None = None,
    next_count: int = 10,
    flexible: int = 0,
    max_interval: int | None = None,
) -> ScheduleCheck:
    return check_expression(
        expression,
        timezone=timezone,
        window=window,
        next_count=next_count,
        now=now,
        flexible_window_minutes=flexible,
        max_interval_seconds=max_interval,
    )


# --- the issue's example --------------------------------------------------------------------------


def test_issue_example_from_january_finds_the_gap_daylight_saving_opens_in_march() -> None:
    # Now: Monday 2027-01-11 12:00 UTC. New York is on EST (UTC-5) until Sunday 2027-03-14
    # 02:00 local (07:00 UTC). The window MON-FRI 08:00-18:00 New York is 13:00-23:00 UTC, and the
    # rule fires at 13:00, 13:05, ..., 22:55 UTC on weekdays: a firing right at the opening,
    # 5 minutes apart, the last 5 minutes before the closing. Winter is covered, 5 min at most.
    # From the EDT switch (UTC-4) the same window is 12:00-22:00 UTC: the first firing is still
    # 13:00 UTC = 09:00 local, so 08:00-09:00 New York goes cold every weekday (the closing is
    # fine: 21:55 UTC is 5 minutes before 22:00 UTC). The first such weekday is Monday
    # 2027-03-15, one day after the change, and it repeats until EST returns on 2027-11-07.
    now = utc(2027, 1, 11, 12)
    result = check(ISSUE_EXAMPLE, now, window=office_hours(), next_count=3, max_interval=5 * MINUTE)
    assert result.kind == "cron"
    assert result.worst_gap == Gap(HOUR, utc(2027, 3, 15, 12), utc(2027, 3, 15, 13), True)
    assert result.gap_description == (
        "worst gap 1 h, first on Mon 2027-03-15 08:00\u201309:00 America/New_York "
        "(daylight saving: clocks change on 2027-03-14), and again later"
    )
    assert result.verdict == "too-long"
    # The winter weeks alone leave 5 minutes at most (so March 15 is really the first bad day).
    winter_end = utc(2027, 3, 1)
    winter = weekly_intervals(NEW_YORK, [(frozenset(range(1, 6)), 480, 1080)], now, winter_end)
    assert worst_gap([FiringSource(ISSUE_EXAMPLE)], winter, now, winter_end).seconds == 5 * MINUTE
    # The next firings, in UTC and on the schedule's (UTC) clock.
    assert [f.utc for f in result.firings] == [
        utc(2027, 1, 11, 13),
        utc(2027, 1, 11, 13, 5),
        utc(2027, 1, 11, 13, 10),
    ]
    assert all(f.local == f.utc and f.local.utcoffset() == timedelta(0) for f in result.firings)


def test_issue_example_in_june_leaves_the_first_hour_of_every_weekday_cold() -> None:
    # Now: Monday 2027-06-07 00:00 UTC (Sunday 20:00 EDT). The window opens at 08:00 EDT =
    # 12:00 UTC; the first firing is 13:00 UTC = 09:00 EDT. Three months from any clock change,
    # so no daylight-saving remark.
    result = check(ISSUE_EXAMPLE, utc(2027, 6, 7), window=office_hours(), next_count=2)
    assert result.worst_gap == Gap(HOUR, utc(2027, 6, 7, 12), utc(2027, 6, 7, 13), True)
    assert result.gap_description == (
        "worst gap 1 h, first on Mon 2027-06-07 08:00\u201309:00 America/New_York, and again later"
    )
    assert "daylight saving" not in result.gap_description
    assert result.firings[0].utc == utc(2027, 6, 7, 13)
    assert result.verdict is None


def test_a_gap_in_the_week_before_clocks_fall_back_says_daylight_saving() -> None:
    # Monday 2027-11-01 is still EDT: the 08:00-09:00 gap at 12:00 UTC; EST returns Sunday
    # 2027-11-07, six days later.
    result = check(ISSUE_EXAMPLE, utc(2027, 11, 1), window=office_hours())
    assert result.worst_gap.start == utc(2027, 11, 1, 12)
    assert result.gap_description.endswith(
        "(daylight saving: clocks change on 2027-11-07), and again later"
    )


def test_a_schedule_in_new_york_time_covers_the_window_all_year() -> None:
    # The same hours written as a Scheduler schedule in New York time follow the clock change.
    result = check(
        "cron(0/5 8-17 ? * MON-FRI *)",
        utc(2027, 1, 11, 12),
        timezone=NEW_YORK,
        window=office_hours(),
        max_interval=5 * MINUTE,
    )
    assert result.worst_gap.seconds == 5 * MINUTE
    assert result.verdict == "ok"
    assert any("EventBridge rules always run in UTC" in note for note in result.notes)


def test_render_prints_expression_zone_firings_gap_and_verdict() -> None:
    result = check(
        ISSUE_EXAMPLE, utc(2026, 12, 1), window=office_hours(), next_count=2, max_interval=300
    )
    assert render_schedule_check(result) == [
        "cron(0/5 13-22 ? * MON-FRI *): valid cron expression",
        "time zone: UTC",
        "window: MON-FRI 08:00-18:00 America/New_York",
        "next 2 firings:",
        "  2026-12-01 13:00 UTC  (08:00 America/New_York, Tue)",
        "  2026-12-01 13:05 UTC  (08:05 America/New_York, Tue)",
        "searched one year: 2026-12-01 00:00 to 2027-12-01 00:00 UTC",
        (
            "worst gap 1 h, first on Mon 2027-03-15 08:00\u201309:00 America/New_York "
            "(daylight saving: clocks change on 2027-03-14), and again later"
        ),
        "verdict: too long, worst gap 1 h exceeds the 5 min allowed",
    ]


def test_firings_are_shown_on_the_schedules_clock_across_a_clock_change() -> None:
    result = check("cron(0 8 * * ? *)", utc(2027, 3, 12), timezone=NEW_YORK, next_count=3)
    assert [f.utc for f in result.firings] == [
        utc(2027, 3, 12, 13),
        utc(2027, 3, 13, 13),
        utc(2027, 3, 14, 12),
    ]
    assert [f.local.hour for f in result.firings] == [8, 8, 8]
    lines = render_schedule_check(result)
    assert "  2027-03-14 12:00 UTC  (08:00 America/New_York, Sun)" in lines
    # Spring forward makes one gap 23 hours; falling back on Sunday 2027-11-07 makes one 25:
    # 08:00 EDT Saturday (12:00 UTC) to 08:00 EST Sunday (13:00 UTC).
    assert result.worst_gap == Gap(DAY + HOUR, utc(2027, 11, 6, 12), utc(2027, 11, 7, 13), True)
    assert result.gap_description == (
        "worst gap 1 d 1 h from Sat 2027-11-06 08:00 to Sun 2027-11-07 08:00 America/New_York "
        "(daylight saving: clocks change on 2027-11-07)"
    )


def test_a_utc_schedule_without_a_window_shows_only_the_weekday() -> None:
    result = check("cron(0 10 * * ? *)", utc(2026, 12, 1), next_count=1)
    assert render_schedule_check(result)[3:5] == [
        "next 1 firing:",
        "  2026-12-01 10:00 UTC  (Tue)",
    ]


# --- verdict, next-N, notes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "verdict", "line"),
    [
        (HOUR, "ok", "verdict: ok, worst gap 1 h is within the 1 h allowed"),
        (HOUR - 1, "too-long", "verdict: too long, worst gap 1 h exceeds the 59 min allowed"),
        (None, None, None),
    ],
)
def test_verdict_compares_the_worst_gap_with_max_interval(
    limit: int | None, verdict: str | None, line: str | None
) -> None:
    result = check("cron(0 * * * ? *)", utc(2027, 1, 1), max_interval=limit)
    assert result.verdict == verdict
    verdict_lines = [x for x in render_schedule_check(result) if x.startswith("verdict")]
    assert verdict_lines == ([line] if line else [])


@pytest.mark.parametrize("count", [0, 1, 7, 250])
def test_next_count_firings_are_listed(count: int) -> None:
    result = check("cron(0/15 * * * ? *)", utc(2027, 1, 1), next_count=count)
    assert len(result.firings) == count
    assert [f.utc for f in result.firings] == [
        utc(2027, 1, 1) + timedelta(minutes=15 * n) for n in range(1, count + 1)
    ]


def test_a_cron_that_ends_lists_what_is_left_and_says_so() -> None:
    result = check("cron(0 12 1 1 ? 2027)", utc(2026, 12, 1), next_count=10)
    assert [f.utc for f in result.firings] == [utc(2027, 1, 1, 12)]
    assert (
        "it fires only once more: then no date matches its day, month and year fields"
        in result.notes
    )
    # From the last firing to the end of the year searched.
    assert result.worst_gap == Gap(
        int((utc(2027, 12, 1) - utc(2027, 1, 1, 12)).total_seconds()),
        utc(2027, 1, 1, 12),
        utc(2027, 12, 1),
        True,
    )


@pytest.mark.parametrize("expression", ["cron(0 12 1 1 ? 2020)", "cron(0 12 30 FEB ? *)"])
def test_a_cron_that_never_fires_again_says_so(expression: str) -> None:
    result = check(expression, utc(2026, 12, 1), max_interval=HOUR)
    assert result.firings == ()
    assert (
        "it never fires after now: no later date matches its day, month and year fields"
        in result.notes
    )
    assert result.worst_gap.seconds == 365 * DAY
    assert result.verdict == "too-long"
    assert "next firings: none" in render_schedule_check(result)


def test_a_flexible_window_lengthens_the_gap_and_says_it_is_a_bound() -> None:
    result = check("cron(0/5 * * * ? *)", utc(2027, 1, 1), flexible=10)
    assert result.worst_gap.seconds == 15 * MINUTE
    assert result.worst_gap.exact is False
    assert result.gap_description.endswith(
        "(at most: a flexible window lets each invocation come up to 10 min late)"
    )
    assert "flexible window: 10 min" in render_schedule_check(result)


# --- rate() and at() -----------------------------------------------------------------------------


def test_rate_has_no_knowable_firings_and_its_interval_is_the_worst_gap() -> None:
    result = check("rate(5 minutes)", utc(2027, 1, 1), max_interval=5 * MINUTE)
    assert result.kind == "rate"
    assert result.firings == ()
    assert result.worst_gap.seconds == 5 * MINUTE
    assert result.worst_gap.exact is False
    assert result.gap_description == "worst gap 5 min: one 5 min interval, at any time"
    assert result.verdict == "ok"
    assert any("cannot be known" in note for note in result.notes)
    assert (
        "next firings: not knowable (rate() counts from when it was created)"
        in render_schedule_check(result)
    )


def test_rate_with_a_flexible_window() -> None:
    result = check("rate(1 hour)", utc(2027, 1, 1), flexible=15)
    assert result.worst_gap.seconds == HOUR + 15 * MINUTE
    assert result.gap_description == (
        "worst gap 1 h 15 min: one 1 h interval plus a 15 min flexible window, at any time"
    )


def test_a_daily_rate_can_miss_a_whole_window_opening() -> None:
    # Monday 2027-01-04: a 10-hour window is shorter than a day, so one opening can pass whole.
    window = parse_window_option("MON-FRI 08:00-18:00", "UTC")
    result = check("rate(1 day)", utc(2027, 1, 4), window=window, max_interval=HOUR)
    assert result.worst_gap.seconds == 10 * HOUR
    assert result.gap_description == (
        "worst gap 10 h: a whole window opening can pass between two firings "
        "(one 1 d interval), e.g. on Mon 2027-01-04 08:00\u201318:00 UTC"
    )
    assert result.verdict == "too-long"


def test_at_fires_once_and_is_not_a_warmer() -> None:
    now = utc(2027, 1, 11, 12)
    result = check("at(2027-02-01T09:00:00)", now, timezone=NEW_YORK, max_interval=300)
    assert result.kind == "at"
    assert [(f.utc, f.local.hour) for f in result.firings] == [(utc(2027, 2, 1, 14), 9)]
    # It keeps nothing warm: the whole year searched is one gap.
    assert result.worst_gap == Gap(365 * DAY, now, now + HORIZON, True)
    assert result.gap_description.endswith(
        ": a one-time at() schedule fires once and keeps nothing warm"
    )
    assert result.verdict == "too-long"
    assert any("not a warmer" in note for note in result.notes)


def test_at_in_the_past_lists_nothing() -> None:
    result = check("at(2026-02-01T09:00:00)", utc(2027, 1, 11))
    assert result.firings == ()
    assert "Sun 2026-02-01 09:00 UTC is in the past: it will not fire" in result.notes


# --- invalid input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("cron(0 10 * * * *)", "AWS requires '?' in one of them"),
        ("cron(0 10 * * ?)", "expected 6 fields"),
        ("rate(5 minute)", "plural unit"),
        ("every 5 minutes", "is not a schedule expression"),
        ("at(2027-02-30T09:00:00)", "not a real date"),
    ],
)
def test_an_invalid_expression_raises_schedule_expression_error(
    expression: str, fragment: str
) -> None:
    with pytest.raises(ScheduleExpressionError, match=fragment.replace("?", r"\?")):
        check(expression, utc(2027, 1, 1))


def test_an_unknown_time_zone_is_an_expression_error() -> None:
    with pytest.raises(ScheduleExpressionError, match="unknown time zone 'Mars/Olympus'"):
        check("cron(0 10 * * ? *)", utc(2027, 1, 1), timezone="Mars/Olympus")


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"next_count": -1}, "--next: -1"),
        ({"next_count": 1001}, "--next: 1001"),
        ({"flexible": 1441}, "--flexible-window: 1441"),
        ({"flexible": -1}, "--flexible-window: -1"),
        ({"max_interval": 0}, "--max-interval"),
    ],
)
def test_options_out_of_range_are_usage_errors(options: dict[str, int], fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment) as raised:
        check("cron(0 10 * * ? *)", utc(2027, 1, 1), **options)  # type: ignore[arg-type]
    assert raised.value.hint


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        check("cron(0 10 * * ? *)", datetime(2027, 1, 1))


# --- the --window option -------------------------------------------------------------------------


def test_window_always_is_none() -> None:
    assert parse_window_option("always") is None
    assert parse_window_option("  Always ", "Europe/Berlin") is None


def test_window_one_range() -> None:
    assert parse_window_option("MON-FRI 08:00-18:00", NEW_YORK) == WeeklyWindow(
        timezone=NEW_YORK, weekly=[WeeklyRange(days=["MON-FRI"], start="08:00", end="18:00")]
    )


def test_window_several_ranges_lists_of_days_and_lenient_spelling() -> None:
    window = parse_window_option(
        "mon - fri 8:00-12:00, 13:00 - 18:00,SAT 09:00-13:00, TUE,THU 19:00-21:30"
    )
    assert window is not None
    assert window.timezone == "UTC"
    assert [(r.days, r.start, r.end) for r in window.weekly] == [
        (["MON-FRI"], "08:00", "12:00"),
        (["MON-FRI"], "13:00", "18:00"),  # only times: the days of the range before
        (["SAT"], "09:00", "13:00"),
        (["TUE", "THU"], "19:00", "21:30"),
    ]


def test_window_overnight_and_whole_day_ranges() -> None:
    window = parse_window_option("FRI-MON 22:00-02:00,SUN 00:00-24:00")
    assert window is not None
    overnight, whole = window.weekly
    assert overnight.iso_days == frozenset({5, 6, 7, 1})
    assert (overnight.start_minute, overnight.end_minute) == (22 * 60, 2 * 60)
    assert (whole.start_minute, whole.end_minute) == (0, 24 * 60)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("MON-FRY 08:00-18:00", "'MON-FRY' in 'MON-FRY 08:00-18:00' is not a day"),
        ("MON-FRI-SAT 08:00-18:00", "'MON-FRI-SAT' in"),
        ("MONDAY 08:00-18:00", "'MONDAY' in"),
        ("MON-FRI 8-18", "'MON-FRI 8-18' is not days then a time range HH:MM-HH:MM"),
        ("MON-FRI 08:00", "'MON-FRI 08:00' is not days then a time range"),
        ("MON-FRI 08:00-18:00 EST", "is not days then a time range"),
        ("MON-FRI 08:00-25:00", "end time 25:00 in"),
        ("MON-FRI 08:60-18:00", "start time 08:60"),
        ("MON-FRI 08:00-24:30", "end time 24:30"),
        ("MON-FRI 24:00-02:00", "a range cannot start at 24:00"),
        ("MON-FRI 08:00-08:00", "starts and ends at 08:00; for a whole day write 00:00-24:00"),
        ("08:00-18:00", "'08:00-18:00' has no days"),
        ("MON-FRI 08:00-18:00,", "empty range"),
        ("MON-FRI 08:00-18:00,,SAT 09:00-13:00", "empty range"),
        ("MON-FRI 08:00-18:00,SAT", "days SAT have no time range"),
    ],
)
def test_window_errors_name_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_window_option(text, NEW_YORK)
    assert raised.value.message.startswith("--window: ")
    assert fragment in raised.value.message
    assert raised.value.hint is not None
    assert "MON-FRI 08:00-18:00" in raised.value.hint


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd"])
def test_window_with_an_unknown_time_zone(zone: str) -> None:
    with pytest.raises(UsageError, match="unknown time zone") as raised:
        parse_window_option("MON-FRI 08:00-18:00", zone)
    assert raised.value.hint is not None
    assert "--window-timezone" in raised.value.hint


def test_overnight_window_counts_the_hours_after_midnight() -> None:
    # Monday 2027-01-04. The window opens 22:00 on a weekday and closes 02:00 the next morning;
    # firings 22:00-23:55 only, so 23:55 to the 02:00 closing is cold: 2 h 5 min, every night.
    window = parse_window_option("MON-FRI 22:00-02:00")
    evening_only = check("cron(0/5 22-23 ? * MON-FRI *)", utc(2027, 1, 4), window=window)
    assert evening_only.worst_gap == Gap(
        2 * HOUR + 5 * MINUTE, utc(2027, 1, 4, 23, 55), utc(2027, 1, 5, 2), True
    )
    assert evening_only.gap_description == (
        "worst gap 2 h 5 min, first from Mon 2027-01-04 23:55 to Tue 2027-01-05 02:00 UTC, "
        "and again later"
    )
    # Firing after midnight too: 01:55 is 5 minutes before the closing.
    all_night = check("cron(0/5 0-1,22-23 * * ? *)", utc(2027, 1, 4), window=window)
    assert all_night.worst_gap.seconds == 5 * MINUTE


def test_window_in_its_own_zone_separate_from_the_expression_zone() -> None:
    # A Berlin office covered by a UTC rule: winter CET = UTC+1, so 08:00 Berlin is 07:00 UTC.
    window = parse_window_option("MON-FRI 08:00-17:00", "Europe/Berlin")
    result = check("cron(0/5 7-15 ? * MON-FRI *)", utc(2027, 1, 4), window=window)
    # CEST (UTC+2) from Sunday 2027-03-28: the window is 06:00-15:00 UTC, the first firing at
    # 07:00 UTC = 09:00 Berlin; the closing 17:00 Berlin = 15:00 UTC is 5 minutes after 14:55.
    assert result.worst_gap == Gap(HOUR, utc(2027, 3, 29, 6), utc(2027, 3, 29, 7), True)
    assert "on Mon 2027-03-29 08:00\u201309:00 Europe/Berlin" in result.gap_description
    assert "(daylight saving: clocks change on 2027-03-28)" in result.gap_description
    # The firings are shown on the window's clock, the rule's being UTC.
    assert render_schedule_check(result)[4] == "  2027-01-04 07:00 UTC  (08:00 Europe/Berlin, Mon)"


# --- describe_gap ----------------------------------------------------------------------------


def test_describe_gap_within_a_day_across_days_and_up_to_midnight() -> None:
    same_day = Gap(65 * MINUTE, utc(2027, 1, 4, 13), utc(2027, 1, 4, 14, 5), True)
    assert describe_gap(same_day, NEW_YORK) == (
        "worst gap 1 h 5 min on Mon 2027-01-04 08:00\u201309:05 America/New_York"
    )
    to_midnight = Gap(2 * HOUR, utc(2027, 1, 4, 22), utc(2027, 1, 5), True)
    assert describe_gap_when(to_midnight, "UTC") == "on Mon 2027-01-04 22:00\u201324:00 UTC"
    weekend = Gap(2 * DAY + 15 * HOUR, utc(2027, 1, 8, 18), utc(2027, 1, 11, 9), True)
    assert describe_gap(weekend, "UTC", recurs=True) == (
        "worst gap 2 d 15 h, first from Fri 2027-01-08 18:00 to Mon 2027-01-11 09:00 UTC, "
        "and again later"
    )
    odd_seconds = Gap(95, utc(2027, 1, 4, 13), datetime(2027, 1, 4, 13, 1, 35, tzinfo=UTC), True)
    assert describe_gap_when(odd_seconds, "UTC") == "on Mon 2027-01-04 13:00\u201313:01:35 UTC"
    assert describe_gap(Gap(0, None, None, True), "UTC") == (
        "no gap: the window never opens within the horizon"
    )


@pytest.mark.parametrize(
    ("start", "near"),
    [
        (utc(2027, 3, 7, 8), True),  # 7 days before Sunday 2027-03-14 07:00 UTC
        (utc(2027, 3, 7, 6), False),  # just over 7 days before
        (utc(2027, 3, 21, 6), True),  # just under 7 days after
        (utc(2027, 3, 21, 8), False),
        (utc(2027, 7, 1), False),
    ],
)
def test_daylight_saving_is_mentioned_within_seven_days_of_a_change(
    start: datetime, near: bool
) -> None:
    gap = Gap(HOUR, start, start + timedelta(hours=1), True)
    assert ("(daylight saving: clocks change on 2027-03-14)" in describe_gap(gap, NEW_YORK)) is near
    assert "daylight saving" not in describe_gap(gap, "UTC")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45, "45 s"), (300, "5 min"), (3900, "1 h 5 min"), (7200, "2 h"), (90000, "1 d 1 h")],
)
def test_readable_duration(seconds: int, text: str) -> None:
    assert readable_duration(seconds) == text


# --- determinism ---------------------------------------------------------------------------------


def test_the_same_inputs_give_the_same_result_whatever_is_cached() -> None:
    def run() -> tuple[ScheduleCheck, list[str]]:
        result = check(
            ISSUE_EXAMPLE, utc(2027, 1, 11, 12, 34), window=office_hours(), max_interval=300
        )
        return result, render_schedule_check(result)

    first = run()
    assert run() == first
    clear_caches()
    assert run() == first


def test_the_year_searched_is_the_engines_horizon() -> None:
    # One horizon for `schedule`, the engine and Connect's hours: a year, so every weekday,
    # daylight-saving change and `L`/`W`/`#` case a schedule has is inside it.
    assert timedelta(days=365) == HORIZON
