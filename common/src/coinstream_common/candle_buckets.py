"""Where a candle is stored: in a bucket of consecutive windows, found by its `_id`.

FerretDB pushes nothing to its storage but `_id` equality, so a query on any other field
reads the whole collection (docs/operations.md). Candles are therefore kept as MongoDB's
bucket pattern has them: one document per (source, symbol, interval) and run of
`WINDOWS_PER_BUCKET` consecutive windows, whose `_id` follows from those, so that any
read is a handful of `_id` lookups, however long the history. Pure: no Mongo here.

A bucket: `{_id, source, symbol, interval, start, partition, c: {"<slot>": candle}}`, the
slot being the window's place in the run; each candle there is a `Candle` without the
fields its bucket holds, as one binary value (MessagePack). FerretDB converts every value
of a document it reads or rewrites, about 8 µs each (docs/operations.md); as one value a
candle costs one conversion instead of twenty. Slots written before that are documents,
and read as well. A series document per (source, symbol, interval): `{_id, source,
symbol, interval, partition, first_start, last_start, last_event_time}`, what readers
need to know where its candles are.
"""

from __future__ import annotations

from typing import Any

import msgspec

from coinstream_common.candles import Candle
from coinstream_common.intervals import Interval

BUCKETS_COLLECTION = "candle_buckets"
SERIES_COLLECTION = "candle_series"
# A day of 1m candles in 48 buckets of 30 minutes; 7 days of 1h in 6 of 30 hours. A read
# costs what it returns in bytes whatever the bucket size, but a write rewrites its whole
# bucket on FerretDB (the open window's, at every flush): 30 windows folded 17 % faster
# than 120 in `make bench BENCH=consumer`, with reads unchanged (`BENCH=history`).
WINDOWS_PER_BUCKET = 30
BUCKET_FIELDS = ("source", "symbol", "interval", "partition")

Document = dict[str, Any]


def span_ms(interval: Interval) -> int:
    return interval.millis * WINDOWS_PER_BUCKET


def bucket_of(start_ms: int, interval: Interval) -> int:
    """The start of the bucket holding the window that starts at `start_ms`."""
    return start_ms - start_ms % span_ms(interval)


def slot_of(start_ms: int, interval: Interval) -> str:
    return str(start_ms % span_ms(interval) // interval.millis)


def bucket_id(source: str, symbol: str, interval: Interval, bucket_ms: int) -> str:
    return f"{source}|{symbol}|{interval.value}|{bucket_ms}"


def series_id(source: str, symbol: str, interval: Interval) -> str:
    return f"{source}|{symbol}|{interval.value}"


def buckets_between(
    interval: Interval, first_ms: int, last_ms: int, *, newest_first: bool = False
) -> range:
    """Starts of the buckets holding windows that start in [first_ms, last_ms]."""
    span = span_ms(interval)
    first, last = bucket_of(first_ms, interval), bucket_of(last_ms, interval)
    return range(last, first - 1, -span) if newest_first else range(first, last + 1, span)


_SLOT_ENCODER = msgspec.msgpack.Encoder()
_SLOT_DECODER = msgspec.msgpack.Decoder()


def slot_value(candle: Candle) -> bytes:
    """A candle as its slot stores it."""
    return encode_slot(candle.model_dump(mode="python", exclude=set(BUCKET_FIELDS)))


def encode_slot(fields: Document) -> bytes:
    """A slot's fields as one binary value (datetimes as MessagePack timestamps, UTC)."""
    return _SLOT_ENCODER.encode(fields)


def slot_fields(slot: bytes | Document) -> Document:
    """A slot's fields, whether it was written binary or, before that, as a document."""
    return _SLOT_DECODER.decode(slot) if isinstance(slot, bytes) else slot


def candle_of(bucket: Document, slot: bytes | Document) -> Candle:
    return Candle.model_validate({**slot_fields(slot), **{f: bucket[f] for f in BUCKET_FIELDS}})
