"""Alerts as the dashboard shows them: a banner line per active alert, a chart marker each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd


def on_series(alerts: list[dict[str, Any]], source: str, symbol: str) -> list[dict[str, Any]]:
    """The alerts on this series, and those on the whole pipeline (they have no symbol)."""
    return [
        a for a in alerts if a["symbol"] is None or (a["source"], a["symbol"]) == (source, symbol)
    ]


def banner_line(alert: dict[str, Any]) -> str:
    """What an active alert says, in the words of its kind (docs/alerts.md)."""
    value, threshold, since = alert["raise_value"], alert["threshold"], _clock(alert["raised_at"])
    match alert["kind"]:
        case "price_move":
            what = f"moved {value:.2f} % (at least {threshold:g} %)"
        case "price_cross":
            # Going down the measure is the negated price.
            side = "at or above" if threshold > 0 else "at or below"
            what = f"price {abs(value):,.2f}, {side} {abs(threshold):,.2f}"
        case "stale_feed":
            what = f"no tick for {value:.0f} s (at most {threshold:g} s)"
        case _:
            what = f"consumer behind: {value:g} (at most {threshold:g})"
    return f"**{alert['rule']}** · {alert['subject']}: {what}, since {since} UTC"


def markers_frame(alerts: list[dict[str, Any]], start: datetime) -> pd.DataFrame:
    """One row per raise and per resolve at or after `start`, for the chart's time axis."""
    rows = []
    for alert in alerts:
        for state, field in (("raised", "raised_at"), ("resolved", "resolved_at")):
            moment = alert[field]
            if moment is not None and pd.Timestamp(moment) >= pd.Timestamp(start):
                rows.append({"time": pd.Timestamp(moment), "event": state, "rule": alert["rule"]})
    return pd.DataFrame(rows, columns=["time", "event", "rule"])


def _clock(moment: str) -> str:
    return pd.Timestamp(moment).strftime("%Y-%m-%d %H:%M")
