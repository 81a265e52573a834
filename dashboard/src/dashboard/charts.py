"""Altair charts built from the API's candle rows."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd


def candles_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["start"] = pd.to_datetime(frame["start"], utc=True)
    return frame


def price_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Close price as a line over a high/low band."""
    base = alt.Chart(frame).encode(x=alt.X("start:T", title="time (UTC)"))
    band = base.mark_area(opacity=0.25).encode(
        y=alt.Y("low:Q", title="price", scale=alt.Scale(zero=False)), y2="high:Q"
    )
    line = base.mark_line(point=True).encode(
        y="close:Q",
        tooltip=[
            alt.Tooltip("start:T", format="%H:%M"),
            alt.Tooltip("open:Q", format=",.2f"),
            alt.Tooltip("high:Q", format=",.2f"),
            alt.Tooltip("low:Q", format=",.2f"),
            alt.Tooltip("close:Q", format=",.2f"),
            alt.Tooltip("volume:Q", format=",.4f"),
        ],
    )
    return alt.LayerChart(layer=[band, line], height=360)
