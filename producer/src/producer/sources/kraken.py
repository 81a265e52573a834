"""Kraken: every trade of each pair through the `since` cursor of `/public/Trades`.

The cursor saved is `last` with the newest trade id published, so a trade at the
boundary of two calls is never published twice. The Ticker checks each pair at startup.
"""

from __future__ import annotations

from collections.abc import Mapping

from producer.http import Params
from producer.sources.bars import Bar
from producer.sources.exchange import Candidate, ExchangeSource
from producer.sources.kraken_payloads import (
    BAR_MINUTES,
    SOURCE_NAME,
    Cursor,
    check_errors,
    decode_cursor,
    encode_cursor,
    kraken_pair,
    parse_ohlc,
    parse_trades,
)

PAGE_LIMIT = 1000  # Trades answers at most this many per call


class KrakenSource(ExchangeSource[Cursor]):
    name = SOURCE_NAME

    async def start(self, cursors: Mapping[str, str]) -> None:
        for symbol in self._symbols:
            pair = kraken_pair(symbol)
            # An unknown pair fails here, at once, also when a cursor was saved.
            await self._get("/public/Ticker", {"pair": pair})
            saved = decode_cursor(cursors.get(symbol))
            if saved is None:
                rows, last = parse_trades(
                    await self._get("/public/Trades", {"pair": pair}), symbol, 0
                )
                saved = (last, max((trade_id for trade_id, _ in rows), default=0))
            self._cursor[symbol] = saved

    def _encode(self, cursor: Cursor) -> str:
        return encode_cursor(cursor)

    async def _new_trades(self, symbol: str, cursor: Cursor) -> tuple[list[Candidate], Cursor]:
        collected: list[Candidate] = []
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

    async def _bars(self, symbol: str, since_ms: int, until_ms: int) -> list[Bar]:  # noqa: ARG002
        # OHLC takes no end: it answers up to now, and the window is cut by the caller.
        params: Params = {
            "pair": kraken_pair(symbol),
            "interval": BAR_MINUTES,
            "since": since_ms // 1000,
        }
        return parse_ohlc(await self._get("/public/OHLC", params))

    async def _get(self, path: str, params: Params) -> object:
        return (await self._http.get_json(path, params, inspect=check_errors)).payload
