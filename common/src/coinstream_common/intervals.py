"""Candle intervals: a closed set, each aligned to the UTC epoch."""

from __future__ import annotations

from enum import StrEnum

from coinstream_common.settings import comma_separated


class Interval(StrEnum):
    M1 = "1m"
    M5 = "5m"
    H1 = "1h"
    D1 = "1d"

    @property
    def millis(self) -> int:
        return _MILLIS[self]


_MILLIS = {
    Interval.M1: 60_000,
    Interval.M5: 5 * 60_000,
    Interval.H1: 60 * 60_000,
    Interval.D1: 24 * 60 * 60_000,
}


def parse_intervals(text: str) -> tuple[Interval, ...]:
    """Parse a comma-separated list such as "1m,5m"; raise ValueError on unknown names."""
    names = comma_separated(text)
    if not names:
        raise ValueError("at least one interval is needed")
    try:
        return tuple(sorted({Interval(name) for name in names}, key=lambda i: i.millis))
    except ValueError:
        known = ", ".join(i.value for i in Interval)
        raise ValueError(f"unknown interval in {text!r}; known: {known}") from None
