"""Coinbase Exchange answers, parsed. Pure: JSON in, candidate ticks and bars out.

Trades: [{"time": "...Z", "trade_id": 74, "price": "10.00000000", "size": "0.01",
"side": "buy"}], newest first, numbers as strings, times with up to nanoseconds.
Candles: [[time_s, low, high, open, close, volume], ...], newest first.
"""

from __future__ import annotations

from coinstream_common.ticks import trade_event_id
from producer.sources.bars import Bar
from producer.sources.base import SourceError
from producer.sources.exchange import TradeRow
from producer.sources.parsing import decimal, expect_dict, expect_list, integer, iso_to_ms

SOURCE_NAME = "coinbase"
BAR_SECONDS = 300  # 24 h of 5-minute candles fit the 300-candle limit of one request


def parse_trades(payload: object, symbol: str, ingest_time: int) -> list[TradeRow]:
    """(trade id, candidate tick) per trade; a trade without an integer id is unusable."""
    rows: list[TradeRow] = []
    for item in expect_list(payload, "trades"):
        trade = item if isinstance(item, dict) else {}
        if (trade_id := integer(trade.get("trade_id"))) is None:
            continue
        candidate: dict[str, object] = {
            "event_id": trade_event_id(SOURCE_NAME, symbol, trade_id),
            "source": SOURCE_NAME,
            "symbol": symbol,
            "kind": "trade",
            "price": decimal(trade.get("price")),
            "size": decimal(trade.get("size")),
            "event_time": iso_to_ms(trade.get("time")),
            "ingest_time": ingest_time,
        }
        rows.append((trade_id, candidate))
    return rows


def parse_ticker_trade_id(payload: object) -> int:
    trade_id = integer(expect_dict(payload, "ticker").get("trade_id"))
    if trade_id is None:
        raise SourceError("bad_payload", "ticker: no integer trade_id")
    return trade_id


def parse_candles(payload: object) -> list[Bar]:
    bars = []
    for row in expect_list(payload, "candles"):
        if not isinstance(row, list) or len(row) < 6 or (start := integer(row[0])) is None:
            continue
        low, high, open_, close, volume = (decimal(v) for v in row[1:6])
        bars.append(Bar(start * 1000, BAR_SECONDS * 1000, open_, high, low, close, volume))
    return bars
