"""`warmcheck schedule EXPR`: validate an expression, list its next firings, find its worst gap.

The command's part: its flags, the --window option, and the lines it prints. The check itself
(`check_expression`) is checker/domain/schedule_check.py and the gap's wording
checker/domain/gap_wording.py, which WARM003 shares.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from checker.cli.exits import EXIT_DRIFT, EXIT_PASS
from checker.cli.live import utc_now
from checker.cli.options import Subcommands, noise_flags
from checker.domain.gap_wording import clock_time
from checker.domain.schedule import readable_duration
from checker.domain.schedule_check import Firing, ScheduleCheck, check_expression
from checker.errors import UsageError
from checker.model.policy import WeeklyRange, WeeklyWindow, parse_duration


def add_parser(commands: Subcommands) -> None:
    sched = commands.add_parser(
        "schedule",
        parents=[noise_flags()],
        help="validate a rate/cron expression, print next firings and the worst gap",
        description="Validate a schedule expression as EventBridge and Scheduler do, print its "
        "next firings and the worst gap between them inside a window over the next year.",
    )
    sched.add_argument("expression", metavar="EXPR", help="rate(), cron() or at() expression")
    sched.add_argument(
        "--timezone",
        default="UTC",
        metavar="TZ",
        help="the schedule's IANA time zone (Scheduler); EventBridge rules always run in UTC",
    )
    sched.add_argument(
        "--window",
        default="always",
        help="when warmth counts: always, or local days and times such as "
        "'MON-FRI 08:00-18:00,SAT 09:00-13:00' (end before start = overnight)",
    )
    sched.add_argument(
        "--window-timezone", metavar="TZ", help="time zone of --window (default: --timezone)"
    )
    sched.add_argument(
        "--next", type=int, default=10, metavar="N", help="how many next firings to list"
    )
    sched.add_argument(
        "--flexible-window",
        type=int,
        default=0,
        metavar="MINUTES",
        help="the schedule's flexible time window, 0-1440",
    )
    sched.add_argument(
        "--max-interval",
        metavar="DURATION",
        help="longest allowed gap, e.g. 5m: prints a verdict and exits 1 when it is exceeded",
    )


def run(args: argparse.Namespace) -> int:
    limit = None
    if args.max_interval is not None:
        try:
            limit = parse_duration(args.max_interval)
        except ValueError as error:
            raise UsageError(f"--max-interval: {error}", hint="e.g. --max-interval 5m") from None
    check = check_expression(
        args.expression,
        timezone=args.timezone,
        window=parse_window_option(args.window, args.window_timezone or args.timezone),
        next_count=args.next,
        now=utc_now(),
        flexible_window_minutes=args.flexible_window,
        max_interval_seconds=limit,
    )
    lines = render_schedule_check(check)
    if args.quiet:  # the answer alone: the worst gap and, when asked for, the verdict
        lines = [line for line in lines if line.startswith(("worst gap", "verdict:"))]
    print("\n".join(lines))
    return EXIT_DRIFT if check.verdict == "too-long" else EXIT_PASS


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


# --- rendering -----------------------------------------------------------------------------------


def _firing_line(firing: Firing, zone: str) -> str:
    utc = firing.utc.strftime("%Y-%m-%d %H:%M") + " UTC"
    if zone == "UTC":
        return f"  {utc}  ({firing.utc.strftime('%a')})"
    local = firing.utc.astimezone(ZoneInfo(zone))
    return f"  {utc}  ({clock_time(local)} {zone}, {local.strftime('%a')})"


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
        gap = readable_duration(check.worst_gap.seconds)
        limit = readable_duration(check.max_interval_seconds)
        if check.verdict == "ok":
            lines.append(f"verdict: ok, worst gap {gap} is within the {limit} allowed")
        else:
            lines.append(f"verdict: too long, worst gap {gap} exceeds the {limit} allowed")
    lines += [f"note: {note}" for note in check.notes]
    return lines
