"""Kraken answers, parsed. Pure: JSON in, errors, candidate ticks, cursors and bars out.

Every answer is {"error": [...], "result": {...}}; errors arrive in the array, usually
with HTTP 200. Trades come as [price, volume, time_s, side, type, misc, trade_id] under
the pair's canonical name (XXBTZUSD for XBTUSD), beside `last`, the next call's cursor.
OHLC rows are [time_s, open, high, low, close, vwap, volume, count]. XBT means BTC.
"""

from __future__ import annotations

from producer.sources.bars import Bar
from producer.sources.base import SourceConfigError, SourceError
from producer.sources.decoding import BarDecoder, TradeDecoder
from producer.sources.exchange import TradeRow
from producer.sources.parsing import expect_dict, integer, seconds_to_ms

SOURCE_NAME = "kraken"
BAR_MINUTES = 5
_ASSET_NAMES = {"BTC": "XBT", "DOGE": "XDG"}
_RETRYABLE_ERRORS = {
    "EAPI:Rate limit exceeded": "rate_limited",
    "EGeneral:Too many requests": "rate_limited",
    "EService:Unavailable": "unavailable",
    "EService:Busy": "unavailable",
}
Cursor = tuple[str, int]  # (`last`, the newest trade id published)
_TRADES = TradeDecoder(
    SOURCE_NAME, "kraken trades", trade_id=6, price=0, size=1, time=2, time_ms=seconds_to_ms
)
_OHLC = BarDecoder(
    "kraken ohlc",
    ("start", "open", "high", "low", "close", "vwap", "volume"),
    start_unit_ms=1000,
    span_ms=BAR_MINUTES * 60_000,
)


def kraken_pair(symbol: str) -> str:
    base, quote = symbol.split("-")
    return _ASSET_NAMES.get(base, base) + _ASSET_NAMES.get(quote, quote)


def check_errors(payload: object) -> None:
    """Raise the SourceError that Kraken's `error` array stands for, if any."""
    errors = expect_dict(payload, "kraken").get("error", [])
    if not errors:
        return
    messages = [str(e) for e in errors] if isinstance(errors, list) else [str(errors)]
    detail = "; ".join(messages)[:200]
    for message in messages:
        if message.startswith("EQuery:Unknown asset pair"):
            raise SourceConfigError("unknown_symbol", detail)
        if message in _RETRYABLE_ERRORS:
            raise SourceError(_RETRYABLE_ERRORS[message], detail)
    raise SourceError("api_error", detail)


def pair_result(payload: object) -> tuple[object, object]:
    """The one pair's data in `result`, and `last` (None if absent)."""
    result = expect_dict(expect_dict(payload, "kraken").get("result"), "kraken.result")
    pairs = [key for key in result if key != "last"]
    if len(pairs) != 1:
        raise SourceError("bad_payload", f"kraken.result: expected one pair, got {pairs[:5]}")
    return result[pairs[0]], result.get("last")


def parse_trades(payload: object, symbol: str, ingest_time: int) -> tuple[list[TradeRow], str]:
    """(trade id, candidate) per trade, and the `last` cursor."""
    trades, last = pair_result(payload)
    if not isinstance(last, str | int) or isinstance(last, bool):
        raise SourceError("bad_payload", "kraken trades: no `last` cursor")
    return _TRADES(trades, symbol, ingest_time), str(last)


def parse_ohlc(payload: object) -> list[Bar]:
    rows, _ = pair_result(payload)
    return _OHLC(rows)


def encode_cursor(cursor: Cursor) -> str:
    return f"{cursor[0]}/{cursor[1]}"


def decode_cursor(text: str | None) -> Cursor | None:
    since, _, trade_id = (text or "").partition("/")
    number = integer(trade_id)
    return None if not since or number is None else (since, number)
