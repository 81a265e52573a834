"""Coinbase Exchange answers, parsed. Pure: JSON in, candidate ticks and bars out.

Trades: [{"time": "...Z", "trade_id": 74, "price": "10.00000000", "size": "0.01",
"side": "buy"}], newest first, numbers as strings, times with up to nanoseconds.
Candles: [[time_s, low, high, open, close, volume], ...], newest first.
"""

from __future__ import annotations

from producer.sources.base import SourceError
from producer.sources.decoding import BarDecoder, TradeDecoder
from producer.sources.parsing import expect_dict, integer, iso_to_ms

SOURCE_NAME = "coinbase"
BAR_SECONDS = 300  # 24 h of 5-minute candles fit the 300-candle limit of one request

parse_trades = TradeDecoder(
    SOURCE_NAME,
    "trades",
    trade_id="trade_id",
    price="price",
    size="size",
    time="time",
    time_ms=iso_to_ms,
)
parse_candles = BarDecoder(
    "candles",
    ("start", "low", "high", "open", "close", "volume"),
    start_unit_ms=1000,
    span_ms=BAR_SECONDS * 1000,
)


def parse_ticker_trade_id(payload: object) -> int:
    trade_id = integer(expect_dict(payload, "ticker").get("trade_id"))
    if trade_id is None:
        raise SourceError("bad_payload", "ticker: no integer trade_id")
    return trade_id
