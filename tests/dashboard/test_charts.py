from __future__ import annotations

from typing import Any

from dashboard.charts import candles_frame, price_chart

ROWS: list[dict[str, Any]] = [
    {
        "start": "2024-03-25T08:00:00Z",
        "open": 1.0,
        "high": 2.0,
        "low": 0.5,
        "close": 1.5,
        "volume": 3.0,
    },
    {
        "start": "2024-03-25T08:01:00Z",
        "open": 1.5,
        "high": 2.5,
        "low": 1.0,
        "close": 2.0,
        "volume": 1.0,
    },
]


def test_candle_rows_become_a_time_indexed_frame() -> None:
    frame = candles_frame(ROWS)
    assert list(frame["close"]) == [1.5, 2.0]
    assert str(frame["start"].dt.tz) == "UTC"


def test_no_rows_make_an_empty_frame() -> None:
    assert candles_frame([]).empty


def test_the_price_chart_layers_a_high_low_band_under_the_close() -> None:
    spec = price_chart(candles_frame(ROWS)).to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["area", "line"]
    assert spec["layer"][0]["encoding"]["y2"]["field"] == "high"
    assert spec["layer"][1]["encoding"]["y"]["field"] == "close"
