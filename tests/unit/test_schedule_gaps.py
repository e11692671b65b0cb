"""worst_gap: unions, windows, flexible windows, rate sources, active dates, daylight saving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from checker.domain.schedule import (
    FiringSource,
    Gap,
    ScheduleMemory,
    expected_firings,
    weekly_intervals,
    worst_gap,
)
from checker.errors import ScheduleExpressionError

MINUTE = 60
HOUR = 3600
DAY = 86400
MONDAY = datetime(2024, 1, 1, tzinfo=UTC)  # 1 January 2024 is a Monday
WEEKDAYS = frozenset({1, 2, 3, 4, 5})


def at(days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    return MONDAY + timedelta(days=days, hours=hours, minutes=minutes)


def gap(
    *sources: FiringSource, days: int = 7, window: list[tuple[datetime, datetime]] | None = None
) -> Gap:
    return worst_gap(sources, window, MONDAY, at(days))


def test_one_cron_every_five_minutes() -> None:
    assert gap(FiringSource("cron(0/5 * * * ? *)")) == Gap(300, at(), at(minutes=5), True)


def test_two_crons_offset_by_five_minutes_halve_the_gap() -> None:
    even = FiringSource("cron(0/10 * * * ? *)")
    odd = FiringSource("cron(5/10 * * * ? *)")
    assert gap(even).seconds == 600
    assert gap(odd).seconds == 600
    assert gap(even, odd) == Gap(300, at(), at(minutes=5), True)


def test_weekday_only_cron_leaves_the_weekend_uncovered() -> None:
    result = gap(FiringSource("cron(0/5 * ? * MON-FRI *)"), days=14)
    # Friday 23:55 to Monday 00:00.
    assert result == Gap(2 * DAY + 5 * MINUTE, at(4, 23, 55), at(7), True)


def test_a_window_opening_before_the_first_firing() -> None:
    window = weekly_intervals("UTC", [(WEEKDAYS, 8 * 60, 18 * 60)], MONDAY, at(7))
    result = gap(FiringSource("cron(0/5 9-17 ? * MON-FRI *)"), window=window)
    # Opening at 08:00, first warm call at 09:00; the last (17:55) is 5 minutes before closing.
    assert result == Gap(HOUR, at(0, 8), at(0, 9), True)


def test_the_time_after_the_last_firing_counts_up_to_the_closing() -> None:
    window = weekly_intervals("UTC", [(WEEKDAYS, 8 * 60, 18 * 60)], MONDAY, at(7))
    result = gap(FiringSource("cron(0/5 8-16 ? * MON-FRI *)"), window=window)
    assert result == Gap(HOUR + 5 * MINUTE, at(0, 16, 55), at(0, 18), True)


def test_only_time_inside_the_window_counts() -> None:
    window = weekly_intervals("UTC", [(WEEKDAYS, 8 * 60, 18 * 60)], MONDAY, at(14))
    weekdays_only = FiringSource("cron(0/5 8-17 ? * MON-FRI *)")
    assert gap(weekdays_only, days=14, window=window).seconds == 300
    assert gap(weekdays_only, days=14).seconds > 2 * DAY


def test_utc_rule_against_a_business_window_that_moves_with_daylight_saving() -> None:
    start, end = datetime(2024, 3, 18, tzinfo=UTC), datetime(2024, 4, 6, tzinfo=UTC)
    berlin = weekly_intervals("Europe/Berlin", [(WEEKDAYS, 8 * 60, 18 * 60)], start, end)
    rule = FiringSource("cron(0/5 7-16 ? * MON-FRI *)")  # 08:00-17:55 in Berlin's winter
    result = worst_gap([rule], berlin, start, end)
    # From 1 April Berlin opens at 06:00Z and the rule still starts at 07:00Z.
    assert result == Gap(
        HOUR, datetime(2024, 4, 1, 6, tzinfo=UTC), datetime(2024, 4, 1, 7, tzinfo=UTC), True
    )


def test_window_crossing_midnight() -> None:
    night = weekly_intervals("UTC", [(frozenset(range(1, 8)), 22 * 60, 2 * 60)], MONDAY, at(7))
    around_midnight = FiringSource("cron(0/5 0-1,22-23 * * ? *)")
    # 23:55 -> 00:00 is inside the same window interval: no gap at midnight.
    assert gap(around_midnight, window=night).seconds == 300
    evening_only = FiringSource("cron(0/5 22-23 * * ? *)")
    # The last call at 23:55 has to last until the window closes at 02:00.
    assert gap(evening_only, window=night) == Gap(
        2 * HOUR + 5 * MINUTE, at(0, 23, 55), at(1, 2), True
    )


def test_a_window_interval_without_firings_counts_whole() -> None:
    weekend = weekly_intervals("UTC", [(frozenset({6, 7}), 9 * 60, 17 * 60)], MONDAY, at(7))
    result = gap(FiringSource("cron(0/5 * ? * MON-FRI *)"), window=weekend)
    assert result == Gap(8 * HOUR, at(5, 9), at(5, 17), True)


def test_gaps_in_different_window_intervals_are_independent() -> None:
    window = [(at(0, 9), at(0, 10)), (at(0, 11), at(0, 12))]
    # One call at 09:30: the first interval has 30 minutes on each side, the second nothing.
    result = gap(FiringSource("cron(30 9 * * ? *)"), window=window)
    assert result == Gap(HOUR, at(0, 11), at(0, 12), True)


def test_ties_report_the_earliest_gap() -> None:
    result = gap(FiringSource("cron(0 0,12 * * ? *)"), days=3)
    assert result == Gap(12 * HOUR, at(), at(0, 12), True)


def test_flexible_window_adds_to_the_gap() -> None:
    flexible = FiringSource("cron(0/5 * * * ? *)", flexible_window_minutes=3)
    assert gap(flexible) == Gap(480, at(), at(minutes=8), False)


def test_flexible_window_delays_the_first_call_after_a_window_opens() -> None:
    window = [(at(0, 9), at(0, 10))]
    flexible = FiringSource("cron(0 * * * ? *)", flexible_window_minutes=15)
    # The 09:00 call may arrive at 09:15; the 10:00 one is outside the window.
    assert gap(flexible, window=window) == Gap(HOUR, at(0, 9), at(0, 10), False)
    sparse = FiringSource("cron(0 0/2 * * ? *)", flexible_window_minutes=15)
    # 09:00 -> 10:15 at the latest; after 10:00 nothing fires before the 10:30 closing.
    result = gap(sparse, window=[(at(0, 9), at(0, 10, 30))])
    assert result == Gap(HOUR + 15 * MINUTE, at(0, 9), at(0, 10, 15), False)
    # The closing gap runs from the nominal time of the last firing (it may be punctual).
    assert gap(sparse, window=[(at(0, 9), at(0, 12))]) == Gap(2 * HOUR, at(0, 10), at(0, 12), False)


def test_a_late_last_firing_is_cut_at_the_closing() -> None:
    flexible = FiringSource("cron(0,50 9 * * ? *)", flexible_window_minutes=60)
    # 09:50 may come at 10:50, but the window closes at 10:30: 09:00 -> 10:30 at worst.
    result = gap(flexible, window=[(at(0, 9), at(0, 10, 30))])
    assert result == Gap(90 * MINUTE, at(0, 9), at(0, 10, 30), False)


def test_a_lazy_source_never_makes_a_union_worse() -> None:
    punctual = FiringSource("cron(0/10 * * * ? *)")
    lazy = FiringSource("cron(5/10 * * * ? *)", flexible_window_minutes=60)
    # The lazy calls may come up to an hour late, but the punctual ones still come every 10.
    assert gap(punctual, lazy).seconds == 600
    assert gap(punctual, lazy).exact is False


def test_rate_alone_bounds_the_gap_by_its_period() -> None:
    assert gap(FiringSource("rate(5 minutes)")) == Gap(300, at(), at(minutes=5), False)
    assert gap(FiringSource("rate(5 minutes)", flexible_window_minutes=2)).seconds == 420
    assert gap(FiringSource("rate(7 days)"), days=3).seconds == 3 * DAY


def test_rate_and_cron_union_is_conservative() -> None:
    hourly = FiringSource("cron(0 * * * ? *)")
    every_ten = FiringSource("rate(10 minutes)")
    # Whatever its phase, the rate guarantees 10 minutes; the cron cannot promise better.
    assert gap(hourly, every_ten) == Gap(600, at(), at(minutes=10), False)
    # Here the cron is the better guarantee, and the rate's unknown phase cannot spoil it.
    assert gap(FiringSource("cron(0/5 * * * ? *)"), FiringSource("rate(1 hour)")).seconds == 300


def test_rate_that_starts_inside_a_gap() -> None:
    daily = FiringSource("cron(0 0 * * ? *)")
    starts_at_five = FiringSource("rate(5 minutes)", start=at(0, 5))
    result = worst_gap([daily, starts_at_five], None, MONDAY, at(0, 10))
    # Its first call may come a full period after it starts: midnight to 05:05.
    assert result == Gap(5 * HOUR + 5 * MINUTE, at(), at(0, 5, 5), False)


def test_rate_that_stops_inside_a_gap() -> None:
    daily = FiringSource("cron(0 0 * * ? *)")
    stops_at_five = FiringSource("rate(5 minutes)", end=at(0, 5))
    result = worst_gap([daily, stops_at_five], None, MONDAY, at(0, 10))
    # Its last call may come a full period before it stops: 04:55 to the end at 10:00.
    assert result == Gap(5 * HOUR + 5 * MINUTE, at(0, 4, 55), at(0, 10), False)


def test_rate_outside_the_horizon_does_nothing() -> None:
    over = FiringSource("rate(1 minute)", end=MONDAY - timedelta(days=1))
    assert gap(over, days=1) == Gap(DAY, at(), at(1), False)


def test_start_and_end_dates_bound_a_cron_source() -> None:
    bounded = FiringSource("cron(0/5 * * * ? *)", start=at(0, 6), end=at(2))
    result = gap(bounded, days=3)
    # It fires from 06:00 on day 0 through 00:00 on day 2 (inclusive), then never again.
    assert result == Gap(DAY, at(2), at(3), True)
    assert gap(bounded, days=2).seconds == 6 * HOUR


def test_no_sources_leave_the_whole_window() -> None:
    assert gap(days=2) == Gap(2 * DAY, at(), at(2), True)
    window = [(at(0, 9), at(0, 17)), (at(1, 9), at(1, 19))]
    assert gap(window=window) == Gap(10 * HOUR, at(1, 9), at(1, 19), True)


def test_one_time_schedules_are_not_warmers() -> None:
    once = FiringSource("at(2024-01-01T12:00:00)")
    assert gap(once, days=1) == Gap(DAY, at(), at(1), True)


def test_an_empty_window_has_no_gap() -> None:
    assert gap(FiringSource("rate(5 minutes)"), window=[]) == Gap(0, None, None, False)
    outside = [(at(-3), at(-2))]
    assert gap(window=outside) == Gap(0, None, None, True)


def test_window_intervals_are_clipped_to_the_horizon() -> None:
    window = [(at(-1), at(0, 1)), (at(6, 23), at(8))]
    result = gap(FiringSource("cron(0 12 * * ? *)"), window=window)
    assert result == Gap(HOUR, at(), at(0, 1), True)


def test_scheduler_cron_in_new_york_skips_the_repeated_autumn_hour() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    end = datetime(2025, 1, 1, tzinfo=UTC)
    schedule = FiringSource("cron(0/5 * * * ? *)", "America/New_York")
    result = worst_gap([schedule], None, start, end)
    # 01:55 EDT (05:55Z) -> 02:00 EST (07:00Z) on 3 November 2024.
    assert result == Gap(
        HOUR + 5 * MINUTE,
        datetime(2024, 11, 3, 5, 55, tzinfo=UTC),
        datetime(2024, 11, 3, 7, tzinfo=UTC),
        True,
    )
    # The same expression as an EventBridge rule is UTC: no DST, no long gap.
    assert worst_gap([FiringSource("cron(0/5 * * * ? *)")], None, start, end).seconds == 300
    # The spring night loses an hour of wall clock but no real time.
    march = worst_gap(
        [schedule], None, datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC)
    )
    assert march.seconds == 300


def test_scheduler_daily_cron_across_a_transition() -> None:
    daily = FiringSource("cron(0 9 * * ? *)", "Europe/Berlin")
    result = worst_gap(
        [daily], None, datetime(2024, 3, 29, 12, tzinfo=UTC), datetime(2024, 4, 2, tzinfo=UTC)
    )
    # 09:00 CET is 08:00Z; from 31 March 09:00 CEST is 07:00Z: that gap is 23 hours, the
    # ones after it a whole day.
    assert result.seconds == DAY
    assert result.start == datetime(2024, 3, 31, 7, tzinfo=UTC)
    gaps = worst_gap(
        [daily],
        [(datetime(2024, 3, 30, 8, tzinfo=UTC), datetime(2024, 3, 31, 7, tzinfo=UTC))],
        datetime(2024, 3, 29, tzinfo=UTC),
        datetime(2024, 4, 2, tzinfo=UTC),
    )
    assert gaps.seconds == 23 * HOUR


def test_bad_sources_and_times_are_rejected() -> None:
    with pytest.raises(ScheduleExpressionError, match="use the plural unit"):
        gap(FiringSource("rate(5 minute)"))
    with pytest.raises(ScheduleExpressionError, match="unknown time zone"):
        gap(FiringSource("cron(0 * * * ? *)", "Atlantis/Capital"))
    with pytest.raises(ScheduleExpressionError, match="flexible window"):
        gap(FiringSource("cron(0 * * * ? *)", flexible_window_minutes=1441))
    with pytest.raises(ValueError, match="aware"):
        worst_gap([], None, datetime(2024, 1, 1), at(1))


def test_a_memory_is_owned_by_its_caller_and_changes_no_answer() -> None:
    berlin = weekly_intervals("Europe/Berlin", [(WEEKDAYS, 8 * 60, 18 * 60)], MONDAY, at(60))
    cases = [
        ([FiringSource("cron(0/5 7-17 ? * MON-FRI *)", "Europe/Berlin")], berlin),
        ([FiringSource("cron(0/10 * * * ? *)"), FiringSource("cron(5/10 * * * ? *)")], None),
        ([FiringSource("cron(0 8 L * ? *)", "America/New_York", 5)], None),
    ]
    fresh = [worst_gap(sources, window, MONDAY, at(60)) for sources, window in cases]
    memory = ScheduleMemory()
    shared = [worst_gap(sources, window, MONDAY, at(60), memory) for sources, window in cases]
    # Asked again in another order, through the same memory: the same gaps.
    again = [worst_gap(s, w, MONDAY, at(60), memory) for s, w in reversed(cases)][::-1]
    assert shared == fresh == again
    # What the searches learnt stayed with the caller.
    assert memory.patterns
    assert memory.day_ids
    first = FiringSource("cron(0/5 * * * ? *)")
    assert expected_firings(first, MONDAY, at(1), memory) == expected_firings(first, MONDAY, at(1))
