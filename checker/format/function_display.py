"""How a report shows one required function's timing: the zone its gap is told in, and the week
its strip draws. Display choices, so they live with the formats; rules and the engine call them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from checker.analysis.core import Analysis
from checker.analysis.records import Assessment
from checker.domain.intervals import clip_intervals
from checker.domain.schedule import check_zone
from checker.errors import ScheduleExpressionError
from checker.model.policy import HoursOfOperationWindow, WeeklyWindow


def display_zone(analysis: Analysis, assessment: Assessment) -> str:
    """The zone people read a function's gap in: its window's, else its schedules'."""
    window = assessment.required.settings.window
    if isinstance(window, WeeklyWindow):
        return window.timezone
    if isinstance(window, HoursOfOperationWindow):
        hours = analysis.find_hours(
            window.hours_of_operation, assessment.required.instances.values()
        )
        if not isinstance(hours, str) and _known_zone(hours.time_zone):
            return hours.time_zone
    zones = sorted({s.firing.timezone for s in assessment.exact if s.firing is not None})
    return zones[0] if len(zones) == 1 else "UTC"


def strip_week(
    analysis: Analysis, assessment: Assessment
) -> tuple[datetime, tuple[tuple[datetime, datetime], ...] | None]:
    """The week a report draws for a function: the one holding its worst gap, else this
    one (from Monday 00:00 UTC), and the window inside it (None: always)."""
    anchor = assessment.gap.start if assessment.gap and assessment.gap.start else analysis.now
    monday = (anchor - timedelta(days=anchor.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    window = analysis.window_intervals(assessment.required)
    if window is None or isinstance(window, str):
        return monday, None
    end = monday + timedelta(days=7)
    return monday, tuple(clip_intervals(window, monday, end))


def _known_zone(name: str) -> bool:
    try:
        check_zone(name)
    except ScheduleExpressionError:
        return False
    return True
