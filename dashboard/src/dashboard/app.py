"""The coinstream dashboard: `streamlit run dashboard/src/dashboard/app.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import streamlit as st

from dashboard.alerts import banner_line, markers_frame, on_series
from dashboard.charts import candles_frame, candlestick_chart, chart_start, close_band_chart
from dashboard.client import ApiClient, ApiUnavailable, NoData
from dashboard.kpis import BADGE_COLOURS, MISSING, build_kpis
from dashboard.settings import DashboardSettings
from dashboard.sources import default_source

settings = DashboardSettings()
INTERVALS = {"1m": 60, "5m": 300, "1h": 3600, "1d": 86400}
RANGES = {
    "1h": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
}
st.set_page_config(page_title="coinstream", layout="wide")


@st.cache_resource
def api_client() -> ApiClient:
    return ApiClient(settings.api_url, settings.api_timeout_s)


# Every session shares these answers for a moment, so N viewers cost the API one call.
@st.cache_data(ttl=settings.cache_ttl_s, show_spinner=False)
def fetch_symbols() -> list[dict[str, Any]]:
    return api_client().symbols()


@st.cache_data(ttl=settings.cache_ttl_s, show_spinner=False)
def fetch_latest(source: str, symbol: str) -> dict[str, Any]:
    return api_client().latest_price(source, symbol)


@st.cache_data(ttl=settings.cache_ttl_s, show_spinner=False)
def fetch_stats(source: str, symbol: str) -> dict[str, Any] | None:
    try:
        return api_client().stats(source, symbol, "24h")
    except NoData:
        return None


@st.cache_data(ttl=settings.cache_ttl_s, show_spinner=False)
def fetch_readiness() -> dict[str, Any]:
    return api_client().readiness()


@st.cache_data(ttl=settings.cache_ttl_s, show_spinner=False)
def fetch_candles(source: str, symbol: str, interval: str, span: str) -> tuple[list[Any], bool]:
    start, clipped = chart_start(
        datetime.now(UTC), RANGES[span], INTERVALS[interval], settings.max_points
    )
    # One more than max_points: a start exactly on a window boundary takes in one extra candle.
    rows = api_client().candles(source, symbol, interval, start, settings.max_points + 1)
    return rows, clipped


@st.cache_data(ttl=settings.cache_ttl_s, show_spinner=False)
def fetch_alerts(source: str, symbol: str, since: datetime) -> list[dict[str, Any]]:
    return on_series(api_client().alerts(source, symbol, since), source, symbol)


@dataclass(frozen=True)
class Choice:
    source: str
    symbol: str
    interval: str
    span: str
    sma_period: int | None
    ema_period: int | None
    refresh_s: float


def alerts_since(span: str) -> datetime:
    """The chart's range back from now, on a minute boundary so that polls share a URL."""
    start = datetime.now(UTC) - RANGES[span]
    return start.replace(second=0, microsecond=0)


def _index(options: list[str], wanted: str) -> int:
    return options.index(wanted) if wanted in options else 0


def sidebar(pairs: list[dict[str, Any]]) -> Choice:
    with st.sidebar:
        st.header("Chart")
        sources = sorted({row["source"] for row in pairs}) or [settings.default_source]
        preferred = default_source(pairs, settings.default_source, datetime.now(UTC))
        source = st.selectbox("Source", sources, index=_index(sources, preferred))
        symbols = sorted(row["symbol"] for row in pairs if row["source"] == source)
        symbols = symbols or [settings.default_symbol]
        symbol = st.selectbox("Symbol", symbols, index=_index(symbols, settings.default_symbol))
        interval = st.selectbox("Interval", list(INTERVALS))
        span = st.selectbox("Range", list(RANGES), index=2)
        st.header("Moving averages")
        sma_on = st.toggle("SMA", value=True)
        sma_period = st.number_input("SMA period", 2, 500, 20, disabled=not sma_on)
        ema_on = st.toggle("EMA", value=False)
        ema_period = st.number_input("EMA period", 2, 500, 50, disabled=not ema_on)
        refresh_s = st.number_input("Refresh every (s)", 0.5, 300.0, settings.refresh_s, step=0.5)
    return Choice(
        source,
        symbol,
        interval,
        span,
        int(sma_period) if sma_on else None,
        int(ema_period) if ema_on else None,
        float(refresh_s),
    )


def kpi_cards(choice: Choice, latest: dict[str, Any]) -> None:
    try:
        readiness: dict[str, Any] | None = fetch_readiness()
    except ApiUnavailable:
        readiness = None
    kpis = build_kpis(
        latest,
        fetch_stats(choice.source, choice.symbol),
        readiness,
        fresh_s=settings.fresh_s,
        stale_s=settings.stale_s,
    )
    cards = st.columns(6)
    cards[0].metric("Last price", kpis.last_price)
    cards[1].metric("24h change", kpis.change_24h or MISSING, delta=kpis.change_24h)
    cards[2].metric("24h high", kpis.high_24h)
    cards[3].metric("24h low", kpis.low_24h)
    cards[4].metric("24h volume", kpis.volume_24h)
    cards[5].metric("Last update", kpis.updated)
    with cards[5]:
        st.badge(kpis.staleness, color=BADGE_COLOURS[kpis.staleness])  # type: ignore[arg-type]
    st.caption(f"Pipeline: {kpis.pipeline}")


def alert_banner(alerts: list[dict[str, Any]]) -> None:
    active = [a for a in alerts if a["state"] == "active"]
    if active:
        st.warning(
            "  \n".join(banner_line(a) for a in active), icon=":material/notifications_active:"
        )


def charts(choice: Choice, alerts: list[dict[str, Any]]) -> None:
    rows, clipped = fetch_candles(choice.source, choice.symbol, choice.interval, choice.span)
    if not rows:
        st.info(f"No {choice.interval} candles for {choice.symbol} in the last {choice.span}.")
        return
    frame = candles_frame(rows, sma_period=choice.sma_period, ema_period=choice.ema_period)
    if clipped:
        st.caption(
            f"Showing the newest {settings.max_points} {choice.interval} candles; "
            "choose a coarser interval to see the whole range."
        )
    markers = markers_frame(alerts, frame["start"].iloc[0])
    st.altair_chart(candlestick_chart(frame, markers), use_container_width=True)
    st.altair_chart(close_band_chart(frame), use_container_width=True)


def live_view(choice: Choice) -> None:
    try:
        latest = fetch_latest(choice.source, choice.symbol)
        alerts = fetch_alerts(choice.source, choice.symbol, alerts_since(choice.span))
        alert_banner(alerts)
        kpi_cards(choice, latest)
        charts(choice, alerts)
    except NoData:
        st.info(f"No data yet for {choice.source} {choice.symbol}. It appears once ticks arrive.")
    except ApiUnavailable as error:
        st.error(f"Cannot reach the data: {error}. Retrying every {choice.refresh_s:g} s.")


st.title("coinstream")
try:
    known_pairs = fetch_symbols()
except ApiUnavailable as error:
    st.error(f"Cannot reach the data: {error}.")
    known_pairs = []
choice = sidebar(known_pairs)
st.subheader(f"{choice.symbol} · {choice.source} · {choice.interval}")
st.fragment(run_every=timedelta(seconds=choice.refresh_s))(live_view)(choice)
