"""Binance: every aggregate trade of each symbol through the `fromId` cursor of aggTrades.

`/api/v3/aggTrades?symbol=BTCUSDT&fromId=<id>` returns trades from that id on, oldest
first. The price ticker checks each symbol at startup (an invalid symbol is a 400, a
restricted location a 451); history comes from 5-minute klines. Near the per-minute
weight limit the adapter holds back until the minute turns rather than earn a 429 (and,
after that, a 418 ban).
"""

from __future__ import annotations

from collections.abc import Mapping

from producer.http import Params
from producer.sources.bars import Bar
from producer.sources.binance_payloads import (
    SOURCE_NAME,
    binance_symbol,
    check_price_ticker,
    parse_agg_trades,
    parse_klines,
    seconds_to_next_minute,
)
from producer.sources.exchange import Candidate, ExchangeSource, TradeRow, follow_ids
from producer.sources.parsing import integer

PAGE_LIMIT = 1000


class BinanceSource(ExchangeSource[int]):
    name = SOURCE_NAME

    async def start(self, cursors: Mapping[str, str]) -> None:
        for symbol in self._symbols:
            market = binance_symbol(symbol)
            # Also with a saved cursor: an invalid symbol or a 451 fails here, at once.
            check_price_ticker(await self._get("/api/v3/ticker/price", {"symbol": market}), market)
            saved = integer(cursors.get(symbol))
            if saved is None:
                latest = await self._get("/api/v3/aggTrades", {"symbol": market, "limit": 1})
                saved = max((i for i, _ in parse_agg_trades(latest, symbol, 0)), default=-1)
            self._cursor[symbol] = saved

    async def _new_trades(self, symbol: str, cursor: int) -> tuple[list[Candidate], int]:
        async def page(after_id: int) -> list[TradeRow]:
            params: Params = {
                "symbol": binance_symbol(symbol),
                "fromId": after_id + 1,
                "limit": PAGE_LIMIT,
            }
            payload = await self._get("/api/v3/aggTrades", params)
            return parse_agg_trades(payload, symbol, self._now())

        return await follow_ids(page, cursor, page_limit=PAGE_LIMIT, max_pages=self._max_pages)

    async def _bars(self, symbol: str, since_ms: int, until_ms: int) -> list[Bar]:
        params: Params = {
            "symbol": binance_symbol(symbol),
            "interval": "5m",
            "startTime": since_ms,
            "endTime": until_ms,
            "limit": PAGE_LIMIT,
        }
        return parse_klines(await self._get("/api/v3/klines", params))

    async def _get(self, path: str, params: Params) -> object:
        response = await self._http.get_json(path, params)
        hold = seconds_to_next_minute(response.headers, self._now())
        if hold is not None:
            self._http.budget.hold(hold, "weight")
        return response.payload
