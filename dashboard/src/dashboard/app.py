"""The coinstream dashboard: `streamlit run dashboard/src/dashboard/app.py`."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard.charts import candles_frame, price_chart
from dashboard.client import ApiClient, ApiUnavailable
from dashboard.settings import DashboardSettings

settings = DashboardSettings()
st.set_page_config(page_title="coinstream", layout="wide")


@st.cache_resource
def api_client() -> ApiClient:
    return ApiClient(settings.api_url, settings.api_timeout_s)


st.title("coinstream")
with st.sidebar:
    source = st.text_input("Source", settings.default_source)
    symbol = st.text_input("Symbol", settings.default_symbol)
    interval = st.selectbox("Interval", ["1m", "5m", "1h", "1d"])


@st.fragment(run_every=timedelta(seconds=settings.refresh_s))
def live_chart() -> None:
    try:
        rows = api_client().candles(source, symbol, interval)
    except ApiUnavailable as error:
        st.warning(f"No data: {error}")
        return
    if not rows:
        st.info(f"No candles yet for {source} {symbol} {interval}.")
        return
    frame = candles_frame(rows)
    last = frame.iloc[-1]
    st.metric(f"{symbol} last close", f"{last['close']:,.2f}")
    st.altair_chart(price_chart(frame), use_container_width=True)


live_chart()
