"""The KPI cards' values, from the API's latest price, 24h stats and readiness (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.indicators import Staleness, staleness

MISSING = "n/a"
BADGE_COLOURS: dict[Staleness, str] = {"fresh": "green", "delayed": "orange", "stale": "red"}


@dataclass(frozen=True)
class Kpis:
    last_price: str
    change_24h: str | None
    high_24h: str
    low_24h: str
    volume_24h: str
    updated: str
    staleness: Staleness
    pipeline: str


def format_price(value: float) -> str:
    return f"{value:,.2f}" if value >= 1 else f"{value:,.6f}"


def format_age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def build_kpis(
    latest: dict[str, Any],
    stats: dict[str, Any] | None,
    readiness: dict[str, Any] | None,
    *,
    fresh_s: float,
    stale_s: float,
) -> Kpis:
    """`stats` is None when the last 24h hold no candles; `readiness` when /ready is unknown."""
    pipeline = "unknown"
    if readiness is not None:
        pipeline = (
            "ready" if readiness["status"] == "ready" else f"not ready: {readiness['reason']}"
        )
    return Kpis(
        last_price=format_price(latest["price"]),
        change_24h=f"{stats['change_pct']:+.2f}%" if stats else None,
        high_24h=format_price(stats["high"]) if stats else MISSING,
        low_24h=format_price(stats["low"]) if stats else MISSING,
        volume_24h=f"{stats['volume']:,.4f}" if stats else MISSING,
        updated=format_age(latest["age_s"]),
        staleness=staleness(latest["age_s"], fresh_s, stale_s),
        pipeline=pipeline,
    )
