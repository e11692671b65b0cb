"""Connect's effective hours of operation: the weekly config with overrides applied, per date.

How the sandbox reads an override (Connect documents the types, not an algorithm): it applies on a
date inside ``EffectiveFrom..EffectiveTill`` whose weekday is one of its ``Config`` days and that
its ``RecurrenceConfig`` (if any) selects. ``STANDARD`` (or no type) replaces the day's hours with
its own, ``OPEN`` adds its hours, ``CLOSED`` removes them. A slice whose end is not after its start
runs to the end of the day, which the API writes as 23:59.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_DAY_END = 24 * 60

Interval = tuple[int, int]


def _minutes(time_slice: Mapping[str, Any]) -> int:
    return int(time_slice.get("Hours", 0)) * 60 + int(time_slice.get("Minutes", 0))


def _slice(start: int, end: int) -> dict[str, dict[str, int]]:
    end = min(end, _DAY_END - 1)
    return {
        "Start": {"Hours": start // 60, "Minutes": start % 60},
        "End": {"Hours": end // 60, "Minutes": end % 60},
    }


def _intervals(config: Sequence[Mapping[str, Any]], weekday: str) -> list[Interval]:
    found = []
    for entry in config:
        if entry.get("Day") != weekday:
            continue
        start, end = _minutes(entry["StartTime"]), _minutes(entry["EndTime"])
        found.append((start, end if end > start else _DAY_END))
    return _merge(found)


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(base: list[Interval], holes: list[Interval]) -> list[Interval]:
    result = base
    for hole_start, hole_end in holes:
        remaining: list[Interval] = []
        for start, end in result:
            if hole_end <= start or hole_start >= end:
                remaining.append((start, end))
                continue
            if start < hole_start:
                remaining.append((start, hole_start))
            if hole_end < end:
                remaining.append((hole_end, end))
        result = remaining
    return result


def _months_between(first: date, second: date) -> int:
    return (second.year - first.year) * 12 + second.month - first.month


def _occurrence(day: date) -> tuple[int, bool]:
    """Which occurrence of its weekday `day` is in its month, and whether it is the last."""
    nth = (day.day - 1) // 7 + 1
    return nth, (day + timedelta(days=7)).month != day.month


def _recurs_on(override: Mapping[str, Any], day: date, start: date) -> bool:
    recurrence = override.get("RecurrenceConfig")
    if not recurrence:
        return True
    pattern = recurrence["RecurrencePattern"]
    interval = int(pattern.get("Interval", 1))
    frequency = pattern.get("Frequency")
    by_month = pattern.get("ByMonth") or []
    by_month_day = pattern.get("ByMonthDay") or []
    by_occurrence = pattern.get("ByWeekdayOccurrence") or []
    if frequency == "WEEKLY":
        week_start = start - timedelta(days=start.weekday())
        return ((day - week_start).days // 7) % interval == 0
    if frequency == "MONTHLY":
        if _months_between(start, day) % interval:
            return False
    elif frequency == "YEARLY":
        if (day.year - start.year) % interval:
            return False
        if by_month and day.month not in by_month:
            return False
    if by_month_day:
        last = (day + timedelta(days=1)).month != day.month
        return day.day in by_month_day or (last and -1 in by_month_day)
    if by_occurrence:
        nth, is_last = _occurrence(day)
        return nth in by_occurrence or (is_last and -1 in by_occurrence)
    return True


def _applies(override: Mapping[str, Any], day: date) -> bool:
    start = date.fromisoformat(override["EffectiveFrom"])
    till = date.fromisoformat(override["EffectiveTill"])
    if not start <= day <= till:
        return False
    weekday = DAYS[day.weekday()]
    if not any(entry.get("Day") == weekday for entry in override.get("Config", [])):
        return False
    return _recurs_on(override, day, start)


def effective_hours(
    config: Sequence[Mapping[str, Any]],
    overrides: Sequence[Mapping[str, Any]],
    first: date,
    last: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``EffectiveHoursOfOperationList`` and ``EffectiveOverrideHoursList`` for first..last."""
    effective: list[dict[str, Any]] = []
    override_days: list[dict[str, Any]] = []
    day = first
    while day <= last:
        weekday = DAYS[day.weekday()]
        hours = _intervals(config, weekday)
        applying = [o for o in overrides if _applies(o, day)]
        # Replacements first, then openings, then closures, whatever the creation order.
        order = {"STANDARD": 0, None: 0, "OPEN": 1, "CLOSED": 2}
        applying.sort(key=lambda o: order.get(o.get("OverrideType"), 0))
        listed: list[dict[str, Any]] = []
        replaced = False
        for override in applying:
            kind = override.get("OverrideType")
            own = _intervals(override.get("Config", []), weekday)
            if kind == "CLOSED":
                hours = _subtract(hours, own)
            elif kind == "OPEN":
                hours = _merge(hours + own)
            else:
                hours = _merge((hours if replaced else []) + own)
                replaced = True
            status = "CLOSED" if kind == "CLOSED" else "OPEN"
            for start, end in own:
                listed.append(
                    {
                        **_slice(start, end),
                        "OverrideName": override["Name"],
                        "OperationalStatus": status,
                    }
                )
        iso = day.isoformat()
        effective.append({"Date": iso, "OperationalHours": [_slice(s, e) for s, e in hours]})
        if listed:
            override_days.append({"Date": iso, "OverrideHours": listed})
        day += timedelta(days=1)
    return effective, override_days
