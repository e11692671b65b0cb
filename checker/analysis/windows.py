"""Stage 3, windows: when each required function must be warm, and the worst gap its warmers
leave inside that window over the horizon.

A policy window (`WarmWindow`: always, a weekly window, or hours of operation) becomes
`WindowIntervals`, UTC intervals from the run's `now` to the end of the horizon. Hours of
operation use Connect's effective hours (overrides applied) where they were read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from checker.analysis.records import (
    AWS_DATA_ERRORS,
    RequiredFunction,
    WarmSource,
    WindowIntervals,
    data_error,
)
from checker.domain.intervals import merge_intervals
from checker.domain.schedule import (
    HORIZON,
    FiringSource,
    Gap,
    ScheduleMemory,
    weekly_intervals,
    worst_gap,
)
from checker.model.policy import HoursOfOperationWindow, WeeklyWindow
from checker.model.snapshot import ConnectInstance, HoursOfOperation

_DAY_NUMBER = {
    "MONDAY": 1,
    "TUESDAY": 2,
    "WEDNESDAY": 3,
    "THURSDAY": 4,
    "FRIDAY": 5,
    "SATURDAY": 6,
    "SUNDAY": 7,
}


class Windows:
    """Window intervals and gaps for one run, each computed once (functions share windows)."""

    def __init__(self, instances: Sequence[ConnectInstance], now: datetime) -> None:
        self.now = now
        self.horizon_end = now + HORIZON
        self._instances = instances
        self._windows: dict[str, WindowIntervals] = {}
        self._gaps: dict[tuple[tuple[FiringSource, ...], str], Gap] = {}
        # What gap searches learn about expressions, for this run's searches only.
        self.memory = ScheduleMemory()

    def intervals(self, required: RequiredFunction) -> WindowIntervals | str:
        """UTC intervals when the function must be warm (None: always), or why unknown."""
        window = required.settings.window
        if window == "always":
            return None
        if isinstance(window, WeeklyWindow):
            cache_key = window.model_dump_json()
            if cache_key not in self._windows:
                ranges = [(r.iso_days, r.start_minute, r.end_minute) for r in window.weekly]
                self._windows[cache_key] = weekly_intervals(
                    window.timezone, ranges, self.now, self.horizon_end
                )
            return self._windows[cache_key]
        assert isinstance(window, HoursOfOperationWindow)
        hours = self.find_hours(window.hours_of_operation, required.instances.values())
        if isinstance(hours, str):
            return hours
        cache_key = hours.arn
        if cache_key not in self._windows:
            try:
                self._windows[cache_key] = self._hours_intervals(hours)
            except AWS_DATA_ERRORS as error:
                return f"hours of operation {hours.arn} cannot be evaluated: {data_error(error)}"
        return self._windows[cache_key]

    def _hours_intervals(self, hours: HoursOfOperation) -> list[tuple[datetime, datetime]]:
        """Open intervals in UTC: Connect's effective hours (overrides applied) where they were
        read, the weekly config elsewhere in the horizon."""
        ranges = [
            (
                frozenset({_DAY_NUMBER[c.day]}),
                c.start.hours * 60 + c.start.minutes,
                c.end.hours * 60 + c.end.minutes,
            )
            for c in hours.config
        ]
        weekly = weekly_intervals(hours.time_zone, ranges, self.now, self.horizon_end)
        if not hours.effective:
            return weekly
        zone = ZoneInfo(hours.time_zone)
        first = min(day.date for day in hours.effective)
        last = max(day.date for day in hours.effective)
        covered_from = _local(datetime.combine(first, time()), zone)
        covered_to = _local(datetime.combine(last + timedelta(days=1), time()), zone)
        intervals = [
            (max(start, self.now), min(end, self.horizon_end))
            for day in hours.effective
            for span in day.hours
            for start, end in [(_local(span.start, zone), _local(span.end, zone))]
            if end > self.now and start < self.horizon_end and end > start
        ]
        for start, end in weekly:
            if start < covered_from:
                intervals.append((start, min(end, covered_from)))
            if end > covered_to:
                intervals.append((max(start, covered_to), end))
        return merge_intervals(intervals)

    def find_hours(self, name: str, instances: Iterable[ConnectInstance]) -> HoursOfOperation | str:
        """The hours of operation a window names, looked up in the function's instances (all
        instances in scope when none calls it), or why they cannot be found."""
        candidates = list(instances) or self._instances
        for instance in candidates:
            if instance.hours_of_operation is None:
                return f"hours of operation of {instance.arn} were not read"
            for hours in instance.hours_of_operation:
                if name in (hours.name, hours.id, hours.arn):
                    return hours
        return f"hours of operation {name!r} were not found in the Connect instance"

    def gap(self, sources: Sequence[WarmSource], window: WindowIntervals) -> Gap:
        """The worst gap the sources' firings leave inside `window` over the horizon."""
        distinct = {s.firing for s in sources if s.firing is not None}
        # Most functions have one warmer: nothing to order, and repr is not cheap.
        firings = tuple(distinct) if len(distinct) < 2 else tuple(sorted(distinct, key=repr))
        cache_key = (firings, repr(window) if window is not None else "always")
        if cache_key not in self._gaps:
            self._gaps[cache_key] = worst_gap(
                firings, window, self.now, self.horizon_end, self.memory
            )
        return self._gaps[cache_key]


def _local(wall_clock: datetime, zone: ZoneInfo) -> datetime:
    """A naive wall-clock time in `zone` as UTC (the first of a repeated hour)."""
    return wall_clock.replace(tzinfo=zone).astimezone(UTC)
