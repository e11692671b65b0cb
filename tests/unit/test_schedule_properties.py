"""Generated expressions: against pyawscron, against their own fields, against brute force."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pyawscron import AWSCron

from checker.domain.schedule import CronExpression, FiringSource, Gap, parse_expression, worst_gap

SETTINGS = settings(
    deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
DST_ZONES = ("America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago")
TRANSITIONS = (  # a few nights each of those zones changes its clocks
    datetime(2024, 3, 10, tzinfo=UTC),
    datetime(2024, 11, 3, tzinfo=UTC),
    datetime(2024, 3, 31, tzinfo=UTC),
    datetime(2024, 10, 27, tzinfo=UTC),
    datetime(2024, 4, 6, tzinfo=UTC),
    datetime(2024, 10, 5, tzinfo=UTC),
    datetime(2024, 9, 7, tzinfo=UTC),
)


# --- strategies -----------------------------------------------------------------------------
# Each strategy object is built once (cached by its arguments): building and validating fresh
# ones on every draw cost more than the comparisons they feed.


@cache
def ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@cache
def int_sets(low: int, high: int) -> st.SearchStrategy[frozenset[int]]:
    return st.frozensets(ints(low, high), min_size=2, max_size=4)


@cache
def choices(options: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(options)


@cache
def numeric_field(
    low: int, high: int, *, steps: bool, lists: bool, names: tuple[str, ...] = ()
) -> st.SearchStrategy[str]:
    return _numeric_field(low, high, steps=steps, lists=lists, names=names)


@st.composite
def _numeric_field(
    draw: st.DrawFn,
    low: int,
    high: int,
    *,
    steps: bool,
    lists: bool,
    names: tuple[str, ...] = (),
) -> str:
    """A field of values, ranges, increments or lists; with `names` (month or weekday names,
    the first for `low`) its values may be written as names."""
    named = bool(names) and draw(st.booleans())

    def show(number: int) -> str:
        return names[number - low] if named else str(number)

    forms = ("*", "value", "range") + (("step", "star_step", "range_step") if steps else ())
    forms += ("list",) if lists else ()
    form = draw(choices(forms))
    if form == "*":
        return "*"
    if form == "value":
        return show(draw(ints(low, high)))
    increment = ints(1, max(1, high - low))
    if form == "star_step":
        return f"*/{draw(increment)}"
    if form == "list":
        return ",".join(show(v) for v in sorted(draw(int_sets(low, high))))
    first = draw(ints(low, high))
    if form == "step":
        return f"{show(first)}/{draw(increment)}"
    text = f"{show(first)}-{show(draw(ints(first, high)))}"
    return f"{text}/{draw(increment)}" if form == "range_step" else text


@cache
def day_fields(*, full: bool) -> st.SearchStrategy[tuple[str, str]]:
    return _day_fields(full=full)


@st.composite
def _day_fields(draw: st.DrawFn, *, full: bool) -> tuple[str, str]:
    """(day-of-month, day-of-week) with exactly one '?'. `full` adds what pyawscron lacks."""
    if draw(st.booleans()):
        # Half plain fields, half the special forms.
        if draw(st.booleans()):
            return draw(numeric_field(1, 31, steps=True, lists=True)), "?"
        form = draw(choices(("L", "L-n", "nW") + (("LW",) if full else ())))
        if form == "L-n":
            return f"L-{draw(ints(1, 5))}", "?"
        if form == "nW":
            return f"{draw(ints(1, 31))}W", "?"
        return form, "?"
    if draw(st.booleans()):
        return "?", draw(numeric_field(1, 7, steps=False, lists=True, names=DAYS))
    form = draw(choices(("nL", "n#k", "names") + (("L", "NAME-NAME", "NAME#2") if full else ())))
    if form == "L":
        return "?", "L"
    weekday = draw(ints(1, 7))
    if form == "nL":
        return "?", f"{weekday}L"
    if form == "n#k":
        return "?", f"{weekday}#{draw(ints(1, 5))}"
    if form == "NAME#2":
        return "?", f"{DAYS[weekday - 1]}#2"
    # A range of names; a descending one (wrapping round the week) only where pyawscron is
    # not asked.
    later = draw(ints(1, 7) if form == "NAME-NAME" else ints(weekday, 7))
    return "?", f"{DAYS[weekday - 1]}-{DAYS[later - 1]}"


@st.composite
def cron_texts(draw: st.DrawFn, *, full: bool = True, frequent: bool = False) -> str:
    """Valid expressions; `frequent` ones fire in most months and hours, so a few days of
    brute force see many firings."""
    minutes = draw(numeric_field(0, 59, steps=True, lists=True))
    if frequent:
        hours = draw(choices(("*", "*/2", "*/3", "0-17", "6-23", "0/4", "1,5,9,13,17,21")))
        month = draw(choices(("*", "1/2", "2/2", "JAN-SEP", "3-12")))
    else:
        hours = draw(numeric_field(0, 23, steps=True, lists=True))
        month = draw(numeric_field(1, 12, steps=True, lists=True, names=MONTHS))
    dom, dow = draw(day_fields(full=full))
    first_year = draw(ints(2020, 2030))
    year = draw(choices(("*", "*", "2020-2199", f"{first_year}-2199")))
    return f"cron({minutes} {hours} {dom} {month} {dow} {year})"


moments = st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0, tzinfo=UTC)
)


def as_cron(text: str) -> CronExpression:
    parsed = parse_expression(text)
    assert isinstance(parsed, CronExpression)
    return parsed


# --- against pyawscron, and against the fields ------------------------------------------------


# 2,600 examples: some 2,100 distinct expressions (the rest repeat one at another moment), each
# compared on its next five firings; pyawscron gives up on a handful (rejected below).
@settings(SETTINGS, max_examples=2600)
@given(text=cron_texts(full=False), after=moments)
def test_next_firings_agree_with_pyawscron(text: str, after: datetime) -> None:
    ours = as_cron(text).next_firings(after, "UTC", count=5)
    try:
        theirs = AWSCron.get_next_n_schedule(5, after, text[5:-1])
    except Exception:  # pyawscron gives up after ten empty steps, or trips on day 29-31
        assume(False)
        raise
    assert ours == theirs[: len(ours)]
    assert len(ours) == 5 or None in theirs


@SETTINGS
@given(text=cron_texts(), after=moments, zone=st.sampled_from(("UTC", "Asia/Kolkata", *DST_ZONES)))
def test_every_firing_matches_its_fields_in_its_zone(text: str, after: datetime, zone: str) -> None:
    expression = as_cron(text)
    fired = expression.next_firings(after, zone, count=40)
    assert fired == sorted(set(fired))
    assert all(moment > after and moment.tzinfo is UTC for moment in fired)
    minutes = set(expression.minutes_of_day())
    for moment in fired:
        local = moment.astimezone(ZoneInfo(zone))
        assert expression.matches_date(local.date())
        assert local.hour * 60 + local.minute in minutes
        # A wall-clock time that happens twice fires at its first occurrence only.
        assert local.fold == 0


# --- worst_gap against brute force ------------------------------------------------------------


def brute_firings(expression: CronExpression, start: datetime, end: datetime) -> list[int]:
    """Every UTC minute in [start, end) whose date and minute the expression matches."""
    minutes = set(expression.minutes_of_day())
    found = []
    moment = start.replace(second=0) + timedelta(minutes=1 if start.second else 0)
    while moment < end:
        if expression.matches_date(moment.date()) and moment.hour * 60 + moment.minute in minutes:
            found.append(int(moment.timestamp()))
        moment += timedelta(minutes=1)
    return found


def brute_gap(firings: list[int], intervals: list[tuple[int, int]]) -> tuple[int, int, int]:
    """(seconds, start, end) of the longest clipped gap; the earliest of equals."""
    best = (-1, 0, 0)
    for low, high in intervals:
        points = [low, *(f for f in firings if low <= f < high), high]
        for before, after in itertools.pairwise(points):
            if after - before > best[0]:
                best = (after - before, before, after)
    return best


@st.composite
def horizons(draw: st.DrawFn, *, around: datetime | None = None) -> tuple[datetime, datetime]:
    if around is None:
        start = draw(st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 1)))
        start = start.replace(tzinfo=UTC, microsecond=0)
    else:
        start = around + timedelta(minutes=draw(st.integers(-3 * 1440, 1440)))
    return start, start + timedelta(minutes=draw(st.integers(30, 4 * 1440)))


@st.composite
def windows(
    draw: st.DrawFn, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]] | None:
    if draw(st.booleans()):
        return None
    span = int((end - start).total_seconds())
    cuts = sorted(draw(st.sets(st.integers(0, span), min_size=2, max_size=8)))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    return [(start + timedelta(seconds=a), start + timedelta(seconds=b)) for a, b in pairs]


def seconds_of(
    window: list[tuple[datetime, datetime]] | None, start: datetime, end: datetime
) -> list[tuple[int, int]]:
    pairs = window if window is not None else [(start, end)]
    return [(int(a.timestamp()), int(b.timestamp())) for a, b in pairs]


def as_gap(found: tuple[int, int, int], exact: bool) -> Gap:
    seconds, begin, finish = found
    return Gap(
        seconds, datetime.fromtimestamp(begin, UTC), datetime.fromtimestamp(finish, UTC), exact
    )


@SETTINGS
@given(data=st.data(), text=cron_texts(frequent=True))
def test_worst_gap_of_one_cron_equals_brute_force(data: st.DataObject, text: str) -> None:
    start, end = data.draw(horizons())
    window = data.draw(windows(start, end))
    intervals = seconds_of(window, start, end)
    assume(intervals)
    expected = brute_gap(brute_firings(as_cron(text), start, end), intervals)
    assert worst_gap([FiringSource(text)], window, start, end) == as_gap(expected, True)


def local_firings(text: str, zone: str, start: datetime, end: datetime) -> list[int]:
    """Firings from next_firings: the local-day path, not the gap engine's UTC day patterns.

    At most one a minute (a repeated wall-clock time fires once), so asking for one more than
    the span has minutes never cuts the list short.
    """
    most = int((end - start).total_seconds()) // 60 + 2
    fired = as_cron(text).next_firings(start - timedelta(microseconds=1), zone, count=most)
    return [int(moment.timestamp()) for moment in fired if moment < end]


@SETTINGS
@given(
    data=st.data(),
    texts=st.lists(cron_texts(frequent=True), min_size=1, max_size=3),
    zones=st.lists(st.sampled_from(DST_ZONES), min_size=3, max_size=3),
    around=st.sampled_from(TRANSITIONS),
)
def test_worst_gap_across_daylight_saving_equals_brute_force(
    data: st.DataObject, texts: list[str], zones: list[str], around: datetime
) -> None:
    start, end = data.draw(horizons(around=around))
    window = data.draw(windows(start, end))
    intervals = seconds_of(window, start, end)
    assume(intervals)
    sources = [FiringSource(text, zone) for text, zone in zip(texts, zones, strict=False)]
    union = sorted(
        {f for s in sources for f in local_firings(s.expression, s.timezone, start, end)}
    )
    assert worst_gap(sources, window, start, end) == as_gap(brute_gap(union, intervals), True)


@SETTINGS
@given(
    data=st.data(),
    texts=st.lists(cron_texts(frequent=True), min_size=1, max_size=3),
    flexible=st.lists(st.integers(0, 1440), min_size=3, max_size=3),
)
def test_flexible_windows_lengthen_gaps_by_at_most_the_largest_window(
    data: st.DataObject, texts: list[str], flexible: list[int]
) -> None:
    start, end = data.draw(horizons())
    window = data.draw(windows(start, end))
    punctual = worst_gap([FiringSource(text) for text in texts], window, start, end)
    sources = [
        FiringSource(text, flexible_window_minutes=w)
        for text, w in zip(texts, flexible, strict=False)
    ]
    late = worst_gap(sources, window, start, end)
    most = max(source.flexible_window_minutes for source in sources)
    assert punctual.seconds <= late.seconds <= punctual.seconds + most * 60
    assert late.exact is (most == 0)


@settings(SETTINGS, max_examples=60)
@given(
    data=st.data(),
    texts=st.lists(cron_texts(frequent=True), min_size=1, max_size=2),
    flexible=st.sampled_from((0, 1, 5, 60, 600, 1440)),
    days=st.integers(1, 40),
)
def test_a_shared_flexible_window_equals_brute_force_over_weeks(
    data: st.DataObject, texts: list[str], flexible: int, days: int
) -> None:
    start = data.draw(horizons())[0]
    end = start + timedelta(days=days, minutes=data.draw(st.integers(0, 1439)))
    window = data.draw(windows(start, end))
    intervals = seconds_of(window, start, end)
    assume(intervals)
    firings = sorted({f for text in texts for f in local_firings(text, "UTC", start, end)})
    # One window for all: the next firing's latest moment ends each gap, clipped to the window.
    best = (-1, 0, 0)
    for low, high in intervals:
        inside = [f for f in firings if low <= f < high]
        candidates = [(low, min(inside[0] + flexible * 60, high) if inside else high)]
        for f, later in zip(inside, [*inside[1:], None], strict=False):
            candidates.append((f, high if later is None else min(later + flexible * 60, high)))
        for begin, finish in candidates:
            if finish - begin > best[0]:
                best = (finish - begin, begin, finish)
    sources = [FiringSource(text, flexible_window_minutes=flexible) for text in texts]
    assert worst_gap(sources, window, start, end) == as_gap(best, flexible == 0)


@SETTINGS
@given(
    data=st.data(),
    text=cron_texts(frequent=True),
    period_minutes=st.integers(1, 240),
    flexible=st.integers(0, 30),
    bounded=st.booleans(),
)
def test_rate_and_cron_never_understate_any_phase(
    data: st.DataObject, text: str, period_minutes: int, flexible: int, bounded: bool
) -> None:
    start, end = data.draw(horizons())
    window = data.draw(windows(start, end))
    intervals = seconds_of(window, start, end)
    assume(intervals)
    span = end - start
    rate_start = start + span * data.draw(st.floats(-0.5, 0.9)) if bounded else None
    rate_end = start + span * data.draw(st.floats(0.1, 1.5)) if bounded else None
    unit = "minute" if period_minutes == 1 else "minutes"
    rate = FiringSource(f"rate({period_minutes} {unit})", "UTC", flexible, rate_start, rate_end)
    result = worst_gap([FiringSource(text), rate], window, start, end)
    assert result.exact is False
    crons = brute_firings(as_cron(text), start, end)
    if not bounded:
        cron_only = brute_gap(crons, intervals)[0]
        assert result.seconds == min(cron_only, (period_minutes + flexible) * 60)
    # Any actual phase and any actual delays leave a gap no longer than reported.
    period = period_minutes * 60
    first = int((rate_start or start - timedelta(seconds=period)).timestamp())
    last = int((rate_end or end).timestamp())
    chooser = random.Random(data.draw(st.integers(0, 2**32)))
    for _ in range(5):
        phase = chooser.randrange(period)
        delays = [0, flexible * 60, chooser.randrange(flexible * 60 + 1)]
        rates = [
            nominal + chooser.choice(delays) for nominal in range(first + phase, last + 1, period)
        ]
        assert brute_gap(sorted(crons + rates), intervals)[0] <= result.seconds


@SETTINGS
@given(text=cron_texts(), day=st.dates(date(1970, 1, 1), date(2199, 12, 31)))
def test_matches_date_agrees_with_next_firings(text: str, day: date) -> None:
    expression = as_cron(text)
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    first = expression.next_firings(midnight - timedelta(seconds=1), "UTC", count=1)
    fires_that_day = bool(first) and first[0].date() == day
    assert fires_that_day == expression.matches_date(day)
