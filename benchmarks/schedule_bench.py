"""Schedule benchmark: worst_gap for 1,000 mixed warmers over a one-year horizon.

The mix is what a contact center has: rate rules, UTC cron rules with staggered minutes, Scheduler
crons in DST zones with flexible windows, some functions warmed by two sources, and half of them
judged only inside a business-hours window. Target: well under 1 s on a cold cache.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from checker.domain.schedule import (
    FiringSource,
    ScheduleMemory,
    clear_caches,
    weekly_intervals,
    worst_gap,
)

FUNCTIONS = 1000
START = datetime(2025, 1, 6, 9, 17, 23, tzinfo=UTC)
END = START + timedelta(days=365)
ZONES = ("UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney")


def _warmer(rng: random.Random) -> FiringSource:
    kind = rng.random()
    if kind < 0.3:
        minutes = rng.choice((1, 2, 3, 4, 5, 10))
        unit = "minute" if minutes == 1 else "minutes"
        return FiringSource(
            f"rate({minutes} {unit})", flexible_window_minutes=rng.choice((0, 0, 2))
        )
    step = rng.choice((1, 2, 5, 5, 5, 10, 15))
    offset = rng.randrange(step)
    if kind < 0.6:
        return FiringSource(f"cron({offset}/{step} * * * ? *)")
    if kind < 0.75:
        return FiringSource(f"cron({offset}/{step} 7-19 ? * MON-FRI *)")
    zone = rng.choice(ZONES[1:])
    hours = rng.choice(("*", "6-20", "0-23"))
    days = rng.choice(("? * *", "? * MON-FRI", "* * ?"))
    return FiringSource(
        f"cron({offset}/{step} {hours} {days} *)",
        zone,
        flexible_window_minutes=rng.choice((0, 1, 3)),
    )


def build(rng: random.Random) -> list[tuple[tuple[FiringSource, ...], bool]]:
    """(sources, judged inside business hours?) per function."""
    functions = []
    for _ in range(FUNCTIONS):
        count = 2 if rng.random() < 0.2 else 1
        sources = tuple(_warmer(rng) for _ in range(count))
        functions.append((sources, rng.random() < 0.5))
    return functions


def _time_all(
    functions: list[tuple[tuple[FiringSource, ...], bool]], memory: ScheduleMemory
) -> tuple[float, float, float]:
    """(seconds for the window, wall seconds for all worst_gap calls, CPU seconds for them),
    every call sharing `memory` as one evaluation's calls do."""
    started = time.perf_counter()
    weekdays = frozenset(range(1, 6))
    window = weekly_intervals("Europe/Berlin", [(weekdays, 8 * 60, 18 * 60)], START, END)
    windows_done = time.perf_counter()
    cpu = time.process_time()
    for sources, business in functions:
        worst_gap(sources, window if business else None, START, END, memory)
    return windows_done - started, time.perf_counter() - windows_done, time.process_time() - cpu


def run() -> list[str]:
    functions = build(random.Random(20250106))
    distinct = len({sources for sources, _ in functions})
    clear_caches()
    memory = ScheduleMemory()  # cold: a new evaluation; warm: the same one asked again
    window_cold, cold, cold_cpu = _time_all(functions, memory)
    _, warm, warm_cpu = _time_all(functions, memory)
    header = f"schedule: {FUNCTIONS} functions ({distinct} distinct warmer sets), one-year horizon"
    per_cold, per_warm = cold / FUNCTIONS * 1e3, warm / FUNCTIONS * 1e3
    return [
        header + ", half judged in a Mon-Fri 08-18 Europe/Berlin window",
        f"  weekly_intervals: {window_cold:.4f} s",
        f"  worst_gap, cold caches: {cold:.3f} s wall, {cold_cpu:.3f} s CPU ({per_cold:.3f} ms/fn)",
        f"  worst_gap, warm caches: {warm:.3f} s wall, {warm_cpu:.3f} s CPU ({per_warm:.3f} ms/fn)",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
