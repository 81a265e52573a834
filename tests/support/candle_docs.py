"""What the consumer stored, for tests: candles found, changed or compared between runs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from pymongo.database import Database

from coinstream_common.candle_buckets import (
    BUCKETS_COLLECTION,
    SERIES_COLLECTION,
    encode_slot,
    slot_fields,
)
from coinstream_common.candle_store import CandleRepository
from coinstream_common.intervals import Interval
from coinstream_common.mongo import Document
from consumer.raw_ticks import RawTickRepository
from consumer.state import unpack
from tests.support.pipeline import headers_of
from tests.support.topics import read_messages

FLOAT_FIELDS = {"open", "high", "low", "close", "mean", "volume", "vwap", "sum_price", "notional"}


def candles(db: Database[Document]) -> dict[str, Document]:
    """Every stored candle, by source|symbol|interval|start, as the consumer wrote it."""
    return {
        f"{c.source}|{c.symbol}|{c.interval.value}|{c.start.isoformat()}": c.model_dump()
        for c in CandleRepository(db).all_candles()
    }


def assert_same_candles(got: dict[str, Document], expected: dict[str, Document]) -> None:
    assert got.keys() == expected.keys()
    for key, doc in expected.items():
        other = got[key]
        assert other.keys() == doc.keys(), key
        for field, value in doc.items():
            if field in FLOAT_FIELDS and value is not None:
                # Partial sums are merged at flush boundaries, which differ between runs.
                assert other[field] == pytest.approx(value, rel=1e-12), (key, field)
            else:
                assert other[field] == value, (key, field)


def raw_offsets(db: Database[Document]) -> list[tuple[int, int]]:
    return sorted(
        (doc["partition"], offset)
        for doc in RawTickRepository(db).documents()
        for offset, _ in unpack(doc)
    )


def late_records(bootstrap: str, prefix: str) -> dict[tuple[str, str], str]:
    """The late topic `<prefix>.late`: (partition, offset) of each late tick -> the
    intervals it missed. Side outputs are at least once, so a crashed run may have sent one
    twice: each copy must say the same."""
    verdicts: dict[tuple[str, str], set[str]] = {}
    for message in read_messages(bootstrap, f"{prefix}.late"):
        headers = headers_of(message)
        origin = (headers["source_partition"], headers["source_offset"])
        verdicts.setdefault(origin, set()).add(headers["intervals"])
    disagreeing = Counter({k: len(v) for k, v in verdicts.items() if len(v) > 1})
    assert not disagreeing, f"late records that disagree between copies: {disagreeing}"
    return {origin: intervals.pop() for origin, intervals in verdicts.items()}


def stored(db: Database[Document], **fields: object) -> list[Document]:
    """The stored candles whose fields equal these (reads every bucket: tests only)."""
    return [
        doc
        for doc in (c.model_dump() for c in CandleRepository(db).all_candles())
        if all(doc[name] == value for name, value in fields.items())
    ]


def stored_one(db: Database[Document], **fields: object) -> Document | None:
    found = stored(db, **fields)
    return found[0] if found else None


def counting(ticks: int) -> Callable[[Document | None], bool]:
    """Whether a candle is stored and counts `ticks`: what a test waits for."""
    return lambda doc: doc is not None and doc["count"] == ticks


def edit_stored(db: Database[Document], change: Callable[[Document], None]) -> None:
    """Change every stored candle in place, as another writer might (tests only)."""
    for bucket in db[BUCKETS_COLLECTION].find():
        for key, slot in bucket["c"].items():
            fields = slot_fields(slot)
            change(fields)
            bucket["c"][key] = encode_slot(fields)
        db[BUCKETS_COLLECTION].replace_one({"_id": bucket["_id"]}, bucket)


def delete_stored(db: Database[Document], **fields: object) -> None:
    """Remove the stored candles whose bucket fields (source, symbol, interval) or window
    start equal these, with their series when none is left (tests only)."""
    start = fields.pop("start", None)
    query = {k: v.value if isinstance(v, Interval) else v for k, v in fields.items()}
    for bucket in db[BUCKETS_COLLECTION].find(query):
        kept = {
            k: v
            for k, v in bucket["c"].items()
            if start is not None and slot_fields(v)["start"] != start
        }
        db[BUCKETS_COLLECTION].replace_one({"_id": bucket["_id"]}, {**bucket, "c": kept})
    if start is None:
        db[BUCKETS_COLLECTION].delete_many(query)
        db[SERIES_COLLECTION].delete_many(query)
