"""Window assignment: pure functions of an event time, tumbling windows aligned to the UTC epoch."""

from __future__ import annotations

from collections.abc import Iterable

from coinstream_common.intervals import Interval

WindowKey = tuple[Interval, int]  # an interval and the start of one of its windows


def window_start(event_time_ms: int, size_ms: int) -> int:
    """Start of the tumbling window of `size_ms` that holds `event_time_ms` (floor, also < 0)."""
    return event_time_ms - event_time_ms % size_ms


def window_end(start_ms: int, size_ms: int) -> int:
    """The first time after the window of `size_ms` that starts at `start_ms` (exclusive)."""
    return start_ms + size_ms


def windows_for(event_time_ms: int, intervals: Iterable[Interval]) -> list[WindowKey]:
    """Each interval with the start of its window that holds `event_time_ms`."""
    return [(interval, window_start(event_time_ms, interval.millis)) for interval in intervals]


def is_closed(start_ms: int, interval: Interval, watermark_ms: int) -> bool:
    """A window is closed once the watermark has reached its end."""
    return window_end(start_ms, interval.millis) <= watermark_ms
