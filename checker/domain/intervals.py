"""Intervals of time (or of anything ordered): joined and clipped, the one implementation.

The analysis merges hours of operation, the schedule maths merges a weekly window, and the week
strip merges flexible windows and clips the policy window to one week: all of them here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, Self, TypeVar


class _Ordered(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...
    def __le__(self, other: Any, /) -> bool: ...
    def __gt__(self, other: Any, /) -> bool: ...


class _Comparable(_Ordered, Protocol):
    def __ge__(self: Self, other: Any, /) -> bool: ...


T = TypeVar("T", bound=_Comparable)


def merge_intervals(intervals: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """Sorted, empty intervals dropped, overlapping or touching intervals joined."""
    merged: list[tuple[T, T]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def clip_intervals(intervals: Iterable[tuple[T, T]], start: T, end: T) -> list[tuple[T, T]]:
    """The parts of `intervals` inside [start, end), merged."""
    return merge_intervals(
        (max(begin, start), min(finish, end))
        for begin, finish in intervals
        if finish > start and begin < end
    )
