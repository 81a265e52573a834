from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from dashboard.alerts import banner_line, markers_frame, on_series


def alert(**fields: Any) -> dict[str, Any]:
    base = {
        "id": "move/coinbase/BTC-USD/1711353600000",
        "rule": "move",
        "kind": "price_move",
        "subject": "coinbase/BTC-USD",
        "source": "coinbase",
        "symbol": "BTC-USD",
        "state": "active",
        "raised_at": "2024-03-25T08:00:00Z",
        "resolved_at": None,
        "threshold": 3.0,
        "raise_value": 3.25,
        "resolve_value": None,
    }
    return base | fields


def test_a_series_shows_its_own_alerts_and_the_pipelines() -> None:
    own, other, pipeline = (
        alert(),
        alert(id="x", source="kraken"),
        alert(id="lag", source=None, symbol=None, subject="consumer"),
    )

    assert on_series([own, other, pipeline], "coinbase", "BTC-USD") == [own, pipeline]


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        (
            {},
            "**move** · coinbase/BTC-USD: moved 3.25 % (at least 3 %), since 2024-03-25 08:00 UTC",
        ),
        (
            {"kind": "price_cross", "threshold": 100_000.0, "raise_value": 100_250.5},
            "price 100,250.50, at or above 100,000.00",
        ),
        (
            {"kind": "price_cross", "threshold": -90_000.0, "raise_value": -89_000.0},
            "price 89,000.00, at or below 90,000.00",
        ),
        (
            {"kind": "stale_feed", "threshold": 120.0, "raise_value": 121.4},
            "no tick for 121 s (at most 120 s)",
        ),
        (
            {"kind": "consumer_lag", "threshold": 10_000.0, "raise_value": 25_000.0},
            "consumer behind: 25000 (at most 10000)",
        ),
    ],
)
def test_a_banner_line_says_what_happened_in_the_words_of_its_kind(
    fields: dict[str, Any], says: str
) -> None:
    assert says in banner_line(alert(**fields))


def test_markers_are_the_raises_and_resolves_within_the_chart() -> None:
    alerts = [
        alert(raised_at="2024-03-25T08:00:00Z", resolved_at="2024-03-25T08:30:00Z"),
        alert(id="old", raised_at="2024-03-25T06:00:00Z", resolved_at="2024-03-25T07:10:00Z"),
    ]

    frame = markers_frame(alerts, datetime(2024, 3, 25, 7, tzinfo=UTC))

    assert frame.to_dict("records") == [
        {"time": datetime(2024, 3, 25, 8, tzinfo=UTC), "event": "raised", "rule": "move"},
        {"time": datetime(2024, 3, 25, 8, 30, tzinfo=UTC), "event": "resolved", "rule": "move"},
        {"time": datetime(2024, 3, 25, 7, 10, tzinfo=UTC), "event": "resolved", "rule": "move"},
    ]
    assert markers_frame([], datetime(2024, 3, 25, tzinfo=UTC)).empty
