"""What a function's week strip shows, computed without drawing anything.

For one coverage entry: the week [strip_start, strip_start + 7 days) in UTC, the policy window
inside it, every firing of its cron warm sources (each in its own time zone and inside its
active dates), where a flexible window may move those invocations, its rate sources as bands
(a rate's phase is unknown, so it has no instants to draw), and the worst gap where it lies in
that week. `merge_firings` fits firings to a drawing's resolution: one tick per firing, runs of
firings closer together than the resolution merged into one band.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from checker.domain.intervals import clip_intervals, merge_intervals
from checker.domain.schedule import (
    CronExpression,
    FiringSource,
    RateExpression,
    firings_between,
    parse_expression,
    readable_duration,
)
from checker.engine import CoverageEntry
from checker.errors import ScheduleExpressionError

WEEK = timedelta(days=7)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class RateBand:
    """A rate source's active stretch of the week: it fires every period, at an unknown phase."""

    start: datetime
    end: datetime
    expression: str
    period_seconds: int
    flexible_seconds: int = 0

    @property
    def label(self) -> str:
        text = f"every {readable_duration(self.period_seconds)}, phase unknown"
        if self.flexible_seconds:
            text += f", flexible window {readable_duration(self.flexible_seconds)}"
        return text


@dataclass(frozen=True, slots=True)
class Mark:
    """What is drawn for firings: one firing (a tick) or a run merged into a band."""

    start: datetime
    end: datetime
    count: int

    @property
    def is_tick(self) -> bool:
        return self.count == 1


@dataclass(frozen=True, slots=True)
class WeekStrip:
    start: datetime  # Monday 00:00 UTC
    always: bool  # the policy window is the whole week
    window: tuple[Interval, ...]  # inside the week; the whole week when `always`
    firings: tuple[datetime, ...]  # cron invocations in the week, sorted, without repeats
    flexible: tuple[Interval, ...]  # where flexible-window invocations may land, merged
    rate_bands: tuple[RateBand, ...]
    worst_gap: Interval | None  # clipped to the week; None when it lies elsewhere
    # The engine judges from the snapshot on: the week before it is drawn but not evaluated.
    evaluated_from: datetime
    undrawn: tuple[str, ...] = ()  # expressions that have no instants to draw (e.g. at())

    @property
    def end(self) -> datetime:
        return self.start + WEEK

    def seconds_into(self, moment: datetime) -> float:
        """Where `moment` lies in the week, in seconds from Monday 00:00 UTC."""
        return (moment - self.start).total_seconds()

    def marks(self, merge_within: timedelta) -> tuple[Mark, ...]:
        return merge_firings(self.firings, merge_within)


def monday_of(moment: datetime) -> datetime:
    """00:00 UTC on the Monday of the UTC week holding `moment`."""
    utc = moment.astimezone(UTC)
    return (utc - timedelta(days=utc.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)


def week_strip(entry: CoverageEntry, collected_at: datetime) -> WeekStrip:
    """The strip of `entry`: its own week, else the week of `collected_at` (the engine's now)."""
    start = monday_of(entry.strip_start if entry.strip_start is not None else collected_at)
    end = start + WEEK
    always = entry.strip_window is None
    window = (
        ((start, end),)
        if entry.strip_window is None
        else tuple(clip_intervals(entry.strip_window, start, end))
    )
    firings: set[datetime] = set()
    flexible: list[Interval] = []
    bands: list[RateBand] = []
    undrawn: list[str] = []
    for source in entry.firing_sources:
        low, high = _active(source, start, end)
        try:
            parsed = parse_expression(source.expression)
            if isinstance(parsed, CronExpression):
                found = firings_between(parsed, source.timezone, low, high)
            elif isinstance(parsed, RateExpression):
                if low < high:
                    flex = source.flexible_window_minutes * 60
                    bands.append(RateBand(low, high, source.expression, parsed.seconds, flex))
                continue
            else:
                undrawn.append(source.expression)
                continue
        except (ScheduleExpressionError, ValueError, KeyError):
            # The engine already reported the expression or zone; the strip just leaves it out.
            undrawn.append(source.expression)
            continue
        firings.update(found)
        if source.flexible_window_minutes:
            spread = timedelta(minutes=source.flexible_window_minutes)
            flexible.extend((moment, min(moment + spread, end)) for moment in found)
    return WeekStrip(
        start=start,
        always=always,
        window=window,
        firings=tuple(sorted(firings)),
        flexible=tuple(merge_intervals(flexible)),
        rate_bands=tuple(sorted(bands, key=lambda b: (b.start, b.period_seconds, b.expression))),
        worst_gap=_worst_gap(entry, start, end),
        evaluated_from=min(max(start, collected_at.astimezone(UTC)), end),
        undrawn=tuple(sorted(set(undrawn))),
    )


def merge_firings(firings: Sequence[datetime], merge_within: timedelta) -> tuple[Mark, ...]:
    """Ticks for firings, with runs whose neighbours are closer than `merge_within` merged."""
    if merge_within <= timedelta(0):
        raise ValueError("merge_within must be positive")
    marks: list[Mark] = []
    run_start: datetime | None = None
    run_end: datetime | None = None
    count = 0
    for moment in sorted(firings):
        if run_start is not None and run_end is not None and moment - run_end < merge_within:
            run_end, count = moment, count + 1
            continue
        if run_start is not None and run_end is not None:
            marks.append(Mark(run_start, run_end, count))
        run_start, run_end, count = moment, moment, 1
    if run_start is not None and run_end is not None:
        marks.append(Mark(run_start, run_end, count))
    return tuple(marks)


def _active(source: FiringSource, start: datetime, end: datetime) -> Interval:
    """The part of the week inside the source's start/end dates (the end date is inclusive)."""
    low = start if source.start is None else max(start, source.start)
    # Compared before adding: an end date in 9999 would overflow the calendar.
    high = end if source.end is None or source.end >= end else source.end + timedelta(seconds=1)
    return low, high


def _worst_gap(entry: CoverageEntry, start: datetime, end: datetime) -> Interval | None:
    if not entry.worst_gap_seconds or entry.worst_gap_start is None:
        return None
    gap = clip_intervals(
        [
            (
                entry.worst_gap_start,
                entry.worst_gap_start + timedelta(seconds=entry.worst_gap_seconds),
            )
        ],
        start,
        end,
    )
    return gap[0] if gap else None
