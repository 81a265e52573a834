"""One decoding step for the exchanges' lists of trades and of bars; each source configures it.

An exchange sends its trades as a list of objects (Binance, Coinbase) or of arrays
(Kraken), and its bars as a list of arrays, with each field at a place and in a unit of
its own. A TradeDecoder or a BarDecoder says where the fields stand and how a time reads,
and the decoding is the same for all: a whole payload of the wrong shape raises
SourceError("bad_payload"), an item without a usable trade id or start is skipped, and a
bad value inside an item becomes None, so that validation rejects that tick with the
field at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from coinstream_common.ticks import trade_event_id
from producer.sources.bars import Bar
from producer.sources.exchange import TradeRow
from producer.sources.parsing import decimal, expect_list, integer

Field = str | int  # a key of an object, or an index into an array


def _value(item: object, field: Field) -> object:
    if isinstance(field, str):
        return item.get(field) if isinstance(item, dict) else None
    return item[field] if isinstance(item, list) and len(item) > field else None


@dataclass(frozen=True, slots=True)
class TradeDecoder:
    """Where each field of one trade stands, and how its time reads as epoch ms."""

    source: str
    list_name: str  # names the list in errors
    trade_id: Field
    price: Field
    size: Field
    time: Field
    time_ms: Callable[[object], int | None]

    def __call__(self, payload: object, symbol: str, ingest_time: int) -> list[TradeRow]:
        """(trade id, candidate tick) per trade; a trade without an integer id is unusable."""
        rows: list[TradeRow] = []
        for item in expect_list(payload, self.list_name):
            if (trade_id := integer(_value(item, self.trade_id))) is None:
                continue
            candidate: dict[str, object] = {
                "event_id": trade_event_id(self.source, symbol, trade_id),
                "source": self.source,
                "symbol": symbol,
                "kind": "trade",
                "price": decimal(_value(item, self.price)),
                "size": decimal(_value(item, self.size)),
                "event_time": self.time_ms(_value(item, self.time)),
                "ingest_time": ingest_time,
            }
            rows.append((trade_id, candidate))
        return rows


BAR_VALUES = ("start", "open", "high", "low", "close", "volume")


@dataclass(frozen=True, slots=True)
class BarDecoder:
    """A bar's array by its columns as the exchange documents them (each of BAR_VALUES,
    and any others, which are passed over), the unit of its start, and its span."""

    list_name: str  # names the list in errors
    columns: tuple[str, ...]
    start_unit_ms: int  # 1000: the start is in seconds
    span_ms: int

    def __call__(self, payload: object) -> list[Bar]:
        """The bars of a payload; a row shorter than the columns, or without an integer
        start, is skipped."""
        start_at, *value_at = (self.columns.index(name) for name in BAR_VALUES)
        bars = []
        for row in expect_list(payload, self.list_name):
            if (
                not isinstance(row, list)
                or len(row) < len(self.columns)
                or (start := integer(row[start_at])) is None
            ):
                continue
            open_, high, low, close, volume = (decimal(row[i]) for i in value_at)
            bars.append(
                Bar(start * self.start_unit_ms, self.span_ms, open_, high, low, close, volume)
            )
        return bars
