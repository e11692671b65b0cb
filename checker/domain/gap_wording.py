"""A gap in words, on the wall clock of a time zone: what WARM003 and `warmcheck schedule` say.

``worst gap 60 min on Mon 2027-03-15 08:00-09:00 America/New_York (daylight saving: clocks
change on 2027-03-14)`` (an en dash between the clock times). Pure: no clock, no printing.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checker.domain.schedule import Gap, readable_duration
from checker.errors import ScheduleExpressionError

_NEAR_OFFSET_CHANGE = timedelta(days=7)
_DASH = "\u2013"  # en dash between two clock times


def zone_info(name: str) -> ZoneInfo:
    """The IANA zone `name`; an unknown one is a ScheduleExpressionError (exit 2)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleExpressionError(
            f"unknown time zone {name!r}",
            hint="use an IANA name such as America/New_York, Europe/Berlin or UTC",
        ) from None


def clock_time(moment: datetime) -> str:
    """``08:00``, or ``08:00:30`` when the seconds are not zero."""
    return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")


def day_and_date(moment: datetime) -> str:
    """``Mon 2027-03-15``."""
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
    info = zone_info(zone)
    start = gap.start.astimezone(info)
    end = gap.end.astimezone(info)
    midnight = time(0, 0)
    if end.date() == start.date():
        text = f"on {day_and_date(start)} {clock_time(start)}{_DASH}{clock_time(end)} {zone}"
    elif end.date() == start.date() + timedelta(days=1) and end.time() == midnight:
        text = f"on {day_and_date(start)} {clock_time(start)}{_DASH}24:00 {zone}"
    else:
        text = (
            f"from {day_and_date(start)} {clock_time(start)} "
            f"to {day_and_date(end)} {clock_time(end)} {zone}"
        )
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
        return f"worst gap {readable_duration(gap.seconds)}, first {when}, and again later"
    return f"worst gap {readable_duration(gap.seconds)} {when}"
