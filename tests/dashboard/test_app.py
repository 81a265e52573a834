"""The Streamlit app, run by AppTest against a real API (uvicorn) over seeded candles."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import pytest
import streamlit as st
from fastapi import FastAPI
from pymongo.database import Database
from streamlit.testing.v1 import AppTest

from coinstream_common.alerts import AlertRecord, alert_document
from coinstream_common.mongo import Document
from devstack.net import free_port
from tests.support.api_server import serve

pytestmark = pytest.mark.integration
APP = Path(__file__).resolve().parents[2] / "dashboard" / "src" / "dashboard" / "app.py"


@pytest.fixture
def run_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], AppTest]]:
    def run(api_url: str) -> AppTest:
        monkeypatch.setenv("DASHBOARD_API_URL", api_url)
        monkeypatch.setenv("DASHBOARD_DEFAULT_SOURCE", "simulated")
        monkeypatch.setenv("DASHBOARD_DEFAULT_SYMBOL", "ETH-USD")
        # Caches are per process: start each app from nothing, as a new server would.
        st.cache_data.clear()
        st.cache_resource.clear()
        return AppTest.from_file(APP, default_timeout=30).run()

    yield run
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def api_url(make_app: Callable[..., FastAPI], seeded: Database[Document]) -> Iterator[str]:
    """The API with its default page sizes: the dashboard asks for up to 1440 candles."""
    with serve(make_app(seeded, default_limit=500, max_limit=1500)) as url:
        yield url


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_kpis_and_charts_over_seeded_data(run_app: Callable[[str], AppTest], api_url: str) -> None:
    app = run_app(api_url)
    assert not app.exception
    assert metrics(app) == {
        "Last price": "3,089.00",
        "24h change": "+2.97%",
        "24h high": "3,089.00",
        "24h low": "3,000.00",
        "24h volume": "180.0000",
        "Last update": metrics(app)["Last update"],
    }
    assert metrics(app)["Last update"].endswith("s ago")
    assert any("Pipeline: ready" in caption.value for caption in app.caption)
    assert any("fresh" in markdown.value for markdown in app.markdown)  # the staleness badge
    assert len(app.get("vega_lite_chart")) == 2
    # No alert: no banner, no marker layer.
    assert not app.warning
    assert "strokeDash" not in app.get("vega_lite_chart")[0].proto.spec


def test_the_sidebar_offers_what_the_api_has(
    run_app: Callable[[str], AppTest], api_url: str
) -> None:
    app = run_app(api_url)
    sidebar = {box.label: box for box in app.sidebar.selectbox}
    assert sidebar["Source"].options == ["coingecko", "simulated"]
    assert sidebar["Source"].value == "simulated"
    assert sidebar["Symbol"].options == ["BTC-USD", "ETH-USD"]
    assert sidebar["Interval"].options == ["1m", "5m", "1h", "1d"]
    assert sidebar["Range"].options == ["1h", "6h", "24h", "7d"]
    assert [toggle.label for toggle in app.sidebar.toggle] == ["SMA", "EMA"]
    assert [n.label for n in app.sidebar.number_input] == [
        "SMA period",
        "EMA period",
        "Refresh every (s)",
    ]
    assert app.sidebar.number_input[2].value == 2.0
    sidebar["Interval"].set_value("5m").run()
    assert not app.exception
    assert "ETH-USD · simulated · 5m" in [header.value for header in app.subheader]
    assert any("No 5m candles" in info.value for info in app.info)


def test_a_symbol_without_data_gets_a_clear_message(
    run_app: Callable[[str], AppTest],
    make_app: Callable[..., FastAPI],
    new_database: Callable[[], Database[Document]],
) -> None:
    with serve(make_app(new_database())) as empty_api:
        app = run_app(empty_api)
    assert not app.exception
    assert any("No data yet for simulated ETH-USD" in info.value for info in app.info)


def test_an_unreachable_api_gets_a_clear_message(run_app: Callable[[str], AppTest]) -> None:
    app = run_app(f"http://127.0.0.1:{free_port()}")
    assert not app.exception
    assert app.error
    assert all("Cannot reach the data" in error.value for error in app.error)


def test_an_active_alert_on_the_series_shows_in_a_banner_and_on_the_chart(
    run_app: Callable[[str], AppTest], api_url: str, seeded: Database[Document]
) -> None:
    now_ms = int(time.time() * 1000)
    raised = AlertRecord(
        id=f"eth-move/simulated/ETH-USD/{now_ms - 600_000}",
        rule="eth-move",
        kind="price_move",
        subject="simulated/ETH-USD",
        source="simulated",
        symbol="ETH-USD",
        state="active",
        raised_at=now_ms - 600_000,
        threshold=3.0,
        raise_value=3.5,
    )
    elsewhere = msgspec.structs.replace(
        raised, id="btc-move", subject="simulated/BTC-USD", symbol="BTC-USD"
    )
    seeded["alerts"].insert_many([alert_document(raised), alert_document(elsewhere)])

    app = run_app(api_url)

    assert not app.exception
    [banner] = app.warning
    assert "**eth-move** · simulated/ETH-USD: moved 3.50 % (at least 3 %)" in banner.value
    assert "BTC-USD" not in banner.value
    # The marker layer, a dashed rule, is there only when an alert falls in the chart.
    assert "strokeDash" in app.get("vega_lite_chart")[0].proto.spec
