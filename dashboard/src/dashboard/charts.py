"""Altair charts built from the API's candle rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import altair as alt
import pandas as pd

from dashboard.indicators import ema, sma

UP, DOWN = "#26a69a", "#ef5350"
ALERT, CLEARED = "#ff9800", "#9e9e9e"
PRICE_TOOLTIP = [
    alt.Tooltip("start:T", title="start (UTC)", format="%Y-%m-%d %H:%M"),
    alt.Tooltip("open:Q", format=",.2f"),
    alt.Tooltip("high:Q", format=",.2f"),
    alt.Tooltip("low:Q", format=",.2f"),
    alt.Tooltip("close:Q", format=",.2f"),
    alt.Tooltip("volume:Q", format=",.4f"),
    alt.Tooltip("count:Q", title="ticks"),
]


def candles_frame(
    rows: list[dict[str, Any]], *, sma_period: int | None = None, ema_period: int | None = None
) -> pd.DataFrame:
    """Rows as a frame with UTC times, plus `SMA n` / `EMA n` columns when asked for."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    closes = frame["close"].astype(float).tolist()
    if sma_period:
        frame[f"SMA {sma_period}"] = sma(closes, sma_period)
    if ema_period:
        frame[f"EMA {ema_period}"] = ema(closes, ema_period)
    return frame


def overlay_columns(frame: pd.DataFrame) -> list[str | alt.FieldName]:
    return [str(c) for c in frame.columns if str(c).startswith(("SMA ", "EMA "))]


def candlestick_chart(frame: pd.DataFrame, markers: pd.DataFrame | None = None) -> alt.VConcatChart:
    """Candles (wick and body) with SMA/EMA overlays, and a dashed rule at each alert's
    raise (red) and resolve (grey); volume bars below on the same time axis."""
    base = alt.Chart(frame).encode(x=alt.X("start:T", title=None))
    direction = alt.condition("datum.close >= datum.open", alt.value(UP), alt.value(DOWN))
    price_axis = alt.Y("low:Q", title="price", scale=alt.Scale(zero=False))
    wick = base.mark_rule().encode(y=price_axis, y2="high:Q", color=direction)
    body = base.mark_bar().encode(y="open:Q", y2="close:Q", color=direction, tooltip=PRICE_TOOLTIP)
    layers: list[alt.Chart] = [wick, body]
    overlays = overlay_columns(frame)
    if overlays:
        lines = base.transform_fold(overlays, as_=["indicator", "value"]).mark_line(strokeWidth=1.5)
        layers.append(
            lines.encode(
                y="value:Q",
                color=alt.Color("indicator:N", title=None, legend=alt.Legend(orient="top-left")),
                tooltip=["indicator:N", alt.Tooltip("value:Q", format=",.2f")],
            )
        )
    if markers is not None and not markers.empty:
        layers.append(alert_rules(markers))
    price = alt.layer(*layers).resolve_scale(color="independent").properties(height=340)
    volume = base.mark_bar().encode(
        y=alt.Y("volume:Q", title="volume"),
        color=direction,
        tooltip=[alt.Tooltip("start:T", format="%H:%M"), alt.Tooltip("volume:Q", format=",.4f")],
    )
    chart: alt.VConcatChart = alt.vconcat(price, volume.properties(height=110)).resolve_scale(
        x="shared"
    )
    return chart


def alert_rules(markers: pd.DataFrame) -> alt.Chart:
    colour = alt.condition("datum.event == 'raised'", alt.value(ALERT), alt.value(CLEARED))
    chart: alt.Chart = (
        alt.Chart(markers)
        .mark_rule(strokeDash=[4, 3], strokeWidth=1.5)
        .encode(
            x="time:T",
            color=colour,
            tooltip=["rule:N", "event:N", alt.Tooltip("time:T", format="%Y-%m-%d %H:%M:%S")],
        )
    )
    return chart


def close_band_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Close price as a line over its high/low band."""
    base = alt.Chart(frame).encode(x=alt.X("start:T", title="time (UTC)"))
    band = base.mark_area(opacity=0.25).encode(
        y=alt.Y("low:Q", title="price", scale=alt.Scale(zero=False)), y2="high:Q"
    )
    line = base.mark_line().encode(y="close:Q", tooltip=PRICE_TOOLTIP)
    return alt.LayerChart(layer=[band, line], height=240)


def chart_start(
    now: datetime, span: timedelta, interval_s: int, max_points: int
) -> tuple[datetime, bool]:
    """Where a chart of `span` up to `now` starts, at most `max_points` candles back; and
    whether that cut the span short.

    The start is on a candle boundary, so every poll within one candle asks the API the
    same URL (its caches answer those from memory) and the first candle is a whole one.
    """
    start = _align(now - span, interval_s, up=False)
    earliest = _align(now - timedelta(seconds=interval_s * max_points), interval_s, up=True)
    return (earliest, True) if start < earliest else (start, False)


def _align(moment: datetime, interval_s: int, *, up: bool) -> datetime:
    seconds = moment.timestamp()
    aligned = seconds - seconds % interval_s
    if up and aligned < seconds:
        aligned += interval_s
    return datetime.fromtimestamp(aligned, moment.tzinfo)
