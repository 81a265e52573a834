from __future__ import annotations

import zlib

from coinstream_common.ticks import encode_tick
from consumer.state import RawBatch, raw_document, unpack
from tests.support.ticks import T0, trade


def test_a_raw_document_gives_back_every_tick_and_offset_of_its_series() -> None:
    btc = [trade(100.0 + i, T0 + 1_000 * (5 - i)) for i in range(5)]
    eth = [trade(10.0 + i, T0 + 500 * i, symbol="ETH-USD") for i in range(2)]
    batches = [RawBatch("simulated", "BTC-USD", 2), RawBatch("simulated", "ETH-USD", 2)]
    for offset, tick in zip([7, 9, 12, 13, 20], btc, strict=True):
        batches[0].add(offset, encode_tick(tick), tick.ingest_time)
    for offset, tick in zip([8, 10], eth, strict=True):
        batches[1].add(offset, encode_tick(tick), tick.ingest_time)
    doc = raw_document(2, batches)
    assert doc["_id"] == "2|7"
    assert (doc["partition"], doc["first_offset"], doc["last_offset"]) == (2, 7, 20)
    assert doc["count"] == 7
    assert doc["series"] == ["simulated|BTC-USD", "simulated|ETH-USD"]
    assert (doc["min_ingest_time"], doc["max_ingest_time"]) == (T0 + 5, T0 + 5_005)
    unpacked = list(unpack(doc))
    assert [offset for offset, _ in unpacked] == [7, 9, 12, 13, 20, 8, 10]
    assert [fields["event_id"] for _, fields in unpacked] == [t.event_id for t in btc + eth]


def test_a_document_written_before_zstd_is_still_read() -> None:
    ticks = [trade(100.0 + i, T0 + 1_000 * i) for i in range(3)]
    batch = RawBatch("simulated", "BTC-USD", 0)
    for offset, tick in enumerate(ticks):
        batch.add(offset, encode_tick(tick), tick.ingest_time)
    doc = raw_document(0, [batch])
    del doc["codec"]
    doc["ticks"] = zlib.compress(b"\n".join(encode_tick(t) for t in ticks), 1)
    assert [fields["event_id"] for _, fields in unpack(doc)] == [t.event_id for t in ticks]
