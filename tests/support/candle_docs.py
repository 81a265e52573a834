"""Comparing what two consumer runs stored: candle documents, raw offsets, late records."""

from __future__ import annotations

from collections import Counter

import pytest
from pymongo.database import Database

from coinstream_common.mongo import Document
from consumer.state import unpack
from tests.support.pipeline import headers_of
from tests.support.topics import read_messages

FLOAT_FIELDS = {"open", "high", "low", "close", "mean", "volume", "vwap", "sum_price", "notional"}


def candles(db: Database[Document]) -> dict[str, Document]:
    return {doc["_id"]: doc for doc in db.candles.find()}


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
        (doc["partition"], offset) for doc in db.ticks_raw.find() for offset, _ in unpack(doc)
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
