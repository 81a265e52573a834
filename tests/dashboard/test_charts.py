from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dashboard.charts import candles_frame, candlestick_chart, chart_start, close_band_chart

ROWS: list[dict[str, Any]] = [
    {
        "start": f"2024-03-25T08:0{i}:00Z",
        "open": 1.0 + i,
        "high": 2.5 + i,
        "low": 0.5 + i,
        "close": 1.5 + i,
        "volume": 3.0,
        "count": 2,
    }
    for i in range(5)
]


def test_candle_rows_become_a_time_indexed_frame_with_indicators() -> None:
    frame = candles_frame(ROWS, sma_period=2, ema_period=3)
    assert list(frame["close"]) == [1.5, 2.5, 3.5, 4.5, 5.5]
    assert str(frame["start"].dt.tz) == "UTC"
    assert list(frame["SMA 2"])[1:] == [2.0, 3.0, 4.0, 5.0]
    assert list(frame["EMA 3"])[2] == 2.5


def test_no_rows_make_an_empty_frame() -> None:
    assert candles_frame([]).empty


def test_candles_and_volume_share_the_time_axis() -> None:
    spec = candlestick_chart(candles_frame(ROWS, sma_period=2)).to_dict()
    price, volume = spec["vconcat"]
    assert spec["resolve"]["scale"]["x"] == "shared"
    marks = [
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        for layer in price["layer"]
    ]
    assert marks == ["rule", "bar", "line"]
    assert price["layer"][0]["encoding"]["y2"]["field"] == "high"
    assert price["layer"][1]["encoding"]["y2"]["field"] == "close"
    assert price["layer"][2]["transform"][0]["fold"] == ["SMA 2"]
    assert volume["encoding"]["y"]["field"] == "volume"
    assert volume["encoding"]["x"]["field"] == "start"


def test_without_overlays_there_is_no_indicator_line() -> None:
    price = candlestick_chart(candles_frame(ROWS)).to_dict()["vconcat"][0]
    assert len(price["layer"]) == 2


def test_the_close_line_sits_on_a_high_low_band() -> None:
    spec = close_band_chart(candles_frame(ROWS)).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["area", "line"]
    assert spec["layer"][0]["encoding"]["y2"]["field"] == "high"


def test_a_chart_starts_no_more_than_max_points_back() -> None:
    now = datetime(2024, 3, 25, tzinfo=UTC)
    assert chart_start(now, timedelta(hours=1), 60, 1440) == (now - timedelta(hours=1), False)
    assert chart_start(now, timedelta(hours=24), 60, 1440) == (now - timedelta(hours=24), False)
    start, clipped = chart_start(now, timedelta(days=7), 60, 1440)
    assert clipped
    assert start == now - timedelta(minutes=1440)


def test_a_chart_starts_on_a_candle_boundary_so_polls_repeat_one_url() -> None:
    now = datetime(2024, 3, 25, 0, 0, 30, tzinfo=UTC)
    later = now + timedelta(seconds=20)
    hour_back = datetime(2024, 3, 24, 23, 0, tzinfo=UTC)
    assert chart_start(now, timedelta(hours=1), 60, 1440) == (hour_back, False)
    assert chart_start(later, timedelta(hours=1), 60, 1440) == (hour_back, False)
    # Clipped, the start rounds up: never more candles than max_points.
    start, clipped = chart_start(now, timedelta(days=7), 60, 1440)
    assert (start, clipped) == (datetime(2024, 3, 24, 0, 1, tzinfo=UTC), True)
