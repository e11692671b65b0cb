"""`warmcheck schedule EXPR`: validate an expression, list its next firings, find its worst gap.

Pure: no printing and no clock (the caller passes `now`). The CLI parses its options with
`parse_window_option`, calls `check_expression` and prints `render_schedule_check`. Errors are
`UsageError` (a bad option) or `ScheduleExpressionError` (an expression or time zone AWS would
reject); both mean exit 2.

`describe_gap` says when a gap happens in the local terms of a zone, so WARM003 can reuse the
wording: ``worst gap 60 min on Mon 2027-03-15 08:00-09:00 America/New_York (daylight saving:
clocks change on 2027-03-14)`` (an en dash between the clock times).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from checker.domain.schedule import (
    HORIZON,
    AtExpression,
    CronExpression,
    FiringSource,
    Gap,
    RateExpression,
    ScheduleMemory,
    format_gap_length,
    parse_expression,
    weekly_intervals,
    worst_gap,
)
from checker.errors import ScheduleExpressionError, UsageError
from checker.model.policy import WeeklyRange, WeeklyWindow

__all__ = [
    "HORIZON",
    "MAX_FLEXIBLE_WINDOW_MINUTES",
    "MAX_NEXT_COUNT",
    "Firing",
    "ScheduleCheck",
    "check_expression",
    "describe_gap",
    "describe_gap_when",
    "format_gap_length",
    "format_window",
    "parse_window_option",
    "render_schedule_check",
]

MAX_NEXT_COUNT = 1000
MAX_FLEXIBLE_WINDOW_MINUTES = 1440  # Scheduler's largest FlexibleTimeWindow.MaximumWindowInMinutes
_NEAR_OFFSET_CHANGE = timedelta(days=7)
_DASH = "\u2013"  # en dash between two clock times

ScheduleKind = Literal["rate", "cron", "at"]
Verdict = Literal["ok", "too-long"]


# --- durations and local times -----------------------------------------------------------------


def _zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleExpressionError(
            f"unknown time zone {name!r}",
            hint="use an IANA name such as America/New_York, Europe/Berlin or UTC",
        ) from None


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")


def _day(moment: datetime) -> str:
    return moment.strftime("%a %Y-%m-%d")


def _offset_change_near(moment: datetime, info: ZoneInfo) -> datetime | None:
    """The UTC-offset change of `info` nearest to `moment` within 7 days either side, if any."""
    low = moment - _NEAR_OFFSET_CHANGE
    steps = [low + timedelta(days=n) for n in range(2 * _NEAR_OFFSET_CHANGE.days + 1)]
    changes: list[datetime] = []
    for before, after in itertools.pairwise(steps):
        if before.astimezone(info).utcoffset() == after.astimezone(info).utcoffset():
            continue
        # Offsets change at most once a day: narrow it down to the second.
        first, last = int(before.timestamp()), int(after.timestamp())
        offset = before.astimezone(info).utcoffset()
        while last - first > 1:
            middle = (first + last) // 2
            if datetime.fromtimestamp(middle, info).utcoffset() == offset:
                first = middle
            else:
                last = middle
        changes.append(datetime.fromtimestamp(last, UTC))
    return min(changes, key=lambda change: abs(change - moment), default=None)


def describe_gap_when(gap: Gap, zone: str) -> str:
    """When the gap happens, on the wall clock of `zone`.

    ``on Mon 2027-03-15 08:00-09:00 America/New_York`` (an en dash between the times) within
    one local day (an end at the next midnight reads 24:00), ``from Fri 2027-03-12 18:00 to
    Mon 2027-03-15 09:00 Europe/Berlin`` across days. `` (daylight saving: clocks change on
    2027-03-14)`` is added when the gap starts within 7 days of a change of the zone's UTC
    offset. Empty for a gap with no position.
    """
    if gap.start is None or gap.end is None:
        return ""
    info = _zone_info(zone)
    start = gap.start.astimezone(info)
    end = gap.end.astimezone(info)
    midnight = time(0, 0)
    if end.date() == start.date():
        text = f"on {_day(start)} {_clock(start)}{_DASH}{_clock(end)} {zone}"
    elif end.date() == start.date() + timedelta(days=1) and end.time() == midnight:
        text = f"on {_day(start)} {_clock(start)}{_DASH}24:00 {zone}"
    else:
        text = f"from {_day(start)} {_clock(start)} to {_day(end)} {_clock(end)} {zone}"
    change = _offset_change_near(gap.start, info)
    if change is not None:
        text += f" (daylight saving: clocks change on {change.astimezone(info).date()})"
    return text


def describe_gap(gap: Gap, zone: str, *, recurs: bool = False) -> str:
    """``worst gap 60 min on Mon 2027-03-15 08:00-09:00 America/New_York``; see
    `describe_gap_when`. `recurs`: the same length happens again later (``first on …, and
    again later``)."""
    if gap.start is None or gap.end is None:
        return "no gap: the window never opens within the horizon"
    when = describe_gap_when(gap, zone)
    if recurs:
        return f"worst gap {format_gap_length(gap.seconds)}, first {when}, and again later"
    return f"worst gap {format_gap_length(gap.seconds)} {when}"


# --- the --window option -------------------------------------------------------------------------

_DAY_NAMES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_TIME_RANGE_AT_END = re.compile(r"([0-9]{1,2}):([0-9]{2})\s*-\s*([0-9]{1,2}):([0-9]{2})\s*$")
_WINDOW_HINT = (
    "write --window always, or days and local times such as 'MON-FRI 08:00-18:00' or "
    "'MON-FRI 08:00-18:00,SAT 09:00-13:00' (the zone comes from --window-timezone)"
)


def _window_error(message: str) -> UsageError:
    return UsageError(f"--window: {message}", _WINDOW_HINT)


def _days_of(text: str, piece: str) -> list[str]:
    """Day items (MON, MON-FRI, FRI-MON) of one range, upper-cased; spaces around '-' allowed."""
    items = re.sub(r"\s*-\s*", "-", text.strip()).upper().split()
    for item in items:
        parts = item.split("-")
        if len(parts) not in (1, 2) or any(part not in _DAY_NAMES for part in parts):
            raise _window_error(
                f"{item!r} in {piece!r} is not a day; expected MON, TUE, WED, THU, FRI, SAT, "
                "SUN or a range such as MON-FRI"
            )
    return items


def _clock_text(hours: str, minutes: str, piece: str, *, edge: str) -> str:
    hour, minute = int(hours), int(minutes)
    text = f"{hour:02d}:{minute:02d}"
    if minute > 59 or hour > 24 or (hour == 24 and minute != 0):
        raise _window_error(f"{edge} time {hours}:{minutes} in {piece!r} is not a time of day")
    if hour == 24 and edge == "start":
        raise _window_error(f"a range cannot start at 24:00 ({piece!r}); use 00:00")
    return text


def parse_window_option(text: str, timezone: str = "UTC") -> WeeklyWindow | None:
    """The ``--window`` option: ``always`` (None) or weekly ranges on the clock of `timezone`.

    Ranges are comma-separated, each days then ``HH:MM-HH:MM``: ``MON-FRI 08:00-18:00,SAT
    09:00-13:00``. An end before the start runs overnight (``22:00-02:00``), ``24:00`` is midnight.
    Days may be listed (``MON,WED,FRI 08:00-12:00``); a range with only times takes the days
    of the range before it (``MON-FRI 08:00-12:00,13:00-18:00``).
    """
    stripped = text.strip()
    if stripped.lower() == "always":
        return None
    if not stripped:
        raise _window_error("empty; expected 'always' or ranges such as 'MON-FRI 08:00-18:00'")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UsageError(
            f"--window: unknown time zone {timezone!r} for the window",
            "use an IANA name such as America/New_York, Europe/Berlin or UTC "
            "(--window-timezone; default: the expression's --timezone)",
        ) from None
    ranges: list[WeeklyRange] = []
    pending: list[str] = []
    previous: list[str] = []
    for raw in stripped.split(","):
        piece = raw.strip()
        if not piece:
            raise _window_error(f"empty range in {stripped!r} (a doubled or trailing comma?)")
        match = _TIME_RANGE_AT_END.search(piece)
        if match is None:
            if any(char.isdigit() for char in piece):
                raise _window_error(
                    f"{piece!r} is not days then a time range HH:MM-HH:MM "
                    "(e.g. 'MON-FRI 08:00-18:00')"
                )
            pending += _days_of(piece, piece)
            continue
        days = pending + _days_of(piece[: match.start()], piece)
        pending = []
        if not days:
            if not previous:
                raise _window_error(
                    f"{piece!r} has no days; start with days, e.g. 'MON-FRI {piece}'"
                )
            days = previous
        start = _clock_text(match[1], match[2], piece, edge="start")
        end = _clock_text(match[3], match[4], piece, edge="end")
        if start == end:
            raise _window_error(
                f"{piece!r} starts and ends at {start}; for a whole day write 00:00-24:00"
            )
        try:
            ranges.append(WeeklyRange(days=days, start=start, end=end))
        except ValidationError as error:  # the policy model agrees with the checks above
            raise _window_error(f"{piece!r}: {error.errors()[0]['msg']}") from None
        previous = days
    if pending:
        raise _window_error(
            f"days {','.join(pending)} have no time range; write e.g. "
            f"'{','.join(pending)} 08:00-18:00'"
        )
    return WeeklyWindow(timezone=timezone, weekly=ranges)


def format_window(window: WeeklyWindow | None) -> str:
    """A window as the --window option writes it, with its zone: ``MON-FRI 08:00-18:00 UTC``."""
    if window is None:
        return "always"
    ranges = ", ".join(f"{','.join(r.days)} {r.start}-{r.end}" for r in window.weekly)
    return f"{ranges} {window.timezone}"


# --- checking an expression --------------------------------------------------------------------


@dataclass(frozen=True)
class Firing:
    """One upcoming firing: the UTC instant and the same instant on the schedule's clock."""

    utc: datetime
    local: datetime


@dataclass(frozen=True)
class ScheduleCheck:
    """What `warmcheck schedule` found for one expression; `render_schedule_check` prints it.

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
    info = _zone_info(timezone)
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
        f"{format_gap_length(flexible_window_minutes * 60)} late)"
        if flexible_window_minutes
        else ""
    )
    kind: ScheduleKind
    if isinstance(parsed, RateExpression):
        kind = "rate"
        description = _describe_rate(parsed, gap, gap_zone, flexible_window_minutes)
        notes.append(
            f"{expression} fires every {format_gap_length(parsed.seconds)} counted from when the "
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
            notes.append(f"{_day(when)} {_clock(when)} {timezone} is in the past: it will not fire")
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
    period = format_gap_length(parsed.seconds)
    if flexible_minutes:
        reach = f"one {period} interval plus a {format_gap_length(flexible_minutes * 60)} flexible "
        reach += "window"
    else:
        reach = f"one {period} interval"
    length = format_gap_length(gap.seconds)
    if gap.seconds >= parsed.seconds + flexible_minutes * 60:
        return f"worst gap {length}: {reach}, at any time"
    return (
        f"worst gap {length}: a whole window opening can pass between two firings "
        f"({reach}), e.g. {describe_gap_when(gap, zone)}"
    )


# --- rendering -----------------------------------------------------------------------------------


def _firing_line(firing: Firing, zone: str) -> str:
    utc = firing.utc.strftime("%Y-%m-%d %H:%M") + " UTC"
    if zone == "UTC":
        return f"  {utc}  ({firing.utc.strftime('%a')})"
    local = firing.utc.astimezone(ZoneInfo(zone))
    return f"  {utc}  ({_clock(local)} {zone}, {local.strftime('%a')})"


def render_schedule_check(check: ScheduleCheck) -> list[str]:
    """The lines `warmcheck schedule` prints, in order."""
    lines = [
        f"{check.expression}: valid {check.kind} expression",
        f"time zone: {check.timezone}",
        f"window: {format_window(check.window)}",
    ]
    if check.flexible_window_minutes:
        lines.append(f"flexible window: {check.flexible_window_minutes} min")
    if check.kind == "rate":
        lines.append("next firings: not knowable (rate() counts from when it was created)")
    elif check.firings:
        count = len(check.firings)
        lines.append(f"next {count} firing{'s' if count != 1 else ''}:")
        lines += [_firing_line(firing, check.display_timezone) for firing in check.firings]
    elif check.next_count:
        lines.append("next firings: none")
    lines.append(
        f"searched one year: {check.now.astimezone(UTC).strftime('%Y-%m-%d %H:%M')} to "
        f"{check.horizon_end.strftime('%Y-%m-%d %H:%M')} UTC"
    )
    lines.append(check.gap_description)
    if check.verdict is not None and check.max_interval_seconds is not None:
        gap = format_gap_length(check.worst_gap.seconds)
        limit = format_gap_length(check.max_interval_seconds)
        if check.verdict == "ok":
            lines.append(f"verdict: ok, worst gap {gap} is within the {limit} allowed")
        else:
            lines.append(f"verdict: too long, worst gap {gap} exceeds the {limit} allowed")
    lines += [f"note: {note}" for note in check.notes]
    return lines
