"""What the exchange adapters share: polling every symbol from its cursor, and history.

A subclass says how to start, how to fetch the trades after a cursor, and how to fetch
historical bars; this class makes one poll all-or-nothing (cursors move only when every
symbol was fetched, so a failure part-way skips no trade and repeats none) and turns bars
into backfill trades.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Generic, TypeVar

from coinstream_common.ticks import now_ms
from producer.http import SourceHttp
from producer.sources.bars import Bar, bar_trades, in_window
from producer.sources.base import PollResult, validate_all

Candidate = dict[str, object]
TradeRow = tuple[int, Candidate]  # (the exchange's trade id, candidate tick)
C = TypeVar("C")  # the exchange's cursor


class ExchangeSource(ABC, Generic[C]):
    name: str
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
        self._cursor: dict[str, C] = {}

    @property
    def streams(self) -> Sequence[str]:
        return self._symbols

    @abstractmethod
    async def start(self, cursors: Mapping[str, str]) -> None: ...

    @abstractmethod
    async def _new_trades(self, symbol: str, cursor: C) -> tuple[list[Candidate], C]:
        """Candidate ticks of the trades after `cursor`, oldest first, and the new cursor."""

    @abstractmethod
    async def _bars(self, symbol: str, since_ms: int, until_ms: int) -> list[Bar]: ...

    def _encode(self, cursor: C) -> str:
        return str(cursor)

    async def poll(self) -> PollResult:
        result, cursors = PollResult(), dict(self._cursor)
        for symbol in self._symbols:
            candidates, cursors[symbol] = await self._new_trades(symbol, cursors[symbol])
            checked = validate_all(candidates)
            result.ticks += checked.ticks
            result.rejected += checked.rejected
            result.cursors[symbol] = self._encode(cursors[symbol])
        self._cursor = cursors
        return result

    async def history(self, stream: str, since_ms: int, until_ms: int) -> PollResult:
        bars = sorted(await self._bars(stream, since_ms, until_ms), key=lambda b: b.start_ms)
        return validate_all(
            trade
            for bar in bars
            if in_window(bar, since_ms, until_ms)
            for trade in bar_trades(self.name, stream, bar, until_ms)
        )


async def follow_ids(
    fetch_page: Callable[[int], Awaitable[list[TradeRow]]],
    cursor: int,
    *,
    page_limit: int,
    max_pages: int,
) -> tuple[list[Candidate], int]:
    """Page forward from the newest trade id published: trades with larger ids, oldest
    first, at most `max_pages` pages (the rest waits for the next poll)."""
    collected: list[Candidate] = []
    for _ in range(max_pages):
        rows = await fetch_page(cursor)
        page = sorted((row for row in rows if row[0] > cursor), key=lambda row: row[0])
        if not page:
            break
        collected += [candidate for _, candidate in page]
        cursor = page[-1][0]
        if len(rows) < page_limit:
            break
    return collected, cursor
