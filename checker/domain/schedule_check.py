"""Checking one schedule expression: is it valid, when does it fire next, what is its worst gap.

Pure: no printing and no clock (the caller passes `now`). `warmcheck schedule` (checker/cli/
schedule.py) parses its options, calls `check_expression` and prints the result. Errors are
`UsageError` (an option out of range) or `ScheduleExpressionError` (an expression or time zone
AWS would reject); both mean exit 2. The gap's wording is checker/domain/gap_wording.py, which
WARM003 shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from checker.domain.gap_wording import (
    clock_time,
    day_and_date,
    describe_gap,
    describe_gap_when,
    zone_info,
)
from checker.domain.schedule import (
    HORIZON,
    AtExpression,
    CronExpression,
    FiringSource,
    Gap,
    RateExpression,
    ScheduleMemory,
    parse_expression,
    readable_duration,
    weekly_intervals,
    worst_gap,
)
from checker.errors import UsageError
from checker.model.policy import WeeklyWindow

__all__ = [
    "HORIZON",
    "MAX_FLEXIBLE_WINDOW_MINUTES",
    "MAX_NEXT_COUNT",
    "Firing",
    "ScheduleCheck",
    "check_expression",
]

MAX_NEXT_COUNT = 1000
MAX_FLEXIBLE_WINDOW_MINUTES = 1440  # Scheduler's largest FlexibleTimeWindow.MaximumWindowInMinutes

ScheduleKind = Literal["rate", "cron", "at"]
Verdict = Literal["ok", "too-long"]


# --- checking an expression --------------------------------------------------------------------


@dataclass(frozen=True)
class Firing:
    """One upcoming firing: the UTC instant and the same instant on the schedule's clock."""

    utc: datetime
    local: datetime


@dataclass(frozen=True)
class ScheduleCheck:
    """What `warmcheck schedule` found for one expression; checker/cli/schedule.py prints it.

    `firings` is empty for rate() (its times depend on when it was created) and for an at() in
    the past. `worst_gap` covers [now, horizon_end) inside the window. `verdict` is None unless
    a `max_interval_seconds` was given. `display_timezone` is the zone firings are shown in
    besides UTC: the schedule's own, or the window's for a UTC expression.
    """

    expression: str
    kind: ScheduleKind
    timezone: str
    window: WeeklyWindow | None
    now: datetime
    horizon_end: datetime
    next_count: int
    firings: tuple[Firing, ...]
    worst_gap: Gap
    gap_description: str
    display_timezone: str
    flexible_window_minutes: int = 0
    max_interval_seconds: int | None = None
    verdict: Verdict | None = None
    notes: tuple[str, ...] = ()


def _window_intervals(
    window: WeeklyWindow | None, now: datetime, end: datetime
) -> list[tuple[datetime, datetime]] | None:
    if window is None:
        return None
    ranges = [(r.iso_days, r.start_minute, r.end_minute) for r in window.weekly]
    return weekly_intervals(window.timezone, ranges, now, end)


def _check_options(
    next_count: int, flexible_window_minutes: int, max_interval_seconds: int | None, now: datetime
) -> None:
    if now.tzinfo is None:
        raise ValueError("check_expression needs an aware `now`")
    if not 0 <= next_count <= MAX_NEXT_COUNT:
        raise UsageError(
            f"--next: {next_count} firings is outside 0-{MAX_NEXT_COUNT}",
            "e.g. --next 10",
        )
    if not 0 <= flexible_window_minutes <= MAX_FLEXIBLE_WINDOW_MINUTES:
        raise UsageError(
            f"--flexible-window: {flexible_window_minutes} minutes is outside "
            f"0-{MAX_FLEXIBLE_WINDOW_MINUTES} (EventBridge Scheduler's limit)",
            "e.g. --flexible-window 15 for FlexibleTimeWindow MaximumWindowInMinutes 15",
        )
    if max_interval_seconds is not None and max_interval_seconds <= 0:
        raise UsageError(
            f"--max-interval: must be longer than zero, got {max_interval_seconds} seconds",
            "e.g. --max-interval 5m",
        )


def check_expression(
    expression: str,
    *,
    timezone: str = "UTC",
    window: WeeklyWindow | None,
    next_count: int = 10,
    now: datetime,
    flexible_window_minutes: int = 0,
    max_interval_seconds: int | None = None,
) -> ScheduleCheck:
    """Validate `expression` and work out its next firings and worst gap from `now`.

    `timezone` is the schedule's own (EventBridge Scheduler); EventBridge rules are UTC.
    `window` (None: always) says when warmth counts; `flexible_window_minutes` is Scheduler's
    flexible time window. Raises ScheduleExpressionError for an expression or zone AWS would
    reject, UsageError for an option out of range.
    """
    _check_options(next_count, flexible_window_minutes, max_interval_seconds, now)
    parsed = parse_expression(expression)
    info = zone_info(timezone)
    horizon_end = now + HORIZON
    intervals = _window_intervals(window, now, horizon_end)
    source = FiringSource(expression, timezone, flexible_window_minutes)
    memory = ScheduleMemory()
    gap = worst_gap([source], intervals, now, horizon_end, memory)
    gap_zone = window.timezone if window is not None else timezone
    display = timezone if timezone != "UTC" or window is None else window.timezone
    notes: list[str] = []
    firings: list[Firing] = []
    flexible_note = (
        f" (at most: a flexible window lets each invocation come up to "
        f"{readable_duration(flexible_window_minutes * 60)} late)"
        if flexible_window_minutes
        else ""
    )
    kind: ScheduleKind
    if isinstance(parsed, RateExpression):
        kind = "rate"
        description = _describe_rate(parsed, gap, gap_zone, flexible_window_minutes)
        notes.append(
            f"{expression} fires every {readable_duration(parsed.seconds)} counted from when the "
            "rule or schedule was created: its exact times cannot be known from the expression, "
            "so no next firings are listed"
        )
    elif isinstance(parsed, CronExpression):
        kind = "cron"
        for instant in parsed.next_firings(now, timezone, next_count):
            firings.append(Firing(instant, instant.astimezone(info)))
        recurs = False
        if gap.end is not None and gap.seconds > 0:
            later = worst_gap([source], intervals, gap.end, horizon_end, memory)
            recurs = later.seconds >= gap.seconds
        description = describe_gap(gap, gap_zone, recurs=recurs) + flexible_note
        if len(firings) < next_count:
            remaining = "once more" if len(firings) == 1 else f"{len(firings)} more times"
            notes.append(
                f"it fires only {remaining}: then no date matches its day, month and year fields"
                if firings
                else "it never fires after now: no later date matches its day, month and year "
                "fields"
            )
    else:
        assert isinstance(parsed, AtExpression)
        kind = "at"
        when = parsed.when.replace(tzinfo=info)
        instant = when.astimezone(UTC)
        if instant > now:
            if next_count:
                firings.append(Firing(instant, instant.astimezone(info)))
        else:
            past = f"{day_and_date(when)} {clock_time(when)} {timezone}"
            notes.append(f"{past} is in the past: it will not fire")
        description = (
            describe_gap(gap, gap_zone)
            + ": a one-time at() schedule fires once and keeps nothing warm"
        )
        notes.append(
            "at() is a one-time EventBridge Scheduler schedule (EventBridge rules do not take "
            "it): it is not a warmer; use rate() or cron()"
        )
    if timezone != "UTC" and kind == "cron":
        notes.append(
            f"the time zone {timezone} applies to EventBridge Scheduler schedules only; "
            "EventBridge rules always run in UTC"
        )
    verdict: Verdict | None = None
    if max_interval_seconds is not None:
        verdict = "too-long" if gap.seconds > max_interval_seconds else "ok"
    return ScheduleCheck(
        expression=expression,
        kind=kind,
        timezone=timezone,
        window=window,
        now=now,
        horizon_end=horizon_end,
        next_count=next_count,
        firings=tuple(firings),
        worst_gap=gap,
        gap_description=description,
        display_timezone=display,
        flexible_window_minutes=flexible_window_minutes,
        max_interval_seconds=max_interval_seconds,
        verdict=verdict,
        notes=tuple(notes),
    )


def _describe_rate(parsed: RateExpression, gap: Gap, zone: str, flexible_minutes: int) -> str:
    period = readable_duration(parsed.seconds)
    if flexible_minutes:
        reach = f"one {period} interval plus a {readable_duration(flexible_minutes * 60)} flexible "
        reach += "window"
    else:
        reach = f"one {period} interval"
    length = readable_duration(gap.seconds)
    if gap.seconds >= parsed.seconds + flexible_minutes * 60:
        return f"worst gap {length}: {reach}, at any time"
    return (
        f"worst gap {length}: a whole window opening can pass between two firings "
        f"({reach}), e.g. {describe_gap_when(gap, zone)}"
    )
