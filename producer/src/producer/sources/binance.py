"""Binance: every aggregate trade of each symbol through the `fromId` cursor of aggTrades.

`/api/v3/aggTrades?symbol=BTCUSDT&fromId=<id>` returns trades from that id on, oldest
first: [{"a": id, "p": "price", "q": "qty", "T": ms, ...}]. The price ticker checks each
symbol at startup; history comes from 5-minute klines. Binance reports the request
weight used this minute in X-MBX-USED-WEIGHT-1m; near the limit we hold back until the
minute turns rather than earn a 429 (and, after that, a 418 ban).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import httpx

from coinstream_common.ticks import now_ms, trade_event_id
from producer.http import Params, SourceHttp
from producer.sources.bars import Bar, bar_trades, in_window
from producer.sources.base import PollResult, SourceError, validate_all
from producer.sources.parsing import decimal, expect_dict, expect_list, integer

SOURCE_NAME = "binance"
PAGE_LIMIT = 1000
BAR_MS = 5 * 60_000
WEIGHT_LIMIT_PER_MINUTE = 6000
WEIGHT_HEADROOM = 0.8

TradeRow = tuple[int, dict[str, object]]


def binance_symbol(symbol: str) -> str:
    return symbol.replace("-", "")


def parse_agg_trades(payload: object, symbol: str, ingest_time: int) -> list[TradeRow]:
    rows: list[TradeRow] = []
    for item in expect_list(payload, "aggTrades"):
        trade = item if isinstance(item, dict) else {}
        if (trade_id := integer(trade.get("a"))) is None:
            continue
        rows.append(
            (
                trade_id,
                {
                    "event_id": trade_event_id(SOURCE_NAME, symbol, trade_id),
                    "source": SOURCE_NAME,
                    "symbol": symbol,
                    "kind": "trade",
                    "price": decimal(trade.get("p")),
                    "size": decimal(trade.get("q")),
                    "event_time": integer(trade.get("T")),
                    "ingest_time": ingest_time,
                },
            )
        )
    return rows


def parse_klines(payload: object) -> list[Bar]:
    """Bars from kline rows [open_ms, "open", "high", "low", "close", "volume", close_ms, ...]."""
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


def seconds_to_next_minute(headers: httpx.Headers, now_ms_: int) -> float | None:
    """How long to hold back when the used weight nears the per-minute limit, or None."""
    used = integer(headers.get("x-mbx-used-weight-1m"))
    if used is None or used < WEIGHT_LIMIT_PER_MINUTE * WEIGHT_HEADROOM:
        return None
    return (60_000 - now_ms_ % 60_000) / 1000


class BinanceSource:
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
        self._cursor: dict[str, int] = {}  # the newest aggregate trade id published

    @property
    def streams(self) -> Sequence[str]:
        return self._symbols

    async def start(self, cursors: Mapping[str, str]) -> None:
        for symbol in self._symbols:
            market = binance_symbol(symbol)
            # Also with a saved cursor: an invalid symbol (400) or a 451 fails here, at once.
            check_price_ticker(await self._get("/api/v3/ticker/price", {"symbol": market}), market)
            saved = integer(cursors.get(symbol))
            if saved is None:
                latest = await self._get("/api/v3/aggTrades", {"symbol": market, "limit": 1})
                saved = max((i for i, _ in parse_agg_trades(latest, symbol, 0)), default=-1)
            self._cursor[symbol] = saved

    async def poll(self) -> PollResult:
        # Cursors move only when the whole poll succeeded, so a failure skips no trade.
        result, cursors = PollResult(), dict(self._cursor)
        for symbol in self._symbols:
            rows, cursors[symbol] = await self._new_trades(symbol, cursors[symbol])
            checked = validate_all(candidate for _, candidate in rows)
            result.ticks += checked.ticks
            result.rejected += checked.rejected
            result.cursors[symbol] = str(cursors[symbol])
        self._cursor = cursors
        return result

    async def _new_trades(self, symbol: str, cursor: int) -> tuple[list[TradeRow], int]:
        collected: list[TradeRow] = []
        for _ in range(self._max_pages):
            params: Params = {
                "symbol": binance_symbol(symbol),
                "fromId": cursor + 1,
                "limit": PAGE_LIMIT,
            }
            payload = await self._get("/api/v3/aggTrades", params)
            rows = parse_agg_trades(payload, symbol, self._now())
            page = sorted((row for row in rows if row[0] > cursor), key=lambda row: row[0])
            if not page:
                break
            collected += page
            cursor = page[-1][0]
            if len(rows) < PAGE_LIMIT:
                break
        return collected, cursor

    async def history(self, stream: str, since_ms: int, until_ms: int) -> PollResult:
        params: Params = {
            "symbol": binance_symbol(stream),
            "interval": "5m",
            "startTime": since_ms,
            "endTime": until_ms,
            "limit": PAGE_LIMIT,
        }
        bars = parse_klines(await self._get("/api/v3/klines", params))
        return validate_all(
            trade
            for bar in sorted(bars, key=lambda b: b.start_ms)
            if in_window(bar, since_ms, until_ms)
            for trade in bar_trades(SOURCE_NAME, stream, bar, until_ms)
        )

    async def _get(self, path: str, params: Params) -> object:
        response = await self._http.get_json(path, params)
        hold = seconds_to_next_minute(response.headers, self._now())
        if hold is not None:
            self._http.budget.hold(hold, "weight")
        return response.payload
