"""The schedule engine's expected firings over an evidence window (WARM015's "due")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from checker.domain.schedule import CronExpression, FiringSource, expected_firings, parse_expression

END = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def brute_force(source: FiringSource, start: datetime, end: datetime) -> int:
    """Walk next_firings one by one: slow, obviously right."""
    parsed = parse_expression(source.expression)
    assert isinstance(parsed, CronExpression)
    count, cursor = 0, start
    while True:
        [moment] = parsed.next_firings(cursor, source.timezone, 1)
        if moment > end:
            return count
        count, cursor = count + 1, moment


def test_rate_counts_whole_periods_only() -> None:
    assert expected_firings(FiringSource("rate(5 minutes)"), END - DAY, END) == 288
    assert expected_firings(FiringSource("rate(7 minutes)"), END - DAY, END) == 205  # not 205.7
    assert expected_firings(FiringSource("rate(1 day)"), END - timedelta(hours=23), END) == 0


def test_cron_counts_firings_in_the_half_open_window() -> None:
    assert expected_firings(FiringSource("cron(0/5 * * * ? *)"), END - DAY, END) == 288
    weekdays = FiringSource("cron(0/15 8-17 ? * MON-FRI *)")
    # Sun 12:00 .. Mon 12:00 UTC: Monday 08:00-11:45 (16) and 12:00 itself.
    assert expected_firings(weekdays, END - DAY, END) == 17


@pytest.mark.parametrize(
    ("expression", "zone", "end"),
    [
        ("cron(0/10 * * * ? *)", "America/New_York", datetime(2026, 3, 9, 0, 0, tzinfo=UTC)),
        ("cron(30 1-3 * * ? *)", "America/New_York", datetime(2026, 11, 3, 0, 0, tzinfo=UTC)),
        ("cron(0/5 6-20 ? * MON-FRI *)", "Europe/Berlin", datetime(2026, 3, 31, 0, 0, tzinfo=UTC)),
        ("cron(15 2 * * ? *)", "Europe/Berlin", datetime(2026, 3, 30, 0, 0, tzinfo=UTC)),
    ],
)
def test_cron_across_daylight_saving_changes_matches_walking_the_schedule(
    expression: str, zone: str, end: datetime
) -> None:
    source = FiringSource(expression, zone)
    start = end - timedelta(days=4)
    assert expected_firings(source, start, end) == brute_force(source, start, end)


def test_spring_forward_skips_the_missing_local_hour() -> None:
    # 2026-03-08 02:00-03:00 does not exist in New York: a 02:30 daily schedule does not fire.
    source = FiringSource("cron(30 2 * * ? *)", "America/New_York")
    end = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
    assert expected_firings(source, end - timedelta(days=3), end) == 2


def test_a_schedules_start_and_end_dates_clip_the_window() -> None:
    source = FiringSource(
        "rate(10 minutes)", start=END - timedelta(hours=2), end=END - timedelta(hours=1)
    )
    assert expected_firings(source, END - DAY, END) == 6


def test_a_flexible_window_leaves_out_its_last_stretch() -> None:
    plain = FiringSource("cron(0/5 * * * ? *)")
    flexible = FiringSource("cron(0/5 * * * ? *)", flexible_window_minutes=15)
    assert expected_firings(plain, END - DAY, END) - expected_firings(flexible, END - DAY, END) == 3
