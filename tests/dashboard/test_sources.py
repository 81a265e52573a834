from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dashboard.sources import default_source

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def pair(source: str, minutes_ago: float) -> dict[str, Any]:
    start = (NOW - timedelta(minutes=minutes_ago)).isoformat()
    return {"source": source, "symbol": "BTC-USD", "last_candle_start": start}


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([pair("coinbase", 1), pair("kraken", 2), pair("index", 1)], "index"),
        # One live source: its own feed, as configured.
        ([pair("coinbase", 1), pair("index", 1)], "coingecko"),
        # kraken stopped an hour ago: one live source.
        ([pair("coinbase", 1), pair("kraken", 60), pair("index", 1)], "coingecko"),
        # No index candles (INDEX_ENABLED=false): nothing to open on.
        ([pair("coinbase", 1), pair("kraken", 1)], "coingecko"),
    ],
)
def test_the_index_is_the_default_when_more_than_one_source_is_live(
    pairs: list[dict[str, Any]], expected: str
) -> None:
    assert default_source(pairs, "coingecko", NOW) == expected
