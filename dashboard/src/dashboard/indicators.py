"""Indicator and freshness math for the charts and KPI cards (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Staleness = Literal["fresh", "delayed", "stale"]


def sma(values: Sequence[float], period: int) -> list[float | None]:
    """Simple moving average; None until `period` values are there."""
    if period < 1:
        raise ValueError("period must be at least 1")
    out: list[float | None] = []
    window_sum = 0.0
    for i, value in enumerate(values):
        window_sum += value
        if i >= period:
            window_sum -= values[i - period]
        out.append(window_sum / period if i >= period - 1 else None)
    return out


def ema(values: Sequence[float], period: int) -> list[float | None]:
    """Exponential moving average with alpha 2/(period+1), seeded by the first SMA."""
    if period < 1:
        raise ValueError("period must be at least 1")
    alpha = 2.0 / (period + 1)
    out: list[float | None] = [None] * min(period - 1, len(values))
    if len(values) < period:
        return out
    current = sum(values[:period]) / period
    out.append(current)
    for value in values[period:]:
        current = alpha * value + (1 - alpha) * current
        out.append(current)
    return out


def staleness(age_s: float, fresh_s: float, stale_s: float) -> Staleness:
    """How to label data whose newest tick is `age_s` seconds old."""
    if age_s <= fresh_s:
        return "fresh"
    return "delayed" if age_s <= stale_s else "stale"
