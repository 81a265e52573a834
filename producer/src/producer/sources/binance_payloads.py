"""Binance answers, parsed. Pure: JSON and headers in, candidate ticks and bars out.

aggTrades: [{"a": id, "p": "price", "q": "qty", "f": first, "l": last, "T": ms, "m": ...}],
oldest first. Klines: [open_ms, "open", "high", "low", "close", "volume", close_ms, ...].
X-MBX-USED-WEIGHT-1m reports the request weight used in the current minute.
"""

from __future__ import annotations

import httpx

from coinstream_common.ticks import trade_event_id
from producer.sources.bars import Bar
from producer.sources.base import SourceError
from producer.sources.exchange import TradeRow
from producer.sources.parsing import decimal, expect_dict, expect_list, integer

SOURCE_NAME = "binance"
BAR_MS = 5 * 60_000
WEIGHT_LIMIT_PER_MINUTE = 6000
WEIGHT_HEADROOM = 0.8


def binance_symbol(symbol: str) -> str:
    return symbol.replace("-", "")


def parse_agg_trades(payload: object, symbol: str, ingest_time: int) -> list[TradeRow]:
    rows: list[TradeRow] = []
    for item in expect_list(payload, "aggTrades"):
        trade = item if isinstance(item, dict) else {}
        if (trade_id := integer(trade.get("a"))) is None:
            continue
        candidate: dict[str, object] = {
            "event_id": trade_event_id(SOURCE_NAME, symbol, trade_id),
            "source": SOURCE_NAME,
            "symbol": symbol,
            "kind": "trade",
            "price": decimal(trade.get("p")),
            "size": decimal(trade.get("q")),
            "event_time": integer(trade.get("T")),
            "ingest_time": ingest_time,
        }
        rows.append((trade_id, candidate))
    return rows


def parse_klines(payload: object) -> list[Bar]:
    bars = []
    for row in expect_list(payload, "klines"):
        if not isinstance(row, list) or len(row) < 6 or (start := integer(row[0])) is None:
            continue
        open_, high, low, close, volume = (decimal(v) for v in row[1:6])
        bars.append(Bar(start, BAR_MS, open_, high, low, close, volume))
    return bars


def check_price_ticker(payload: object, wanted: str) -> None:
    if expect_dict(payload, "ticker/price").get("symbol") != wanted:
        raise SourceError("bad_payload", f"ticker/price: not the ticker of {wanted}")


def seconds_to_next_minute(headers: httpx.Headers, now_ms: int) -> float | None:
    """How long to hold back when the used weight nears the per-minute limit, or None."""
    used = integer(headers.get("x-mbx-used-weight-1m"))
    if used is None or used < WEIGHT_LIMIT_PER_MINUTE * WEIGHT_HEADROOM:
        return None
    return (60_000 - now_ms % 60_000) / 1000
