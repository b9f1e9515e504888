"""Helpers for booking calendars. Intervals are (start, end) tuples, end exclusive."""

from typing import List, Tuple

Interval = Tuple[int, int]


def merge_intervals(intervals: List[Interval]) -> List[Interval]:
    """The fewest non-overlapping intervals covering the same time, sorted by start."""
    merged: List[Interval] = []
    for start, end in intervals:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def total_time(intervals: List[Interval]) -> int:
    return sum(end - start for start, end in merge_intervals(intervals))
