"""Coinbase Exchange: every trade of each product, through the trades cursor.

`GET /products/{id}/trades?before=<trade_id>` returns the page of trades just newer than
that id ("before" means newer in Coinbase's pagination; "after" pages back into older
trades). Following it from the last trade published, page by page, gives every trade
exactly once. The ticker checks each product at startup and gives the newest trade id
to start from; history comes from 5-minute candles.
"""

from __future__ import annotations

from collections.abc import Mapping

from coinstream_common.epoch import to_datetime
from producer.http import Params
from producer.sources.bars import Bar
from producer.sources.coinbase_payloads import (
    BAR_SECONDS,
    SOURCE_NAME,
    parse_candles,
    parse_ticker_trade_id,
    parse_trades,
)
from producer.sources.exchange import Candidate, ExchangeSource, TradeRow, follow_ids
from producer.sources.parsing import integer

PAGE_LIMIT = 1000  # the documented maximum


class CoinbaseSource(ExchangeSource[int]):
    name = SOURCE_NAME

    async def start(self, cursors: Mapping[str, str]) -> None:
        for product in self._symbols:
            # Also for products with a cursor: an unknown product (404) fails here, at once.
            ticker = await self._http.get_json(f"/products/{product}/ticker")
            newest = parse_ticker_trade_id(ticker.payload)
            saved = integer(cursors.get(product))
            self._cursor[product] = newest if saved is None else saved

    async def _new_trades(self, symbol: str, cursor: int) -> tuple[list[Candidate], int]:
        async def page(after_id: int) -> list[TradeRow]:
            params = {"before": after_id, "limit": PAGE_LIMIT}
            response = await self._http.get_json(f"/products/{symbol}/trades", params)
            return parse_trades(response.payload, symbol, self._now())

        return await follow_ids(page, cursor, page_limit=PAGE_LIMIT, max_pages=self._max_pages)

    async def _bars(self, symbol: str, since_ms: int, until_ms: int) -> list[Bar]:
        params: Params = {
            "granularity": BAR_SECONDS,
            "start": to_datetime(since_ms).isoformat(),
            "end": to_datetime(until_ms).isoformat(),
        }
        return parse_candles(
            (await self._http.get_json(f"/products/{symbol}/candles", params)).payload
        )
