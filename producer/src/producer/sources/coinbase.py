"""Coinbase Exchange: every trade of each product, through the trades cursor.

`GET /products/{id}/trades?before=<trade_id>` returns the page of trades just newer than
that id, newest first ("before" means newer in Coinbase's pagination; "after" pages back
into older trades). Following it from the last trade we published, page by page, gives
every trade exactly once. The ticker (`/products/{id}/ticker`) checks the product at
startup and gives the newest trade id to start from; history comes from 5-minute
candles, rows [time, low, high, open, close, volume], newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from coinstream_common.ticks import now_ms, trade_event_id
from producer.http import Params, SourceHttp
from producer.sources.bars import Bar, bar_trades, in_window
from producer.sources.base import PollResult, SourceError, validate_all
from producer.sources.parsing import decimal, expect_dict, expect_list, integer, iso_to_ms

SOURCE_NAME = "coinbase"
PAGE_LIMIT = 1000  # the documented maximum
BAR_SECONDS = 300  # 24 h of 5-minute candles fit the 300-candle limit of one request

TradeRow = tuple[int, dict[str, object]]


def parse_trades(payload: object, symbol: str, ingest_time: int) -> list[TradeRow]:
    """(trade id, candidate tick) per trade; a trade without an integer id is unusable."""
    rows: list[TradeRow] = []
    for item in expect_list(payload, "trades"):
        trade = item if isinstance(item, dict) else {}
        trade_id = integer(trade.get("trade_id"))
        if trade_id is None:
            continue
        rows.append(
            (
                trade_id,
                {
                    "event_id": trade_event_id(SOURCE_NAME, symbol, trade_id),
                    "source": SOURCE_NAME,
                    "symbol": symbol,
                    "kind": "trade",
                    "price": decimal(trade.get("price")),
                    "size": decimal(trade.get("size")),
                    "event_time": iso_to_ms(trade.get("time")),
                    "ingest_time": ingest_time,
                },
            )
        )
    return rows


def parse_ticker_trade_id(payload: object) -> int:
    trade_id = integer(expect_dict(payload, "ticker").get("trade_id"))
    if trade_id is None:
        raise SourceError("bad_payload", "ticker: no integer trade_id")
    return trade_id


def parse_candles(payload: object) -> list[Bar]:
    bars = []
    for row in expect_list(payload, "candles"):
        if not isinstance(row, list) or len(row) < 6 or integer(row[0]) is None:
            continue
        low, high, open_, close, volume = (decimal(v) for v in row[1:6])
        start = integer(row[0]) or 0
        bars.append(Bar(start * 1000, BAR_SECONDS * 1000, open_, high, low, close, volume))
    return bars


class CoinbaseSource:
    name = SOURCE_NAME
    supports_history = True

    def __init__(
        self,
        http: SourceHttp,
        *,
        products: Sequence[str],
        poll_interval_s: float,
        max_pages_per_poll: int = 20,
        now: Callable[[], int] = now_ms,
    ) -> None:
        self.poll_interval_s = poll_interval_s
        self._http = http
        self._products = list(products)
        self._max_pages = max_pages_per_poll
        self._now = now
        self._cursor: dict[str, int] = {}

    @property
    def streams(self) -> Sequence[str]:
        return self._products

    async def start(self, cursors: Mapping[str, str]) -> None:
        for product in self._products:
            # Also for products with a cursor: an unknown product (404) fails here, at once.
            ticker = await self._http.get_json(f"/products/{product}/ticker")
            newest = parse_ticker_trade_id(ticker.payload)
            self._cursor[product] = integer(cursors.get(product)) or newest

    async def poll(self) -> PollResult:
        # Cursors move only when the whole poll succeeded: a failure part-way leaves them,
        # so the next poll fetches the same trades again instead of skipping them.
        result, cursors = PollResult(), dict(self._cursor)
        for product in self._products:
            rows, cursors[product] = await self._new_trades(product, cursors[product])
            checked = validate_all(candidate for _, candidate in rows)
            result.ticks += checked.ticks
            result.rejected += checked.rejected
            result.cursors[product] = str(cursors[product])
        self._cursor = cursors
        return result

    async def _new_trades(self, product: str, cursor: int) -> tuple[list[TradeRow], int]:
        """Trades after the cursor, oldest first (at most `max_pages` pages), and the new cursor."""
        collected: list[TradeRow] = []
        for _ in range(self._max_pages):
            response = await self._http.get_json(
                f"/products/{product}/trades", {"before": cursor, "limit": PAGE_LIMIT}
            )
            rows = parse_trades(response.payload, product, self._now())
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
            "granularity": BAR_SECONDS,
            "start": datetime.fromtimestamp(since_ms / 1000, UTC).isoformat(),
            "end": datetime.fromtimestamp(until_ms / 1000, UTC).isoformat(),
        }
        response = await self._http.get_json(f"/products/{stream}/candles", params)
        bars = sorted(parse_candles(response.payload), key=lambda bar: bar.start_ms)
        return validate_all(
            trade
            for bar in bars
            if in_window(bar, since_ms, until_ms)
            for trade in bar_trades(SOURCE_NAME, stream, bar, until_ms)
        )
