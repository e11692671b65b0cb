"""Schedule expressions as EventBridge and EventBridge Scheduler read them, and the gaps they leave.

`parse_expression` validates ``rate(...)``, ``cron(...)`` and ``at(...)`` the way AWS does and
says exactly what is wrong. `CronExpression` answers which local dates and minutes it fires on,
and `next_firings` turns that into UTC instants with Scheduler's daylight-saving rules: a local
time that does not exist (spring forward) is skipped, one that occurs twice (fall back) fires
once, at its first occurrence. EventBridge rules are always UTC.

`worst_gap` is the longest time without a warm invocation from a set of sources together, inside
a window of UTC intervals. It never walks minute by minute: a cron fires at the same minutes on
every matching local day, so the engine works on whole UTC days, each described by an interned
"day pattern" (the seconds after UTC midnight at which it fires). Patterns and the per-day work on
them are cached, so a year of 5-minute firings for a thousand functions costs a few thousand
dictionary look-ups, not hundreds of millions of datetime operations.

Time inside this module is integer seconds since the Unix epoch (UTC); a "local second" is the
same count on the wall clock of a time zone. Day index k is the UTC day [k*86400, (k+1)*86400).
"""

from __future__ import annotations

import calendar
import re
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checker.domain.intervals import merge_intervals
from checker.errors import ScheduleExpressionError
from checker.format.escape import shown

HORIZON = timedelta(days=365)
"""How far ahead warmcheck looks for a schedule's worst gap (its check, and Connect's hours)."""

DAY = 86400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_FAR = 1 << 62
_MAX_FLEXIBLE_MINUTES = 1440

__all__ = [
    "HORIZON",
    "AtExpression",
    "CronExpression",
    "DaySpec",
    "FiringSource",
    "Gap",
    "RateExpression",
    "ScheduleMemory",
    "clear_caches",
    "expected_firings",
    "parse_expression",
    "weekly_intervals",
    "worst_gap",
]


# --- expressions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RateExpression:
    """``rate(value unit)``; `unit` is normalised to the singular."""

    text: str
    value: int
    unit: str

    @property
    def seconds(self) -> int:
        return self.value * _RATE_UNIT_SECONDS[self.unit]


@dataclass(frozen=True)
class AtExpression:
    """``at(yyyy-mm-ddThh:mm:ss)``: a one-time Scheduler schedule, in the schedule's time zone."""

    text: str
    when: datetime


@dataclass(frozen=True)
class DaySpec:
    """One day-of-month or day-of-week field other than ``?``.

    kinds: ``values`` (days or AWS weekdays 1=SUN..7=SAT in `values`), ``last`` (DoM ``L`` or
    ``L-n``, n in `n`), ``last_weekday`` (DoM ``LW``), ``nearest_weekday`` (DoM ``nW``),
    ``last_of_month`` (DoW ``nL``, weekday n), ``nth`` (DoW ``n#k``).
    """

    kind: Literal["values", "last", "last_weekday", "nearest_weekday", "last_of_month", "nth"]
    values: frozenset[int] = frozenset()
    n: int = 0
    k: int = 0


@dataclass(frozen=True)
class CronExpression:
    """A parsed ``cron(Minutes Hours Day-of-month Month Day-of-week Year)``.

    Exactly one of `day_of_month` and `day_of_week` is None (the field that is ``?``).
    """

    text: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    day_of_month: DaySpec | None
    months: tuple[int, ...]
    day_of_week: DaySpec | None
    years: tuple[int, ...]
    _seconds: tuple[int, ...] = field(init=False, compare=False, repr=False, default=())
    _year_set: frozenset[int] = field(init=False, compare=False, repr=False, default=frozenset())
    _days: dict[tuple[int, int], frozenset[int]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_seconds", tuple(m * 60 for m in self.minutes_of_day()))
        object.__setattr__(self, "_year_set", frozenset(self.years))

    def minutes_of_day(self) -> tuple[int, ...]:
        """Sorted minutes after local midnight at which it fires on a matching day."""
        return tuple(hour * 60 + minute for hour in self.hours for minute in self.minutes)

    def matches_date(self, day: date) -> bool:
        """Whether it fires on this (local) date: year, month, day-of-month/day-of-week."""
        return day.day in self._days_in_month(day.year, day.month)

    def next_firings(
        self, after: datetime, timezone: str = "UTC", count: int = 10
    ) -> list[datetime]:
        """The next `count` firings strictly after `after`, as aware UTC datetimes."""
        if after.tzinfo is None:
            raise ValueError("next_firings needs an aware datetime")
        zone = _zone(timezone)
        threshold = after.timestamp()
        found: list[datetime] = []
        if count <= 0:
            return found
        # Two days early: the local date of `after` can be a day behind UTC, never two.
        for local_day in self._matching_days(int(threshold // DAY) - 2):
            for instant in _local_day_firings(self, zone, local_day):
                if instant > threshold:
                    found.append(datetime.fromtimestamp(instant, UTC))
                    if len(found) == count:
                        return found
        return found

    def _days_in_month(self, year: int, month: int) -> frozenset[int]:
        key = (year, month)
        cached = self._days.get(key)
        if cached is None:
            cached = self._days[key] = self._compute_days(year, month)
        return cached

    def _compute_days(self, year: int, month: int) -> frozenset[int]:
        if year not in self._year_set or month not in self.months:
            return frozenset()
        length = calendar.monthrange(year, month)[1]
        first_weekday = date(year, month, 1).weekday()

        def aws_weekday(day: int) -> int:
            # Python counts Monday=0; AWS counts SUN=1 .. SAT=7.
            return (first_weekday + day) % 7 + 1

        if self.day_of_month is not None:
            return _dom_days(self.day_of_month, length, aws_weekday)
        assert self.day_of_week is not None
        return _dow_days(self.day_of_week, length, aws_weekday)

    def _day_flags(self, first: int, last: int) -> list[bool]:
        """Whether it fires on each local day index first..last, a month at a time."""
        flags: list[bool] = []
        wanted = last - first + 1
        cursor = date.fromordinal(first + _EPOCH_ORDINAL)
        year, month, day = cursor.year, cursor.month, cursor.day
        while len(flags) < wanted:
            days = self._days_in_month(year, month)
            take = min(calendar.monthrange(year, month)[1] - day + 1, wanted - len(flags))
            flags += [number in days for number in range(day, day + take)]
            day, month = 1, month + 1
            if month == 13:
                year, month = year + 1, 1
        return flags

    def _matching_days(self, from_day: int) -> Iterator[int]:
        """Matching local day indexes from `from_day` on, jumping over whole months and years."""
        start = date.fromordinal(max(from_day, 0) + _EPOCH_ORDINAL)
        for year in self.years:
            if year < start.year:
                continue
            for month in self.months:
                if (year, month) < (start.year, start.month):
                    continue
                for day in sorted(self._days_in_month(year, month)):
                    if (year, month) == (start.year, start.month) and day < start.day:
                        continue
                    yield date(year, month, day).toordinal() - _EPOCH_ORDINAL


def _dom_days(spec: DaySpec, length: int, aws_weekday: Callable[[int], int]) -> frozenset[int]:
    if spec.kind == "values":
        return frozenset(day for day in spec.values if day <= length)
    if spec.kind == "last":
        day = length - spec.n
        return frozenset({day}) if day >= 1 else frozenset()
    if spec.kind == "last_weekday":
        weekday = aws_weekday(length)
        # Saturday (7) steps back one day, Sunday (1) two: still inside the month.
        return frozenset({length - (1 if weekday == 7 else 2 if weekday == 1 else 0)})
    assert spec.kind == "nearest_weekday"
    day = spec.n
    if day > length:
        return frozenset()
    weekday = aws_weekday(day)
    if weekday == 7:
        # Saturday: the Friday before, unless that leaves the month (1st -> Monday the 3rd).
        return frozenset({day - 1 if day > 1 else day + 2})
    if weekday == 1:
        # Sunday: the Monday after, unless that leaves the month (then the Friday before).
        return frozenset({day + 1 if day < length else day - 2})
    return frozenset({day})


def _dow_days(spec: DaySpec, length: int, aws_weekday: Callable[[int], int]) -> frozenset[int]:
    days = range(1, length + 1)
    if spec.kind == "values":
        return frozenset(day for day in days if aws_weekday(day) in spec.values)
    if spec.kind == "last_of_month":
        return frozenset(day for day in days if day > length - 7 and aws_weekday(day) == spec.n)
    assert spec.kind == "nth"
    low, high = (spec.k - 1) * 7, spec.k * 7
    return frozenset(day for day in days if low < day <= high and aws_weekday(day) == spec.n)


# --- parsing --------------------------------------------------------------------------------

_RATE_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": DAY}
_MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_DAY_NAMES = {
    name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)
}
_DIGITS = re.compile(r"[0-9]+")
# rate(999999999 days) is 2.7 million years: anything longer is beyond any horizon.
_MAX_RATE_DIGITS = 9
_AT = re.compile(r"at\(([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\)")


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    wildcards: str
    names: dict[str, int] | None
    max_step: int
    cyclic: bool


# The wildcard column of AWS's cron table (eb-cron-expressions.html); L, W, # and ? are extra.
_FIELDS = (
    _Field("minutes", 0, 59, ", - * /", None, 59, True),
    _Field("hours", 0, 23, ", - * /", None, 23, True),
    _Field("day-of-month", 1, 31, ", - * ? / L W", None, 31, True),
    _Field("month", 1, 12, ", - * /", _MONTH_NAMES, 12, True),
    _Field("day-of-week", 1, 7, ", - * ? L #", _DAY_NAMES, 0, True),
    _Field("year", 1970, 2199, ", - * /", None, 229, False),
)
_FIELD_LAYOUT = "cron(Minutes Hours Day-of-month Month Day-of-week Year)"


def parse_expression(text: str) -> RateExpression | CronExpression | AtExpression:
    """Parse and validate a schedule expression exactly as EventBridge/Scheduler would."""
    return _parse_cached(text)


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> RateExpression | CronExpression | AtExpression:
    if text.startswith("rate(") and text.endswith(")"):
        return _parse_rate(text)
    if text.startswith("cron(") and text.endswith(")"):
        return _parse_cron(text)
    if text.startswith("at(") and text.endswith(")"):
        return _parse_at(text)
    raise ScheduleExpressionError(
        f"{text!r} is not a schedule expression: expected rate(value unit), "
        "cron(Minutes Hours Day-of-month Month Day-of-week Year) or at(yyyy-mm-ddThh:mm:ss)",
        hint="expressions are lower-case and have no spaces outside the parentheses",
    )


def _parse_rate(text: str) -> RateExpression:
    parts = text[5:-1].split()
    if len(parts) != 2:
        raise ScheduleExpressionError(
            f"{text}: a rate expression has two fields, a value and a unit, e.g. rate(5 minutes)"
        )
    value_text, unit = parts
    if not _DIGITS.fullmatch(value_text):
        raise ScheduleExpressionError(
            f"{text}: the value {value_text!r} must be a positive whole number"
        )
    if len(value_text.lstrip("0")) > _MAX_RATE_DIGITS:
        raise ScheduleExpressionError(
            f"rate({value_text[:12]}… {unit}): a value of {len(value_text):,} digits is "
            f"beyond what warmcheck evaluates (at most {_MAX_RATE_DIGITS} digits)"
        )
    value = int(value_text)
    if value == 0:
        raise ScheduleExpressionError(f"{text}: the value must be a positive integer, got 0")
    singular = unit[:-1] if unit.endswith("s") else unit
    if singular not in _RATE_UNIT_SECONDS:
        raise ScheduleExpressionError(
            f"{text}: unknown unit {unit!r}; use minute(s), hour(s) or day(s)"
        )
    if value == 1 and unit != singular:
        raise ScheduleExpressionError(
            f"{text}: use the singular unit {singular!r} when the value is 1"
        )
    if value != 1 and unit == singular:
        raise ScheduleExpressionError(
            f"{text}: use the plural unit {singular + 's'!r} when the value is not 1"
        )
    return RateExpression(text, value, singular)


def _parse_at(text: str) -> AtExpression:
    match = _AT.fullmatch(text)
    if match is None:
        raise ScheduleExpressionError(
            f"{text}: a one-time schedule is written at(yyyy-mm-ddThh:mm:ss)"
        )
    try:
        # Naive on purpose: the time is on the schedule's own wall clock.
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        when = datetime(year, month, day, hour, minute, second)
    except ValueError as error:
        raise ScheduleExpressionError(f"{text}: not a real date and time ({error})") from None
    return AtExpression(text, when)


def _parse_cron(text: str) -> CronExpression:
    fields = text[5:-1].split()
    if len(fields) != 6:
        extra = " (AWS cron has no seconds field)" if len(fields) == 7 else ""
        raise ScheduleExpressionError(
            f"{text}: expected 6 fields {_FIELD_LAYOUT}, got {len(fields)}{extra}"
        )
    upper = [part.upper() for part in fields]
    dom_text, dow_text = upper[2], upper[4]
    if dom_text == "?" and dow_text == "?":
        raise ScheduleExpressionError(
            f"{text}: day-of-month and day-of-week are both '?'; exactly one of them must be '?'"
        )
    if dom_text != "?" and dow_text != "?":
        raise ScheduleExpressionError(
            f"{text}: day-of-month {fields[2]!r} and day-of-week {fields[4]!r} are both set; "
            "AWS requires '?' in one of them",
            hint="e.g. cron(0 10 * * ? *) or cron(0 18 ? * MON-FRI *)",
        )
    minutes = _parse_plain(text, _FIELDS[0], upper[0])
    hours = _parse_plain(text, _FIELDS[1], upper[1])
    months = _parse_plain(text, _FIELDS[3], upper[3])
    years = _parse_plain(text, _FIELDS[5], upper[5])
    day_of_month = None if dom_text == "?" else _parse_dom(text, dom_text)
    day_of_week = None if dow_text == "?" else _parse_dow(text, dow_text)
    return CronExpression(
        text=text,
        minutes=minutes,
        hours=hours,
        day_of_month=day_of_month,
        months=months,
        day_of_week=day_of_week,
        years=years,
    )


def _check_characters(text: str, spec: _Field, value: str) -> None:
    """Reject a wildcard the field does not take (letters are checked as values or L/W/#)."""
    allowed = set(spec.wildcards.replace(" ", ""))
    for char in value:
        if char.isalnum() or char in allowed:
            continue
        if char == "?":
            raise ScheduleExpressionError(
                f"{text}: '?' is only allowed in the day-of-month and day-of-week fields, "
                f"not in {spec.name}"
            )
        raise ScheduleExpressionError(
            f"{text}: {char!r} is not allowed in the {spec.name} field (it takes {spec.wildcards})"
        )


def _parse_plain(text: str, spec: _Field, value: str) -> tuple[int, ...]:
    _check_characters(text, spec, value)
    if spec.names is None and "L" in value:
        raise ScheduleExpressionError(
            f"{text}: 'L' is only allowed in the day-of-month and day-of-week fields, "
            f"not in {spec.name}"
        )
    if spec.names is None and "W" in value:
        raise ScheduleExpressionError(
            f"{text}: 'W' is only allowed in the day-of-month field, not in {spec.name}"
        )
    return tuple(sorted(_parse_list(text, spec, value)))


def _parse_list(text: str, spec: _Field, value: str) -> set[int]:
    items = value.split(",")
    chosen: set[int] = set()
    for item in items:
        if item == "":
            raise ScheduleExpressionError(f"{text}: empty list element in the {spec.name} field")
        if "?" in item:
            raise ScheduleExpressionError(
                f"{text}: '?' must be the whole {spec.name} field, not part of {value!r}"
            )
        if item == "*" and len(items) > 1:
            raise ScheduleExpressionError(
                f"{text}: '*' cannot be combined with other values in the {spec.name} field"
            )
        chosen.update(_parse_item(text, spec, item))
    return chosen


def _parse_item(text: str, spec: _Field, item: str) -> list[int]:
    base, slash, step_text = item.partition("/")
    if slash:
        if not _DIGITS.fullmatch(step_text):
            raise ScheduleExpressionError(
                f"{text}: the increment after '/' in {item!r} ({spec.name}) must be a number"
            )
        step = int(step_text)
        if not 1 <= step <= spec.max_step:
            raise ScheduleExpressionError(
                f"{text}: increment {step} in {item!r} is out of range 1-{spec.max_step} "
                f"for the {spec.name} field"
            )
    else:
        step = 1
    if base == "*":
        sequence = list(range(spec.low, spec.high + 1))
    elif "-" in base:
        first_text, _, last_text = base.partition("-")
        first = _parse_value(text, spec, first_text, item)
        last = _parse_value(text, spec, last_text, item)
        if first <= last:
            sequence = list(range(first, last + 1))
        elif spec.cyclic:
            # A descending range wraps around the field, as in Quartz (22-2 = 22,23,0,1,2).
            sequence = list(range(first, spec.high + 1)) + list(range(spec.low, last + 1))
        else:
            raise ScheduleExpressionError(f"{text}: the {spec.name} range {item!r} runs backwards")
    else:
        first = _parse_value(text, spec, base, item)
        # "a/n" starts at a and steps to the end of the field; a plain "a" is just a.
        sequence = list(range(first, spec.high + 1)) if slash else [first]
    return sequence[::step]


def _parse_value(text: str, spec: _Field, token: str, item: str) -> int:
    if _DIGITS.fullmatch(token):
        number = int(token)
    elif spec.names is not None and token in spec.names:
        number = spec.names[token]
    else:
        kind = " or a name such as " + next(iter(spec.names)) if spec.names else ""
        raise ScheduleExpressionError(
            f"{text}: {token or item!r} in {item!r} is not a valid {spec.name} value "
            f"(expected a number{kind})"
        )
    if not spec.low <= number <= spec.high:
        raise ScheduleExpressionError(
            f"{text}: {spec.name} value {number} is out of range {spec.low}-{spec.high}"
        )
    return number


def _parse_dom(text: str, value: str) -> DaySpec:
    spec = _FIELDS[2]
    _check_characters(text, spec, value)
    if "L" in value or "W" in value:
        if value == "L":
            return DaySpec("last")
        if value == "LW":
            return DaySpec("last_weekday")
        offset = re.fullmatch(r"L-([0-9]+)", value)
        if offset:
            n = int(offset.group(1))
            if not 1 <= n <= 30:
                raise ScheduleExpressionError(
                    f"{text}: the offset in {value!r} must be 1-30 days before the last day"
                )
            return DaySpec("last", n=n)
        nearest = re.fullmatch(r"([0-9]+)W", value)
        if nearest:
            day = _parse_value(text, spec, nearest.group(1), value)
            return DaySpec("nearest_weekday", n=day)
        raise ScheduleExpressionError(
            f"{text}: day-of-month {value!r}: 'L' and 'W' stand alone as L, LW, L-n or nW "
            "(a single day, e.g. 15W) and cannot be combined with lists, ranges or increments"
        )
    return DaySpec("values", frozenset(_parse_list(text, spec, value)))


def _parse_dow(text: str, value: str) -> DaySpec:
    spec = _FIELDS[4]
    _check_characters(text, spec, value)
    if "#" in value:
        if "," in value:
            raise ScheduleExpressionError(
                f"{text}: with '#' the day-of-week field holds a single n#k expression "
                f"(AWS: '3#1,6#3' is invalid), got {value!r}"
            )
        match = re.fullmatch(r"([0-9]+|[A-Z]{3})#([0-9]+)", value)
        if match is None:
            raise ScheduleExpressionError(
                f"{text}: {value!r} is not n#k (weekday 1-7 or SUN-SAT, then # and 1-5)"
            )
        weekday = _parse_value(text, spec, match.group(1), value)
        nth = int(match.group(2))
        if not 1 <= nth <= 5:
            raise ScheduleExpressionError(
                f"{text}: {value!r} asks for occurrence {nth}; a month has occurrences 1-5"
            )
        return DaySpec("nth", n=weekday, k=nth)
    if "L" in value:
        if value == "L":
            # Alone, L is the last day of the week: Saturday (7).
            return DaySpec("values", frozenset({7}))
        match = re.fullmatch(r"([0-9]+|[A-Z]{3})L", value)
        if match is None:
            raise ScheduleExpressionError(
                f"{text}: day-of-week {value!r}: 'L' stands alone (Saturday) or after one "
                "weekday (e.g. 6L, the last Friday of the month), never in a list or range"
            )
        return DaySpec("last_of_month", n=_parse_value(text, spec, match.group(1), value))
    return DaySpec("values", frozenset(_parse_list(text, spec, value)))


# --- time zones -----------------------------------------------------------------------------


class _Zone:
    """A zone's UTC offsets as integer seconds, with its transitions found once per year.

    zoneinfo has no public transition list, so each year is sampled at every UTC midnight and
    each change is narrowed to the second by bisection (one transition per day at most).
    """

    def __init__(self, name: str, info: ZoneInfo) -> None:
        self.name = name
        self._info = info
        self.fixed: int | None = 0 if name in ("UTC", "Etc/UTC") else None
        self._years: dict[int, tuple[int, list[int], list[int]]] = {}
        self._span = (0, 0)
        self._base = 0
        self._times: list[int] = []
        self._after: list[int] = []
        self._day_offsets: dict[tuple[int, int], tuple[int | None, ...]] = {}

    def _raw_offset(self, instant: int) -> int:
        offset = datetime.fromtimestamp(instant, self._info).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def _year(self, year: int) -> tuple[int, list[int], list[int]]:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        begin = calendar.timegm((year, 1, 1, 0, 0, 0))
        finish = calendar.timegm((year + 1, 1, 1, 0, 0, 0))
        base = previous = self._raw_offset(begin)
        times: list[int] = []
        after: list[int] = []
        cursor = begin
        while cursor < finish:
            following = min(cursor + DAY, finish)
            offset = self._raw_offset(following)
            if offset != previous:
                low, high = cursor, following
                while high - low > 1:
                    middle = (low + high) // 2
                    if self._raw_offset(middle) == previous:
                        low = middle
                    else:
                        high = middle
                times.append(high)
                after.append(offset)
                previous = offset
            cursor = following
        result = (base, times, after)
        self._years[year] = result
        return result

    def _cover(self, low: int, high: int) -> None:
        """Make the merged transition list cover [low, high), a year of margin either side."""
        if self._span[0] <= low and high <= self._span[1]:
            return
        if self._span != (0, 0):
            low, high = min(low, self._span[0]), max(high, self._span[1])
        first = time.gmtime(low).tm_year - 1
        last = time.gmtime(high).tm_year + 1
        times: list[int] = []
        after: list[int] = []
        for year in range(first, last + 1):
            _, year_times, year_after = self._year(year)
            times += year_times
            after += year_after
        self._base = self._year(first)[0]
        self._times, self._after = times, after
        self._span = (
            calendar.timegm((first + 1, 1, 1, 0, 0, 0)),
            calendar.timegm((last, 1, 1, 0, 0, 0)),
        )

    def offset_at(self, instant: int) -> int:
        if self.fixed is not None:
            return self.fixed
        if not self._span[0] <= instant < self._span[1]:
            self._cover(instant, instant + 1)
        index = bisect_right(self._times, instant)
        return self._after[index - 1] if index else self._base

    def transitions(self, low: int, high: int) -> list[tuple[int, int, int]]:
        """(instant, offset before, offset after) of each transition in [low, high)."""
        if self.fixed is not None:
            return []
        self._cover(low, high)
        first = bisect_left(self._times, low)
        stop = bisect_left(self._times, high)
        return [
            (self._times[n], self._after[n - 1] if n else self._base, self._after[n])
            for n in range(first, stop)
        ]

    def day_offsets(self, first: int, last: int) -> tuple[int | None, ...]:
        """For UTC days first..last: the offset if days k-1..k+1 have no transition, else None.

        Offsets differ by less than a day, so a wall-clock time whose other reading (skipped or
        repeated) could matter for day k lies within a day of it.
        """
        key = (first, last)
        cached = self._day_offsets.get(key)
        if cached is not None:
            return cached
        offsets: list[int | None] = [self.offset_at(day * DAY) for day in range(first, last + 1)]
        for instant, _, _ in self.transitions((first - 1) * DAY, (last + 2) * DAY):
            near = instant // DAY
            for day in range(max(near - 1, first), min(near + 1, last) + 1):
                offsets[day - first] = None
        result = self._day_offsets[key] = tuple(offsets)
        return result

    def _candidates(self, local: int) -> list[int]:
        # Any UTC instant u with u + offset(u) == local lies within a day of local.
        offsets = {self.offset_at(local - DAY), self.offset_at(local + DAY)}
        return sorted(local - o for o in offsets if self.offset_at(local - o) == o)

    def to_utc(self, local: int) -> int | None:
        """Scheduler's reading of a wall-clock second: None if skipped, else first occurrence."""
        if self.fixed is not None:
            return local - self.fixed
        candidates = self._candidates(local)
        return candidates[0] if candidates else None

    def boundary(self, local: int, *, latest: bool) -> int:
        """A window edge: first (or last) occurrence; a skipped time becomes the jump itself."""
        if self.fixed is not None:
            return local - self.fixed
        candidates = self._candidates(local)
        if candidates:
            return candidates[-1] if latest else candidates[0]
        jump_from = local - self.offset_at(local + DAY)
        following = self.transitions(jump_from, jump_from + DAY)
        return following[0][0] if following else jump_from


def check_zone(name: str) -> None:
    """Raise ScheduleExpressionError unless `name` is a time zone warmcheck can evaluate."""
    _zone(name)


@lru_cache(maxsize=512)
def _zone(name: str) -> _Zone:
    try:
        info = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleExpressionError(
            f"unknown time zone {shown(name, limit=80)!r}",
            hint="use an IANA name such as America/New_York, Europe/Berlin or UTC",
        ) from None
    return _Zone(name, info)


def _local_day_firings(cron: CronExpression, zone: _Zone, local_day: int) -> tuple[int, ...]:
    """UTC instants of a matching local day's firings, with Scheduler's DST rules."""
    base = local_day * DAY
    seconds = cron._seconds
    nearby = zone.transitions(base - DAY, base + 2 * DAY)
    if not nearby:
        shift = base - zone.offset_at(base)
        return tuple([shift + second for second in seconds])
    if len(nearby) == 1:
        instant, before, after = nearby[0]
        # Read with the old offset, seconds before `keep_old` fall before the change: kept (a
        # repeated time fires at this first occurrence). With the new offset, seconds from
        # `new_from` fall after it. Spring forward leaves a hole between the two: skipped.
        keep_old = bisect_left(seconds, instant + before - base)
        new_from = max(bisect_left(seconds, instant + after - base), keep_old)
        return tuple(
            [base - before + second for second in seconds[:keep_old]]
            + [base - after + second for second in seconds[new_from:]]
        )
    return tuple(u for second in seconds if (u := zone.to_utc(base + second)) is not None)


# --- day patterns ---------------------------------------------------------------------------


class ScheduleMemory:
    """What gap searches and firing counts learn about expressions, kept for one evaluation.

    Day patterns, per-day pattern ids, unions of several sources and converted windows repeat
    across the functions of one snapshot (thousands of warmers share a handful of expressions),
    so one evaluation keeps one memory and passes it to every `worst_gap`/`expected_firings`
    call; a call without one gets a fresh memory. Nothing lives at module level, so nothing
    outlives, or leaks between, the runs that built it.
    """

    def __init__(self) -> None:
        self.pattern_ids: dict[tuple[int, ...], int] = {}
        self.patterns: list[tuple[int, ...]] = []
        self.regular_days: dict[tuple[str, int, bool, bool, bool], int | None] = {}
        self.local_days: dict[tuple[str, str, int], tuple[int, ...]] = {}
        self.irregular_days: dict[tuple[str, str, int], int | None] = {}
        self.day_ids: dict[tuple[str, str, int, int], tuple[int | None, ...]] = {}
        self.union_days: dict[tuple[tuple[int, int], ...], _UnionDay] = {}
        self.union_keys: dict[tuple[object, ...], _DayKeys] = {}
        self.windows: dict[tuple[object, ...], list[tuple[int, int]]] = {}
        self.near_transition: dict[tuple[str, int], bool] = {}

    def intern(self, times: tuple[int, ...]) -> int | None:
        """A small integer for a day's firing seconds (None: it does not fire that day)."""
        if not times:
            return None
        found = self.pattern_ids.get(times)
        if found is None:
            found = len(self.patterns)
            self.patterns.append(times)
            self.pattern_ids[times] = found
        return found

    def local_day(self, cron: CronExpression, zone: _Zone, local_day: int) -> tuple[int, ...]:
        key = (cron.text, zone.name, local_day)
        found = self.local_days.get(key)
        if found is None:
            found = self.local_days[key] = _local_day_firings(cron, zone, local_day)
        return found

    def union_day(self, key: tuple[tuple[int, int], ...]) -> _UnionDay:
        found = self.union_days.get(key)
        if found is None:
            found = self.union_days[key] = _UnionDay(key, self.patterns)
        return found


def _cron_day_ids(
    cron: CronExpression, zone: _Zone, first: int, last: int, memory: ScheduleMemory
) -> tuple[int | None, ...]:
    """Pattern id of each UTC day first..last for one cron in one zone (cached per horizon)."""
    key = (cron.text, zone.name, first, last)
    cached = memory.day_ids.get(key)
    if cached is not None:
        return cached
    flags = cron._day_flags(first - 1, last + 1)
    offsets = zone.day_offsets(first, last)
    seconds = cron._seconds
    ids: list[int | None] = []
    neighbours = zip(flags, flags[1:], flags[2:], offsets, strict=False)
    for day, (before, today, after, offset) in enumerate(neighbours, first):
        if not (before or today or after):
            ids.append(None)
            continue
        # Local days day-1..day+1 are the only ones that can fire inside UTC day `day`.
        if offset is not None:
            regular_key = (cron.text, offset, before, today, after)
            if regular_key not in memory.regular_days:
                times: list[int] = []
                for shift, fires in ((-1, before), (0, today), (1, after)):
                    if fires:
                        # Seconds of that local day that land inside this UTC day, in order.
                        move = shift * DAY - offset
                        lo = bisect_left(seconds, -move)
                        hi = bisect_left(seconds, DAY - move)
                        times += [second + move for second in seconds[lo:hi]]
                memory.regular_days[regular_key] = memory.intern(tuple(times))
            ids.append(memory.regular_days[regular_key])
        else:
            irregular_key = (cron.text, zone.name, day)
            if irregular_key not in memory.irregular_days:
                start = day * DAY
                times = []
                for local_day, fires in ((day - 1, before), (day, today), (day + 1, after)):
                    if fires:
                        # Firings are in time order across local days: slice, no sort.
                        instants = memory.local_day(cron, zone, local_day)
                        lo = bisect_left(instants, start)
                        hi = bisect_left(instants, start + DAY)
                        times += [instant - start for instant in instants[lo:hi]]
                memory.irregular_days[irregular_key] = memory.intern(tuple(times))
            ids.append(memory.irregular_days[irregular_key])
    result = tuple(ids)
    memory.day_ids[key] = result
    return result


@dataclass(frozen=True)
class _Portion:
    """What one day contributes to a window interval clipped to [low, high) of that day."""

    first_deadline: int
    last: int
    candidates: tuple[tuple[int, int], ...]


class _UnionDay:
    """The merged firings of several sources on one UTC day, with flexible-window deadlines.

    The latest a firing at `times[j]` can be invoked is its deadline (the smallest flexible window
    among sources firing then); `suffix[j]` is min(deadlines[j:]). The gap after firing j is at
    most suffix[j+1] - times[j]: whatever the delays, some later firing is invoked by then.
    """

    def __init__(
        self, key: tuple[tuple[int, int], ...], patterns: Sequence[tuple[int, ...]]
    ) -> None:
        if len(key) == 1:
            pattern_id, flexible = key[0]
            self.times = list(patterns[pattern_id])
            # One source: deadlines grow with the times, so each is its own suffix minimum.
            suffix = [instant + flexible for instant in self.times]
            suffix.append(_FAR)
        else:
            merged: dict[int, int] = {}
            for pattern_id, flexible in key:
                for instant in patterns[pattern_id]:
                    deadline = instant + flexible
                    if merged.get(instant, _FAR) > deadline:
                        merged[instant] = deadline
            self.times = sorted(merged)
            suffix = [_FAR] * (len(self.times) + 1)
            running = _FAR
            for index in range(len(self.times) - 1, -1, -1):
                deadline = merged[self.times[index]]
                running = deadline if deadline < running else running
                suffix[index] = running
        self.suffix = suffix
        self.gaps = [suffix[j + 1] - self.times[j] for j in range(len(self.times) - 1)]
        self._portions: dict[tuple[int, int, int, int, int], _Portion | None] = {}

    def portion(self, low: int, high: int, clip: int, cap: int, threshold: int) -> _Portion | None:
        key = (low, high, clip, cap, threshold)
        if key in self._portions:
            return self._portions[key]
        first = bisect_left(self.times, low)
        stop = bisect_left(self.times, high)
        result = None
        if first < stop:
            result = _Portion(
                self.suffix[first],
                self.times[stop - 1],
                self._candidates(first, stop, clip, cap, threshold),
            )
        self._portions[key] = result
        return result

    def _candidates(
        self, first: int, stop: int, clip: int, cap: int, threshold: int
    ) -> tuple[tuple[int, int], ...]:
        """Gaps after firings first..stop-2 that could be the worst: (length, start), in order."""
        times = self.times
        if stop - first < 2:
            return ()
        if self.suffix[stop - 1] <= clip:
            # suffix never decreases, so nothing here reaches the clip: use the plain gaps.
            lengths = self.gaps[first : stop - 1]
        else:
            lengths = [min(self.suffix[j + 1], clip) - times[j] for j in range(first, stop - 1)]
        longest = max(lengths)
        chosen = {(longest, times[first + lengths.index(longest)])}
        if longest >= cap:
            reach = next(n for n, length in enumerate(lengths) if length >= cap)
            chosen.add((lengths[reach], times[first + reach]))
        if longest > threshold:
            chosen.update(
                (length, times[first + n]) for n, length in enumerate(lengths) if length > threshold
            )
        return tuple(sorted(chosen, key=lambda item: (item[1], -item[0])))


# --- sources and gaps -------------------------------------------------------------------------


@dataclass(frozen=True)
class FiringSource:
    """A rule or schedule that fires: its expression, zone, flexible window and active dates."""

    expression: str
    timezone: str = "UTC"
    flexible_window_minutes: int = 0
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Gap:
    """The longest stretch without a warm invocation, in seconds, and where it lies (UTC).

    `exact` is False when rate sources (unknown phase) or flexible windows made it an upper bound.
    """

    seconds: int
    start: datetime | None
    end: datetime | None
    exact: bool


@dataclass(frozen=True)
class _CronSource:
    cron: CronExpression
    zone: _Zone
    flexible: int
    low: int | None
    high: int | None


@dataclass(frozen=True)
class _RateSource:
    period: int
    flexible: int
    low: int | None
    high: int | None


def _seconds(moment: datetime, what: str) -> int:
    if moment.tzinfo is None:
        raise ValueError(f"{what} must be an aware datetime")
    return int(moment.timestamp() // 1)


def _classify(
    sources: Sequence[FiringSource],
) -> tuple[list[_CronSource], list[_RateSource], bool]:
    crons: list[_CronSource] = []
    rates: list[_RateSource] = []
    for source in sources:
        parsed = parse_expression(source.expression)
        zone = _zone(source.timezone)
        flexible = source.flexible_window_minutes
        if not 0 <= flexible <= _MAX_FLEXIBLE_MINUTES:
            raise ScheduleExpressionError(
                f"flexible window of {flexible} minutes is outside 0-{_MAX_FLEXIBLE_MINUTES}"
            )
        low = None if source.start is None else _seconds(source.start, "FiringSource.start")
        high = None if source.end is None else _seconds(source.end, "FiringSource.end")
        if isinstance(parsed, CronExpression):
            crons.append(_CronSource(parsed, zone, flexible * 60, low, high))
        elif isinstance(parsed, RateExpression):
            rates.append(_RateSource(parsed.seconds, flexible * 60, low, high))
        # at() fires once: it never keeps anything warm, so it is left out.
    exact = not rates and all(source.flexible == 0 for source in crons)
    return crons, rates, exact


def _window_intervals(
    window: Sequence[tuple[datetime, datetime]] | None,
    low: int,
    high: int,
    memory: ScheduleMemory,
) -> list[tuple[int, int]]:
    """Window intervals as seconds clipped to [low, high); the engine passes one window many
    times, so the conversion is kept on its (hashable) contents."""
    if window is None:
        return [(low, high)] if low < high else []
    key = (tuple(window), low, high)
    found = memory.windows.get(key)
    if found is None:
        found = memory.windows[key] = _converted_window(tuple(window), low, high)
    return found


def _converted_window(
    window: tuple[tuple[datetime, datetime], ...], low: int, high: int
) -> list[tuple[int, int]]:
    clipped = []
    for begin, finish in window:
        begin_s = max(_seconds(begin, "window start"), low)
        finish_s = min(_seconds(finish, "window end"), high)
        if begin_s < finish_s:
            clipped.append((begin_s, finish_s))
    return clipped


_UnionKeys = tuple[tuple[tuple[int, int], ...] | None, ...]


@dataclass(frozen=True)
class _DayKeys:
    """Union pattern key per UTC day; where each run of identical keys ends (exclusive); and
    the next day that fires at all (-1: none)."""

    keys: _UnionKeys
    run_end: tuple[int, ...]
    next_firing: tuple[int, ...]

    @classmethod
    def of(cls, keys: list[tuple[tuple[int, int], ...] | None]) -> _DayKeys:
        run_end = [len(keys)] * len(keys)
        next_firing = [-1] * len(keys)
        for index in range(len(keys) - 2, -1, -1):
            # Keys are shared objects, so identity finds runs (a missed match only skips less).
            same = keys[index] is keys[index + 1]
            run_end[index] = run_end[index + 1] if same else index + 1
            following = keys[index + 1] is not None
            next_firing[index] = index + 1 if following else next_firing[index + 1]
        return cls(tuple(keys), tuple(run_end), tuple(next_firing))


def _union_keys(
    crons: list[_CronSource], first: int, last: int, memory: ScheduleMemory
) -> _DayKeys:
    """The union pattern key of every UTC day first..last (None: nothing fires that day)."""
    cache_key = (
        first,
        last,
        *((c.cron.text, c.zone.name, c.flexible, c.low, c.high) for c in crons),
    )
    cached = memory.union_keys.get(cache_key)
    if cached is not None:
        return cached
    columns = []
    for source in crons:
        column = _cron_day_ids(source.cron, source.zone, first, last, memory)
        if source.low is not None or source.high is not None:
            column = tuple(
                None
                if pattern_id is None
                else _bounded(pattern_id, day, source.low, source.high, memory)
                for day, pattern_id in enumerate(column, first)
            )
        columns.append(column)
    flexible = [source.flexible for source in crons]
    # Days repeat a handful of id combinations: build each key once and share the object.
    made: dict[tuple[int | None, ...], tuple[tuple[int, int], ...] | None] = {}
    keys: list[tuple[tuple[int, int], ...] | None] = []
    for ids in zip(*columns, strict=True):
        if ids not in made:
            parts = [(pid, w) for pid, w in zip(ids, flexible, strict=True) if pid is not None]
            made[ids] = tuple(sorted(parts)) if parts else None
        keys.append(made[ids])
    result = memory.union_keys[cache_key] = _DayKeys.of(keys)
    return result


def _bounded(
    pattern_id: int, day: int, low: int | None, high: int | None, memory: ScheduleMemory
) -> int | None:
    """A day's pattern restricted to a source's [start, end] (both inclusive)."""
    start = day * DAY
    low_rel = -1 if low is None else low - start
    high_rel = DAY if high is None else high - start
    if low_rel <= 0 and high_rel >= DAY:
        return pattern_id
    times = memory.patterns[pattern_id]
    return memory.intern(tuple(t for t in times if low_rel <= t <= high_rel))


class _Worst:
    """Keeps the worst gap seen, bounding each by what the rate sources guarantee."""

    def __init__(self, rates: list[_RateSource], intervals: list[tuple[int, int]]) -> None:
        span_low, span_high = intervals[0][0], intervals[-1][1]
        self.cap = _FAR
        self.partial: list[_RateSource] = []
        for rate in rates:
            if (rate.low is not None and rate.low >= span_high) or (
                rate.high is not None and rate.high <= span_low
            ):
                continue
            if (rate.low is None or rate.low <= span_low) and (
                rate.high is None or rate.high >= span_high
            ):
                self.cap = min(self.cap, rate.period + rate.flexible)
            else:
                self.partial.append(rate)
        self.threshold = min((r.period + r.flexible for r in self.partial), default=_FAR)
        self.seconds = -1
        self.start = 0
        self.end = 0

    def offer(self, length: int, start: int) -> None:
        if length > self.threshold:
            length, start = self._bound(length, start)
        if length > self.cap:
            length = self.cap
        if length > self.seconds:
            self.seconds, self.start, self.end = length, start, start + length

    def _bound(self, length: int, start: int) -> tuple[int, int]:
        """The worst (length, start) of a gap once the partly active rates fire inside it."""
        end = start + length
        best = (length, start)
        for rate in self.partial:
            low = start if rate.low is None else max(start, rate.low)
            high = end if rate.high is None else min(end, rate.high)
            if high <= low:
                continue
            reach = rate.period + rate.flexible
            # Unknown phase: the first invocation comes at most period + window after `low`.
            first_piece = low - start + reach
            if rate.high is None or rate.high >= end:
                bound = (first_piece, start)
            elif high - low >= rate.period:
                # It stops inside the gap: its last firing may be a full period before it stops.
                last_piece = end - (high - rate.period)
                bound = (
                    (first_piece, start)
                    if first_piece >= last_piece
                    else (last_piece, end - last_piece)
                )
            else:
                continue
            if bound[0] < best[0]:
                best = bound
        return best


def worst_gap(
    sources: Sequence[FiringSource],
    window: Sequence[tuple[datetime, datetime]] | None,
    start: datetime,
    end: datetime,
    memory: ScheduleMemory | None = None,
) -> Gap:
    """Longest time between consecutive warm invocations of all `sources` together.

    Only time inside the window intervals (aware UTC, sorted, non-overlapping; None: all of
    [start, end)) counts. A gap is clipped to its window interval: the first invocation must come
    within the gap of the opening, and the time from the last invocation to the closing counts.
    """
    memory = ScheduleMemory() if memory is None else memory
    horizon_low, horizon_high = _seconds(start, "start"), _seconds(end, "end")
    intervals = _window_intervals(window, horizon_low, horizon_high, memory)
    crons, rates, exact = _classify(sources)
    if not intervals:
        return Gap(0, None, None, exact)
    worst = _Worst(rates, intervals)
    if crons:
        first_day = intervals[0][0] // DAY
        last_day = (intervals[-1][1] - 1) // DAY
        keys = _union_keys(crons, first_day, last_day, memory)
        _scan(keys, first_day, intervals, worst, memory)
    else:
        for low, high in intervals:
            worst.offer(high - low, low)
    return Gap(
        worst.seconds,
        datetime.fromtimestamp(worst.start, UTC),
        datetime.fromtimestamp(worst.end, UTC),
        exact,
    )


def _scan(
    day_keys: _DayKeys,
    first_day: int,
    intervals: list[tuple[int, int]],
    worst: _Worst,
    memory: ScheduleMemory,
) -> None:
    """Walk each window interval day by day, jumping over runs of days that repeat."""
    keys, run_end, next_firing = day_keys.keys, day_keys.run_end, day_keys.next_firing
    cap = worst.cap
    threshold = worst.threshold
    # With a partly active rate the bound depends on where a gap lies, so nothing repeats.
    may_skip = not worst.partial
    seen: set[tuple[object, ...]] = set()
    for low, high in intervals:
        first, last = low // DAY, (high - 1) // DAY
        if may_skip and last - first <= 2:
            # A short interval's result depends only on its days' patterns and its clipping.
            signature: tuple[object, ...] = (
                low - first * DAY,
                high - first * DAY,
                keys[first - first_day],
            )
            if last > first:
                signature += keys[first - first_day + 1 : last - first_day + 1]
            if signature in seen:
                continue
            seen.add(signature)
        anchor = low
        streak_key: object = None
        streak = 0
        # Days up to here are whole inside the interval and at least a day before its end.
        last_whole = (high - 2 * DAY) // DAY
        day = first
        while day <= last:
            index = day - first_day
            key = keys[index]
            if key is None:
                streak_key, streak = None, 0
                day += 1
                continue
            if may_skip and streak >= 2 and key == streak_key and day <= last_whole:
                # Same pattern as the two days before and the day after: the same gaps again.
                stop = min(run_end[index] - 2 + first_day, last_whole)
                if stop >= day:
                    anchor += (stop - day + 1) * DAY
                    day = stop + 1
                    continue
            day_start = day * DAY
            day_low = low - day_start if low > day_start else 0
            day_high = high - day_start if high < day_start + DAY else DAY
            # Gaps end at the window's closing, and at the latest deadline of the next day's.
            clip = high - day_start
            following = next_firing[index]
            following_key = keys[following] if following >= 0 else None
            if following_key is not None:
                later = (following - index) * DAY + memory.union_day(following_key).suffix[0]
                clip = later if later < clip else clip
            clip = 2 * DAY if clip > 2 * DAY else clip
            portion = memory.union_day(key).portion(day_low, day_high, clip, cap, threshold)
            day += 1
            if portion is None:
                streak_key, streak = None, 0
                continue
            worst.offer(min(day_start + portion.first_deadline, high) - anchor, anchor)
            for length, start in portion.candidates:
                worst.offer(length, day_start + start)
            anchor = day_start + portion.last
            whole = day_low == 0 and high - day_start >= 2 * DAY
            if whole and key == streak_key:
                streak += 1
            else:
                streak_key, streak = (key, 1) if whole else (None, 0)
        worst.offer(high - anchor, anchor)


# --- windows --------------------------------------------------------------------------------


def weekly_intervals(
    timezone: str,
    weekly: Sequence[tuple[frozenset[int], int, int]],
    start: datetime,
    end: datetime,
) -> list[tuple[datetime, datetime]]:
    """A weekly local window as sorted, merged UTC intervals over [start, end).

    Each entry is (ISO weekdays 1=Mon..7=Sun of the local start day, start minute, end minute);
    an end at or before the start runs overnight into the next day, 1440 is midnight. An edge at a
    time that occurs twice takes the occurrence that makes the window longer; one that does not
    occur (spring forward) is the moment the clock jumps.
    """
    zone = _zone(timezone)
    for days, begin, finish in weekly:
        if not days or not days <= frozenset(range(1, 8)):
            raise ValueError(f"weekdays must be ISO numbers 1-7, got {sorted(days)}")
        if not 0 <= begin < 1440 or not 0 <= finish <= 1440:
            raise ValueError(f"window minutes out of range: start {begin}, end {finish}")
    low, high = _seconds(start, "start"), _seconds(end, "end")
    if low >= high:
        return []
    raw: list[tuple[int, int]] = []
    for local_day in range(low // DAY - 2, high // DAY + 2):
        weekday = date.fromordinal(local_day + _EPOCH_ORDINAL).isoweekday()
        for days, begin, finish in weekly:
            if weekday not in days:
                continue
            local_begin = local_day * DAY + begin * 60
            local_end = (local_day + (1 if finish <= begin else 0)) * DAY + finish * 60
            utc_begin = max(zone.boundary(local_begin, latest=False), low)
            utc_end = min(zone.boundary(local_end, latest=True), high)
            if utc_begin < utc_end:
                raw.append((utc_begin, utc_end))
    return [
        (datetime.fromtimestamp(begin_s, UTC), datetime.fromtimestamp(end_s, UTC))
        for begin_s, end_s in merge_intervals(raw)
    ]


def clear_caches() -> None:
    """Forget the parsed expressions and zones (benchmarks use it to time a cold start).

    The only two module-level caches: bounded, and holding immutable values derived from their
    text alone; everything a search learns lives in its `ScheduleMemory`.
    """
    _parse_cached.cache_clear()
    _zone.cache_clear()
    _firings_between.cache_clear()


def readable_duration(seconds: int) -> str:
    """A duration (a gap, a period, a limit) in the unit people think in: 45 s, 65 min, 2 h 5 min,
    3 d 4 h."""
    if seconds < 60:
        return f"{seconds} s"
    total = seconds // 60
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


# --- expected firings (runtime evidence) ---------------------------------------------------


def _near_transition(zone: _Zone, local_day: int, memory: ScheduleMemory) -> bool:
    """Whether the zone's offset changes within a day of this local day."""
    key = (zone.name, local_day)
    found = memory.near_transition.get(key)
    if found is None:
        base = local_day * DAY
        found = memory.near_transition[key] = bool(zone.transitions(base - DAY, base + 2 * DAY))
    return found


def expected_firings(
    source: FiringSource,
    start: datetime,
    end: datetime,
    memory: ScheduleMemory | None = None,
) -> int:
    """How many times `source` fires in (start, end], inside its own start/end dates.

    A rate's phase is unknown (AWS counts from creation), so a rate gives the fewest firings it
    can have in the span: whole periods only. A flexible window delays a firing by up to its
    length, so the last window's worth is not counted: a firing due there may land after `end`.
    """
    low = _seconds(start, "start")
    high = _seconds(end, "end")
    if source.start is not None:
        low = max(low, _seconds(source.start, "a schedule's start"))
    if source.end is not None:
        high = min(high, _seconds(source.end, "a schedule's end"))
    high -= source.flexible_window_minutes * 60
    if high <= low:
        return 0
    parsed = parse_expression(source.expression)
    if isinstance(parsed, RateExpression):
        return (high - low) // parsed.seconds
    if isinstance(parsed, AtExpression):
        return 0  # one-time schedules are never warm sources
    zone = _zone(source.timezone)
    memory = ScheduleMemory() if memory is None else memory
    count = 0
    # A local day can start up to 14 h either side of its UTC day: look one day further out.
    for local_day in range(low // DAY - 1, high // DAY + 2):
        if not parsed.matches_date(date.fromordinal(local_day + _EPOCH_ORDINAL)):
            continue
        base = local_day * DAY
        if _near_transition(zone, local_day, memory):
            firings = memory.local_day(parsed, zone, local_day)
            count += bisect_right(firings, high) - bisect_right(firings, low)
            continue
        # No offset change near this day: its firings are its seconds shifted, count by bisect.
        shift = base - zone.offset_at(base)
        seconds = parsed._seconds
        count += bisect_right(seconds, high - shift) - bisect_right(seconds, low - shift)
    return count


_FIRST_BATCH = 64
_LARGEST_BATCH = 4096


def firings_between(
    cron: CronExpression, timezone: str, start: datetime, end: datetime
) -> tuple[datetime, ...]:
    """Every firing of `cron` in [start, end) as aware UTC datetimes, in the cron's own zone."""
    return _firings_between(cron, timezone, start, end)


@lru_cache(maxsize=256)
def _firings_between(
    cron: CronExpression, timezone: str, start: datetime, end: datetime
) -> tuple[datetime, ...]:
    # Cached: a report draws the same few warmer schedules over the same week many times.
    found: list[datetime] = []
    if start >= end:
        return ()
    # Firings fall on whole minutes, so "strictly after a second before" includes `start`.
    cursor = start - timedelta(seconds=1)
    batch = _FIRST_BATCH
    while True:
        chunk = cron.next_firings(cursor, timezone, batch)
        for moment in chunk:
            if moment >= end:
                return tuple(found)
            found.append(moment)
        if len(chunk) < batch:
            return tuple(found)
        cursor = chunk[-1]
        batch = min(batch * 2, _LARGEST_BATCH)
