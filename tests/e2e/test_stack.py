"""The whole stack as processes, configured by docker-compose.yml, on the real servers."""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from playwright.sync_api import sync_playwright

from devstack.stack import Endpoints, LocalStack
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.support.local_stack import JUMP_RULE, stack_variables
from tests.support.servers import ServerAddresses
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
# Git ignores it: a test run leaves the tree as it found it. `make screenshot` copies it
# to docs/images/dashboard.png, the README's picture.
SCREENSHOT = ROOT / ".artifacts" / "dashboard.png"


@pytest.fixture(scope="module")
def stack(
    servers: ServerAddresses, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    suffix = uuid.uuid4().hex[:8]
    variables = stack_variables(suffix)
    endpoints = Endpoints(servers.kafka_bootstrap, servers.mongo_uri)
    local = LocalStack(ROOT, endpoints, variables, tmp_path_factory.mktemp("e2e-logs"))
    try:
        local.start()
        yield local
    finally:
        api_log = local.processes["api"].log_path if "api" in local.processes else None
        codes = local.stop()
    # uvicorn re-raises SIGTERM after a graceful shutdown, so its status is -15 then.
    assert api_log is not None
    assert "Application shutdown complete" in api_log.read_text()
    assert codes == {**dict.fromkeys(codes, 0), "api": codes["api"]}, f"unclean shutdown: {codes}"
    assert codes["api"] in {0, -signal.SIGTERM}


def api_url(stack: LocalStack) -> str:
    return f"http://127.0.0.1:{stack.environment('api')['API_PORT']}"


def latest_btc_candle(stack: LocalStack) -> dict[str, object] | None:
    """The newest 1-minute candle; the last 10 minutes hold it, whatever the backfill did."""
    since = datetime.now(UTC) - timedelta(minutes=10)
    response = httpx.get(
        f"{api_url(stack)}/v1/candles",
        params={
            "source": "simulated",
            "symbol": "BTC-USD",
            "interval": "1m",
            "start": since.isoformat(),
        },
        # Longer than the API's own query timeout (10 s): a stalled query then fails the
        # test with the API's 503, and its log says why, instead of a bare client timeout.
        timeout=15,
    )
    response.raise_for_status()
    candles: list[dict[str, object]] = response.json()["candles"]
    return candles[-1] if candles else None


def total_count(stack: LocalStack) -> int:
    candle = latest_btc_candle(stack)
    return int(candle["count"]) if candle else 0  # type: ignore[call-overload]


def test_simulated_ticks_become_growing_candles_in_the_api(stack: LocalStack) -> None:
    first = wait_until(lambda: latest_btc_candle(stack), timeout_s=30, what="a first candle")
    assert first is not None
    later = wait_until(
        lambda: latest_btc_candle(stack),
        lambda newest: (
            newest is not None
            and (newest["start"], newest["count"]) != (first["start"], first["count"])
        ),
        timeout_s=30,
        what="the newest candle to change",
    )
    assert later is not None
    # Either the same window has grown, or a new window has opened since.
    assert (later["start"], later["count"]) != (first["start"], first["count"])
    if later["start"] == first["start"]:
        assert int(later["count"]) > int(first["count"])  # type: ignore[call-overload]
    assert float(later["high"]) >= float(later["low"]) > 0  # type: ignore[arg-type]


def active_jump_alerts(stack: LocalStack) -> list[dict[str, Any]]:
    response = httpx.get(f"{api_url(stack)}/v1/alerts", params={"state": "active"}, timeout=15)
    response.raise_for_status()
    return [a for a in response.json()["alerts"] if a["rule"] == JUMP_RULE]


def test_a_scripted_jump_raises_an_alert_in_the_api_and_on_the_stream(stack: LocalStack) -> None:
    wait_until(lambda: active_jump_alerts(stack), timeout_s=90, what="the jump's alert")
    [alert] = active_jump_alerts(stack)
    assert (alert["source"], alert["symbol"], alert["kind"]) == (
        "simulated",
        "BTC-USD",
        "price_move",
    )
    assert alert["raise_value"] >= 5
    params = {"source": "simulated", "symbol": "BTC-USD"}
    deadline = time.monotonic() + 20
    with httpx.stream("GET", f"{api_url(stack)}/v1/stream", params=params, timeout=20) as response:
        # An active alert comes in the stream's first events.
        for line in response.iter_lines():
            assert time.monotonic() < deadline, "the alert did not come on the stream"
            if line.startswith("data:") and f'"id":"{alert["id"]}"' in line:
                break
    assert orjson.loads(line.removeprefix("data:"))["state"] == "active"


def test_the_dashboard_is_healthy_and_renders_a_chart(stack: LocalStack) -> None:
    port = stack.environment("dashboard")["STREAMLIT_SERVER_PORT"]
    url = f"http://127.0.0.1:{port}"
    assert httpx.get(f"{url}/_stcore/health", timeout=5).text == "ok"
    wait_until(lambda: total_count(stack), timeout_s=30, what="data to chart")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            chart = page.locator(".vega-embed canvas, .vega-embed svg.marks").first
            chart.wait_for(state="visible", timeout=45_000)
            box = chart.bounding_box()
            assert box is not None
            assert box["width"] > 300
            assert box["height"] > 200
            page.get_by_text("Last price").first.wait_for(state="visible", timeout=15_000)
            # The jump's alert, in the banner above the cards.
            page.get_by_text(JUMP_RULE).first.wait_for(state="visible", timeout=30_000)
            page.wait_for_timeout(1_000)  # let the fragment settle before the picture
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
