"""Schedule expressions: AWS's documented examples, the validation messages, L/W/#, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from checker.domain.schedule import (
    AtExpression,
    CronExpression,
    RateExpression,
    parse_expression,
    weekly_intervals,
)
from checker.errors import ScheduleExpressionError


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def cron(text: str) -> CronExpression:
    parsed = parse_expression(text)
    assert isinstance(parsed, CronExpression)
    return parsed


def next3(text: str, after: datetime, timezone: str = "UTC") -> list[datetime]:
    return cron(text).next_firings(after, timezone, count=3)


# --- AWS's examples (eb-cron-expressions.html, eb-rate-expressions.html) ----------------------

AWS_CRON_EXAMPLES = [
    # "Run at 10:00 am (UTC+0) every day"
    (
        "cron(0 10 * * ? *)",
        utc(2024, 1, 1),
        [utc(2024, 1, 1, 10), utc(2024, 1, 2, 10), utc(2024, 1, 3, 10)],
    ),
    # "Run at 12:15 pm (UTC+0) every day"
    (
        "cron(15 12 * * ? *)",
        utc(2024, 1, 1, 12, 15),
        [utc(2024, 1, 2, 12, 15), utc(2024, 1, 3, 12, 15), utc(2024, 1, 4, 12, 15)],
    ),
    # "Run at 6:00 pm (UTC+0) every Monday through Friday" (2024-01-05 is a Friday)
    (
        "cron(0 18 ? * MON-FRI *)",
        utc(2024, 1, 5, 12),
        [utc(2024, 1, 5, 18), utc(2024, 1, 8, 18), utc(2024, 1, 9, 18)],
    ),
    # "Run at 8:00 am (UTC+0) every 1st day of the month"
    (
        "cron(0 8 1 * ? *)",
        utc(2024, 1, 1, 8),
        [utc(2024, 2, 1, 8), utc(2024, 3, 1, 8), utc(2024, 4, 1, 8)],
    ),
    # "Run every 15 minutes"
    (
        "cron(0/15 * * * ? *)",
        utc(2024, 1, 1, 23, 40),
        [utc(2024, 1, 1, 23, 45), utc(2024, 1, 2, 0, 0), utc(2024, 1, 2, 0, 15)],
    ),
    # "Run every 10 minutes Monday through Friday"
    (
        "cron(0/10 * ? * MON-FRI *)",
        utc(2024, 1, 5, 23, 45),
        [utc(2024, 1, 5, 23, 50), utc(2024, 1, 8, 0, 0), utc(2024, 1, 8, 0, 10)],
    ),
    # "Run every 5 minutes Monday through Friday between 8:00 am and 5:55 pm (UTC+0)"
    (
        "cron(0/5 8-17 ? * MON-FRI *)",
        utc(2024, 1, 5, 17, 50),
        [utc(2024, 1, 5, 17, 55), utc(2024, 1, 8, 8, 0), utc(2024, 1, 8, 8, 5)],
    ),
    # "Run at 9 a.m. (UTC) the first Monday of each month"
    (
        "cron(0 9 ? * 2#1 *)",
        utc(2024, 1, 1, 9),
        [utc(2024, 2, 5, 9), utc(2024, 3, 4, 9), utc(2024, 4, 1, 9)],
    ),
]


@pytest.mark.parametrize(("text", "after", "expected"), AWS_CRON_EXAMPLES)
def test_aws_cron_examples_fire_exactly_when_documented(
    text: str, after: datetime, expected: list[datetime]
) -> None:
    assert next3(text, after) == expected


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(1 hour)", 3600),
        ("rate(12 hours)", 43200),
        ("rate(1 day)", 86400),
        ("rate(7 days)", 7 * 86400),
    ],
)
def test_aws_rate_examples(text: str, seconds: int) -> None:
    parsed = parse_expression(text)
    assert isinstance(parsed, RateExpression)
    assert parsed.seconds == seconds


def test_at_expression_is_a_naive_wall_clock_time() -> None:
    parsed = parse_expression("at(2024-11-20T13:00:00)")
    assert parsed == AtExpression("at(2024-11-20T13:00:00)", datetime(2024, 11, 20, 13, 0))
    assert isinstance(parsed, AtExpression)
    assert parsed.when.tzinfo is None


def test_next_firings_is_strictly_after_and_in_utc() -> None:
    fired = cron("cron(0 10 * * ? *)").next_firings(utc(2024, 1, 1, 10), count=2)
    assert fired == [utc(2024, 1, 2, 10), utc(2024, 1, 3, 10)]
    assert all(moment.tzinfo is UTC for moment in fired)
    # Seconds inside the firing minute are past it, too.
    just_before = datetime(2024, 1, 1, 9, 59, 59, tzinfo=UTC)
    assert cron("cron(0 10 * * ? *)").next_firings(just_before, count=1) == [utc(2024, 1, 1, 10)]


def test_next_firings_stops_at_the_last_year_and_needs_an_aware_time() -> None:
    assert next3("cron(0 10 * * ? 2024)", utc(2024, 12, 31, 9)) == [utc(2024, 12, 31, 10)]
    assert next3("cron(0 10 30 2 ? *)", utc(2024, 1, 1)) == []
    with pytest.raises(ValueError, match="aware"):
        cron("cron(0 10 * * ? *)").next_firings(datetime(2024, 1, 1))


def test_minutes_of_day_are_sorted_minutes_after_midnight() -> None:
    assert cron("cron(0/20 9,17 ? * MON-FRI *)").minutes_of_day() == (
        540,
        560,
        580,
        1020,
        1040,
        1060,
    )
    assert len(cron("cron(* * * * ? *)").minutes_of_day()) == 1440


# --- validation ---------------------------------------------------------------------------------

INVALID = [
    ("rate(1 minutes)", "rate(1 minutes): use the singular unit 'minute' when the value is 1"),
    ("rate(1 hours)", "use the singular unit 'hour' when the value is 1"),
    ("rate(5 minute)", "rate(5 minute): use the plural unit 'minutes' when the value is not 1"),
    ("rate(5 hour)", "use the plural unit 'hours' when the value is not 1"),
    ("rate(0 minutes)", "rate(0 minutes): the value must be a positive integer, got 0"),
    ("rate(-5 minutes)", "the value '-5' must be a positive whole number"),
    ("rate(1.5 hours)", "the value '1.5' must be a positive whole number"),
    ("rate(30 seconds)", "unknown unit 'seconds'; use minute(s), hour(s) or day(s)"),
    ("rate(2 weeks)", "unknown unit 'weeks'"),
    ("rate(5)", "a rate expression has two fields"),
    ("cron(0 10 1 * MON *)", "day-of-month '1' and day-of-week 'MON' are both set"),
    ("cron(0 10 * * * *)", "day-of-month '*' and day-of-week '*' are both set"),
    ("cron(0 10 ? * ? *)", "day-of-month and day-of-week are both '?'"),
    ("cron(60 10 * * ? *)", "minutes value 60 is out of range 0-59"),
    ("cron(0 24 * * ? *)", "hours value 24 is out of range 0-23"),
    ("cron(0 10 0 * ? *)", "day-of-month value 0 is out of range 1-31"),
    ("cron(0 10 32 * ? *)", "day-of-month value 32 is out of range 1-31"),
    ("cron(0 10 * 13 ? *)", "month value 13 is out of range 1-12"),
    ("cron(0 10 ? * 0 *)", "day-of-week value 0 is out of range 1-7"),
    ("cron(0 10 ? * 8 *)", "day-of-week value 8 is out of range 1-7"),
    ("cron(0 10 * * ?)", "expected 6 fields cron(Minutes Hours Day-of-month Month Day-of-week"),
    ("cron(0 0 10 * * ? *)", "got 7 (AWS cron has no seconds field)"),
    ("cron(0 10 * * ? 2200)", "year value 2200 is out of range 1970-2199"),
    ("cron(0 10 * * ? 1969)", "year value 1969 is out of range 1970-2199"),
    ("cron(? 10 * * ? *)", "'?' is only allowed in the day-of-month and day-of-week fields"),
    ("cron(0 ? * * ? *)", "not in hours"),
    ("cron(0 10 ? * 1,? *)", "'?' must be the whole day-of-week field"),
    ("cron(0 10 ? * 2/2 *)", "'/' is not allowed in the day-of-week field (it takes , - * ? L #)"),
    ("cron(0 10 1#2 * ? *)", "'#' is not allowed in the day-of-month field"),
    ("cron(L 10 * * ? *)", "'L' is only allowed in the day-of-month and day-of-week fields"),
    ("cron(0 10 * * ? 2024W)", "'W' is only allowed in the day-of-month field, not in year"),
    ("cron(0 10 ? * 3#1,6#3 *)", "single n#k expression (AWS: '3#1,6#3' is invalid)"),
    ("cron(0 10 ? * 2#6 *)", "asks for occurrence 6; a month has occurrences 1-5"),
    ("cron(0 10 ? * 2#0 *)", "asks for occurrence 0"),
    ("cron(0 10 ? * 2L,4 *)", "'L' stands alone (Saturday) or after one weekday"),
    ("cron(0 10 1W,15 * ? *)", "'L' and 'W' stand alone as L, LW, L-n or nW"),
    ("cron(0 10 1-5W * ? *)", "cannot be combined with lists, ranges or increments"),
    ("cron(0 10 32W * ? *)", "day-of-month value 32 is out of range 1-31"),
    ("cron(0 10 L-31 * ? *)", "must be 1-30 days before the last day"),
    ("cron(0/0 10 * * ? *)", "increment 0 in '0/0' is out of range 1-59"),
    ("cron(0/60 10 * * ? *)", "increment 60 in '0/60' is out of range 1-59"),
    ("cron(0/x 10 * * ? *)", "the increment after '/' in '0/X' (minutes) must be a number"),
    ("cron(0 10 * * ? 2030-2025)", "the year range '2030-2025' runs backwards"),
    ("cron(0 10 * FOO ? *)", "'FOO' in 'FOO' is not a valid month value"),
    ("cron(0 10 ? * MONDAY *)", "is not a valid day-of-week value"),
    ("cron(0 10 * JAN ? MON)", "'MON' in 'MON' is not a valid year value"),
    ("cron(1,,2 10 * * ? *)", "empty list element in the minutes field"),
    ("cron(*,5 10 * * ? *)", "'*' cannot be combined with other values in the minutes field"),
    ("cron(0 10 * * ? *)x", "is not a schedule expression"),
    ("Cron(0 10 * * ? *)", "is not a schedule expression"),
    ("0 10 * * ? *", "is not a schedule expression"),
    ("", "is not a schedule expression"),
    ("at(2024-02-30T10:00:00)", "not a real date and time"),
    ("at(2024-01-01 10:00:00)", "a one-time schedule is written at(yyyy-mm-ddThh:mm:ss)"),
    ("at(2024-01-01T10:00)", "a one-time schedule is written at(yyyy-mm-ddThh:mm:ss)"),
]


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_expressions_say_exactly_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ScheduleExpressionError) as caught:
        parse_expression(text)
    assert message in caught.value.message


def test_both_day_fields_set_comes_with_a_hint() -> None:
    with pytest.raises(ScheduleExpressionError) as caught:
        parse_expression("cron(0 10 * * * *)")
    assert caught.value.hint is not None
    assert "cron(0 10 * * ? *)" in caught.value.hint


@pytest.mark.parametrize(
    ("lenient", "strict"),
    [
        # Names and L/W are case-insensitive, as in AWS (and Quartz, which it follows).
        ("cron(0 18 ? * mon-fri *)", "cron(0 18 ? * MON-FRI *)"),
        ("cron(0 18 ? jan,Feb 2#1 *)", "cron(0 18 ? JAN,FEB 2#1 *)"),
        ("cron(0 12 lw * ? *)", "cron(0 12 LW * ? *)"),
        ("cron(0 12 ? * fri#2 *)", "cron(0 12 ? * 6#2 *)"),
        ("cron(0 12 ? * 6l *)", "cron(0 12 ? * 6L *)"),
        # Fields are separated by white space, however much.
        ("cron(0  10\t*  * ? *)", "cron(0 10 * * ? *)"),
        ("cron(*/15 * * * ? *)", "cron(0/15 * * * ? *)"),
        ("cron(0 8-17/3 * * ? *)", "cron(0 8,11,14,17 * * ? *)"),
        # A value with a step runs to the end of the field.
        ("cron(50/5 * * * ? *)", "cron(50,55 * * * ? *)"),
    ],
)
def test_equivalent_spellings_fire_identically(lenient: str, strict: str) -> None:
    after = utc(2024, 1, 1)
    assert cron(lenient).next_firings(after, count=20) == cron(strict).next_firings(after, count=20)


def test_descending_ranges_wrap_around_like_quartz() -> None:
    assert cron("cron(0 22-2 * * ? *)").hours == (0, 1, 2, 22, 23)
    weekend = cron("cron(0 10 ? * FRI-MON *)")
    fired = weekend.next_firings(utc(2024, 1, 1, 12), count=4)  # after Monday's 10:00
    assert [moment.strftime("%a") for moment in fired] == ["Fri", "Sat", "Sun", "Mon"]


# --- day-of-month and day-of-week traps ---------------------------------------------------------


def days_in(text: str, year: int, month: int) -> list[int]:
    expression = cron(text)
    return [
        day
        for day in range(1, 32)
        if _valid(year, month, day) and expression.matches_date(date(year, month, day))
    ]


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def test_day_of_week_numbers_start_at_sunday() -> None:
    weekdays = cron("cron(0/5 * ? * 2-6 *)")
    week = [date(2024, 1, day) for day in range(1, 8)]  # Monday 1 .. Sunday 7 January 2024
    assert [weekdays.matches_date(day) for day in week] == [True] * 5 + [False] * 2
    names = cron("cron(0/5 * ? * MON-FRI *)")
    assert all(weekdays.matches_date(day) == names.matches_date(day) for day in week)
    assert [cron("cron(0 0 ? * 1 *)").matches_date(day) for day in week] == [False] * 6 + [True]


def test_l_is_the_last_day_of_the_month() -> None:
    assert days_in("cron(0 12 L * ? *)", 2024, 2) == [29]
    assert days_in("cron(0 12 L * ? *)", 2023, 2) == [28]
    assert days_in("cron(0 12 L * ? *)", 2024, 4) == [30]
    assert days_in("cron(0 12 L-3 * ? *)", 2024, 2) == [26]


def test_lw_is_the_last_weekday_of_the_month() -> None:
    assert days_in("cron(0 12 LW * ? *)", 2024, 1) == [31]  # Wednesday
    assert days_in("cron(0 12 LW * ? *)", 2024, 8) == [30]  # the 31st is a Saturday
    assert days_in("cron(0 12 LW * ? *)", 2024, 3) == [29]  # the 31st is a Sunday


def test_nw_is_the_nearest_weekday_without_leaving_the_month() -> None:
    assert days_in("cron(0 12 15W * ? *)", 2024, 1) == [15]  # Monday
    assert days_in("cron(0 12 15W * ? *)", 2024, 6) == [14]  # Saturday -> Friday
    assert days_in("cron(0 12 15W * ? *)", 2024, 9) == [16]  # Sunday -> Monday
    assert days_in("cron(0 12 1W * ? *)", 2024, 6) == [3]  # Saturday the 1st -> Monday the 3rd
    assert days_in("cron(0 12 1W * ? *)", 2024, 9) == [2]  # Sunday the 1st -> Monday
    assert days_in("cron(0 12 30W * ? *)", 2024, 6) == [28]  # Sunday the 30th, last day -> Fri
    assert days_in("cron(0 12 31W * ? *)", 2024, 8) == [30]  # Saturday the 31st -> Friday
    assert days_in("cron(0 12 31W * ? *)", 2024, 3) == [29]  # Sunday the 31st -> Friday
    assert days_in("cron(0 12 31W * ? *)", 2024, 4) == []  # no 31st: no firing at all


def test_nl_is_the_last_given_weekday_of_the_month() -> None:
    assert days_in("cron(0 12 ? * 6L *)", 2024, 1) == [26]
    assert days_in("cron(0 12 ? * 6L *)", 2024, 2) == [23]
    assert days_in("cron(0 12 ? * FRIL *)", 2024, 3) == [29]
    # Alone, L is the last day of the week: every Saturday.
    assert days_in("cron(0 12 ? * L *)", 2024, 1) == [6, 13, 20, 27]


def test_hash_is_the_nth_weekday_and_skips_months_without_it() -> None:
    assert days_in("cron(0 9 ? * 2#1 *)", 2024, 1) == [1]
    assert days_in("cron(0 9 ? * 3#2 *)", 2024, 1) == [9]  # AWS: 3#2 is the second Tuesday
    fifth_thursdays = next3("cron(0 12 ? * 5#5 *)", utc(2024, 1, 1))
    assert fifth_thursdays == [utc(2024, 2, 29, 12), utc(2024, 5, 30, 12), utc(2024, 8, 29, 12)]
    assert days_in("cron(0 12 ? * 5#5 *)", 2024, 1) == []


def test_month_year_and_step_fields_restrict_dates() -> None:
    quarterly = cron("cron(0 6 1 1/3 ? 2025-2026)")
    fired = quarterly.next_firings(utc(2024, 6, 1), count=10)
    assert fired == [utc(year, month, 1, 6) for year in (2025, 2026) for month in (1, 4, 7, 10)]
    assert days_in("cron(0 0 1/10 * ? *)", 2024, 1) == [1, 11, 21, 31]


# --- time zones and daylight saving ---------------------------------------------------------


def test_scheduler_skips_a_time_that_does_not_exist_in_spring() -> None:
    # 2024-03-10: New York clocks jump from 02:00 to 03:00; 02:30 never happens that night.
    fired = next3("cron(30 2 * * ? *)", utc(2024, 3, 9), "America/New_York")
    assert fired == [utc(2024, 3, 9, 7, 30), utc(2024, 3, 11, 6, 30), utc(2024, 3, 12, 6, 30)]


def test_scheduler_fires_once_at_the_first_occurrence_in_autumn() -> None:
    # 2024-11-03: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST); it fires once.
    fired = next3("cron(30 1 * * ? *)", utc(2024, 11, 2, 12), "America/New_York")
    assert fired == [utc(2024, 11, 3, 5, 30), utc(2024, 11, 4, 6, 30), utc(2024, 11, 5, 6, 30)]
    # 02:30 exists once that night, in EST.
    assert next3("cron(30 2 * * ? *)", utc(2024, 11, 3), "America/New_York")[0] == utc(
        2024, 11, 3, 7, 30
    )


def test_a_sub_hourly_schedule_does_not_repeat_the_autumn_hour() -> None:
    fired = cron("cron(0/20 0-3 * * ? *)").next_firings(
        utc(2024, 11, 3, 3, 59), "America/New_York", count=9
    )
    assert [moment.strftime("%H:%M") for moment in fired] == [
        "04:00",
        "04:20",
        "04:40",
        "05:00",
        "05:20",
        "05:40",  # 00:00-01:40 EDT
        "07:00",
        "07:20",
        "07:40",  # 02:00 EST: the repeated 01:xx EST is not run again
    ]


def test_local_dates_decide_day_fields_in_the_schedule_zone() -> None:
    # 23:30 in Tokyo on a Monday is 14:30Z that same Monday; 00:30 Tuesday is Monday 15:30Z.
    fired = next3("cron(30 0 ? * TUE *)", utc(2024, 1, 1), "Asia/Tokyo")
    assert fired == [utc(2024, 1, 1, 15, 30), utc(2024, 1, 8, 15, 30), utc(2024, 1, 15, 15, 30)]


def test_europe_berlin_follows_its_own_transition_dates() -> None:
    # Berlin moves on 2024-03-31 (last Sunday), three weeks after New York.
    fired = next3("cron(0 9 ? * FRI,MON *)", utc(2024, 3, 29), "Europe/Berlin")
    assert fired == [utc(2024, 3, 29, 8), utc(2024, 4, 1, 7), utc(2024, 4, 5, 7)]


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../etc/passwd", "", "utc "])
def test_an_unknown_time_zone_is_a_schedule_error(zone: str) -> None:
    with pytest.raises(ScheduleExpressionError, match="unknown time zone"):
        cron("cron(0 10 * * ? *)").next_firings(utc(2024, 1, 1), zone)


# --- weekly windows --------------------------------------------------------------------------

WEEKDAYS = frozenset({1, 2, 3, 4, 5})


def test_weekly_window_in_utc() -> None:
    intervals = weekly_intervals(
        "UTC", [(WEEKDAYS, 8 * 60, 18 * 60)], utc(2024, 1, 1), utc(2024, 1, 8)
    )
    assert intervals == [(utc(2024, 1, day, 8), utc(2024, 1, day, 18)) for day in range(1, 6)]


def test_weekly_window_is_clipped_to_the_horizon() -> None:
    intervals = weekly_intervals(
        "UTC", [(WEEKDAYS, 8 * 60, 18 * 60)], utc(2024, 1, 1, 12), utc(2024, 1, 2, 9)
    )
    assert intervals == [
        (utc(2024, 1, 1, 12), utc(2024, 1, 1, 18)),
        (utc(2024, 1, 2, 8), utc(2024, 1, 2, 9)),
    ]


def test_overnight_window_runs_into_the_next_day() -> None:
    friday_night = weekly_intervals(
        "UTC", [(frozenset({5}), 22 * 60, 6 * 60)], utc(2024, 1, 1), utc(2024, 1, 8)
    )
    assert friday_night == [(utc(2024, 1, 5, 22), utc(2024, 1, 6, 6))]


def test_whole_days_merge_into_one_interval() -> None:
    every_day = frozenset(range(1, 8))
    for entry in [(every_day, 0, 1440), (every_day, 0, 0), (every_day, 600, 600)]:
        assert weekly_intervals("Europe/Berlin", [entry], utc(2024, 3, 1), utc(2024, 4, 1)) == [
            (utc(2024, 3, 1), utc(2024, 4, 1))
        ]


def test_weekly_window_follows_daylight_saving() -> None:
    intervals = weekly_intervals(
        "Europe/Berlin", [(frozenset({1, 5}), 8 * 60, 18 * 60)], utc(2024, 3, 29), utc(2024, 4, 2)
    )
    assert intervals == [
        (utc(2024, 3, 29, 7), utc(2024, 3, 29, 17)),
        (utc(2024, 4, 1, 6), utc(2024, 4, 1, 16)),
    ]


def test_window_edges_at_skipped_and_repeated_times() -> None:
    sunday = frozenset({7})
    # 02:30 does not exist on 2024-03-10 in New York: the window opens when the clock jumps.
    spring = weekly_intervals(
        "America/New_York", [(sunday, 150, 240)], utc(2024, 3, 10), utc(2024, 3, 11)
    )
    assert spring == [(utc(2024, 3, 10, 7), utc(2024, 3, 10, 8))]
    # 01:30 happens twice on 2024-11-03: a window ending then lasts until the second one.
    autumn = weekly_intervals(
        "America/New_York", [(sunday, 0, 90)], utc(2024, 11, 3), utc(2024, 11, 4)
    )
    assert autumn == [(utc(2024, 11, 3, 4), utc(2024, 11, 3, 6, 30))]
    # ... and one starting then opens at the first.
    opening = weekly_intervals(
        "America/New_York", [(sunday, 90, 180)], utc(2024, 11, 3), utc(2024, 11, 4)
    )
    assert opening == [(utc(2024, 11, 3, 5, 30), utc(2024, 11, 3, 8))]


def test_weekly_window_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="ISO numbers"):
        weekly_intervals("UTC", [(frozenset({0}), 0, 60)], utc(2024, 1, 1), utc(2024, 1, 2))
    with pytest.raises(ValueError, match="out of range"):
        weekly_intervals("UTC", [(WEEKDAYS, 0, 1441)], utc(2024, 1, 1), utc(2024, 1, 2))
    with pytest.raises(ScheduleExpressionError, match="unknown time zone"):
        weekly_intervals("Nowhere/Land", [(WEEKDAYS, 0, 60)], utc(2024, 1, 1), utc(2024, 1, 2))
    assert weekly_intervals("UTC", [(WEEKDAYS, 0, 60)], utc(2024, 1, 2), utc(2024, 1, 1)) == []
