"""Binance answers, parsed. Pure: JSON and headers in, candidate ticks and bars out.

aggTrades: [{"a": id, "p": "price", "q": "qty", "f": first, "l": last, "T": ms, "m": ...}],
oldest first. Klines: [open_ms, "open", "high", "low", "close", "volume", close_ms, ...].
X-MBX-USED-WEIGHT-1m reports the request weight used in the current minute.
"""

from __future__ import annotations

import httpx

from producer.sources.base import SourceError
from producer.sources.decoding import BarDecoder, TradeDecoder
from producer.sources.parsing import expect_dict, integer

SOURCE_NAME = "binance"
BAR_MS = 5 * 60_000
WEIGHT_LIMIT_PER_MINUTE = 6000
WEIGHT_HEADROOM = 0.8


def binance_symbol(symbol: str) -> str:
    return symbol.replace("-", "")


parse_agg_trades = TradeDecoder(
    SOURCE_NAME, "aggTrades", trade_id="a", price="p", size="q", time="T", time_ms=integer
)
parse_klines = BarDecoder(
    "klines", ("start", "open", "high", "low", "close", "volume"), start_unit_ms=1, span_ms=BAR_MS
)


def check_price_ticker(payload: object, wanted: str) -> None:
    if expect_dict(payload, "ticker/price").get("symbol") != wanted:
        raise SourceError("bad_payload", f"ticker/price: not the ticker of {wanted}")


def seconds_to_next_minute(headers: httpx.Headers, now_ms: int) -> float | None:
    """How long to hold back when the used weight nears the per-minute limit, or None."""
    used = integer(headers.get("x-mbx-used-weight-1m"))
    if used is None or used < WEIGHT_LIMIT_PER_MINUTE * WEIGHT_HEADROOM:
        return None
    return (60_000 - now_ms % 60_000) / 1000
