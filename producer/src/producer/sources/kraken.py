"""Kraken: every trade of each pair through the `since` cursor of `/public/Trades`.

Trades come as [price, volume, time_s, side, type, misc, trade_id] under the pair's
canonical name (XXBTZUSD for XBTUSD), beside `last`, the cursor for the next call.
Errors arrive in the `error` array, usually with HTTP 200. XBT is Kraken's name for BTC.
The cursor saved is `last` and the newest trade id, so a boundary trade is never repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from coinstream_common.ticks import now_ms, trade_event_id
from producer.http import Params, SourceHttp
from producer.sources.bars import Bar, bar_trades, in_window
from producer.sources.base import PollResult, SourceConfigError, SourceError, validate_all
from producer.sources.parsing import decimal, expect_dict, expect_list, integer, seconds_to_ms

SOURCE_NAME = "kraken"
PAGE_LIMIT = 1000  # Trades answers at most this many per call
BAR_MINUTES = 5
_ASSET_NAMES = {"BTC": "XBT", "DOGE": "XDG"}
_RETRYABLE_ERRORS = {
    "EAPI:Rate limit exceeded": "rate_limited",
    "EGeneral:Too many requests": "rate_limited",
    "EService:Unavailable": "unavailable",
    "EService:Busy": "unavailable",
}
Cursor = tuple[str, int]  # (`last`, newest trade id)


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


def parse_trades(
    payload: object, symbol: str, ingest_time: int
) -> tuple[list[tuple[int, dict[str, object]]], str]:
    """(trade id, candidate) per trade, and the `last` cursor."""
    trades, last = pair_result(payload)
    if not isinstance(last, str | int) or isinstance(last, bool):
        raise SourceError("bad_payload", "kraken trades: no `last` cursor")
    rows: list[tuple[int, dict[str, object]]] = []
    for item in expect_list(trades, "kraken trades"):
        if not isinstance(item, list) or len(item) < 7 or (trade_id := integer(item[6])) is None:
            continue
        rows.append(
            (
                trade_id,
                {
                    "event_id": trade_event_id(SOURCE_NAME, symbol, trade_id),
                    "source": SOURCE_NAME,
                    "symbol": symbol,
                    "kind": "trade",
                    "price": decimal(item[0]),
                    "size": decimal(item[1]),
                    "event_time": seconds_to_ms(item[2]),
                    "ingest_time": ingest_time,
                },
            )
        )
    return rows, str(last)


def parse_ohlc(payload: object) -> list[Bar]:
    """Bars from OHLC rows [time_s, open, high, low, close, vwap, volume, count]."""
    rows, _ = pair_result(payload)
    bars = []
    for row in expect_list(rows, "kraken ohlc"):
        if not isinstance(row, list) or len(row) < 7 or (start := integer(row[0])) is None:
            continue
        open_, high, low, close = (decimal(v) for v in row[1:5])
        volume = decimal(row[6])
        bars.append(Bar(start * 1000, BAR_MINUTES * 60_000, open_, high, low, close, volume))
    return bars


def encode_cursor(cursor: Cursor) -> str:
    return f"{cursor[0]}/{cursor[1]}"


def decode_cursor(text: str | None) -> Cursor | None:
    since, _, trade_id = (text or "").partition("/")
    number = integer(trade_id)
    return None if not since or number is None else (since, number)


class KrakenSource:
    name = SOURCE_NAME
    supports_history = True

    def __init__(
        self,
        http: SourceHttp,
        *,
        symbols: Sequence[str],
        poll_interval_s: float,
        max_pages_per_poll: int = 10,
        now: Callable[[], int] = now_ms,
    ) -> None:
        self.poll_interval_s = poll_interval_s
        self._http = http
        self._symbols = list(symbols)
        self._max_pages = max_pages_per_poll
        self._now = now
        self._cursor: dict[str, Cursor] = {}

    @property
    def streams(self) -> Sequence[str]:
        return self._symbols

    async def start(self, cursors: Mapping[str, str]) -> None:
        for symbol in self._symbols:
            pair = kraken_pair(symbol)
            # An unknown pair fails here, at once, also when a cursor was saved.
            await self._get("/public/Ticker", {"pair": pair})
            saved = decode_cursor(cursors.get(symbol))
            if saved is None:
                latest = await self._get("/public/Trades", {"pair": pair})
                rows, last = parse_trades(latest, symbol, 0)
                saved = (last, max((trade_id for trade_id, _ in rows), default=0))
            self._cursor[symbol] = saved

    async def poll(self) -> PollResult:
        # Cursors move only when the whole poll succeeded, so a failure skips no trade.
        result, cursors = PollResult(), dict(self._cursor)
        for symbol in self._symbols:
            candidates, cursors[symbol] = await self._new_trades(symbol, cursors[symbol])
            checked = validate_all(candidates)
            result.ticks += checked.ticks
            result.rejected += checked.rejected
            result.cursors[symbol] = encode_cursor(cursors[symbol])
        self._cursor = cursors
        return result

    async def _new_trades(
        self, symbol: str, cursor: Cursor
    ) -> tuple[list[dict[str, object]], Cursor]:
        collected: list[dict[str, object]] = []
        for _ in range(self._max_pages):
            params: Params = {"pair": kraken_pair(symbol), "since": cursor[0]}
            payload = await self._get("/public/Trades", params)
            rows, last = parse_trades(payload, symbol, self._now())
            fresh = sorted((row for row in rows if row[0] > cursor[1]), key=lambda row: row[0])
            collected += [candidate for _, candidate in fresh]
            cursor = (last, fresh[-1][0] if fresh else cursor[1])
            if len(rows) < PAGE_LIMIT:
                break
        return collected, cursor

    async def history(self, stream: str, since_ms: int, until_ms: int) -> PollResult:
        params: Params = {
            "pair": kraken_pair(stream),
            "interval": BAR_MINUTES,
            "since": since_ms // 1000,
        }
        bars = parse_ohlc(await self._get("/public/OHLC", params))
        return validate_all(
            trade
            for bar in sorted(bars, key=lambda b: b.start_ms)
            if in_window(bar, since_ms, until_ms)
            for trade in bar_trades(SOURCE_NAME, stream, bar, until_ms)
        )

    async def _get(self, path: str, params: Params) -> object:
        return (await self._http.get_json(path, params, inspect=check_errors)).payload
