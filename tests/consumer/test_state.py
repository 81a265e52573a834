from __future__ import annotations

import zlib

from coinstream_common.ticks import encode_tick
from consumer.state import RawBatch, unpack
from tests.support.ticks import T0, trade


def test_a_raw_bucket_gives_back_every_tick_and_offset() -> None:
    ticks = [trade(100.0 + i, T0 + 1_000 * (5 - i)) for i in range(5)]
    batch = RawBatch("simulated", "BTC-USD", 2)
    for offset, tick in zip([7, 9, 12, 13, 20], ticks, strict=True):
        batch.add(offset, encode_tick(tick), tick.event_time, tick.ingest_time)
    doc = batch.document()
    assert doc["_id"] == "simulated|BTC-USD|2|7"
    assert (doc["first_offset"], doc["last_offset"], doc["count"]) == (7, 20, 5)
    assert (doc["first_event_time"], doc["last_event_time"]) == (T0 + 1_000, T0 + 5_000)
    assert (doc["min_ingest_time"], doc["max_ingest_time"]) == (T0 + 1_005, T0 + 5_005)
    unpacked = list(unpack(doc))
    assert [offset for offset, _ in unpacked] == [7, 9, 12, 13, 20]
    assert [fields["event_id"] for _, fields in unpacked] == [t.event_id for t in ticks]


def test_a_bucket_written_before_zstd_is_still_read() -> None:
    ticks = [trade(100.0 + i, T0 + 1_000 * i) for i in range(3)]
    batch = RawBatch("simulated", "BTC-USD", 0)
    for offset, tick in enumerate(ticks):
        batch.add(offset, encode_tick(tick), tick.event_time, tick.ingest_time)
    doc = batch.document()
    del doc["codec"]
    doc["ticks"] = zlib.compress(b"\n".join(encode_tick(t) for t in ticks), 1)
    assert [fields["event_id"] for _, fields in unpack(doc)] == [t.event_id for t in ticks]
