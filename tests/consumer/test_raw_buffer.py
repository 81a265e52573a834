"""The raw buffer: each offset's bytes kept once, handed over at each take."""

from __future__ import annotations

from consumer.raw_buffer import RawBuffer
from tests.support.ticks import T0


def test_each_offset_is_kept_once_and_taken_once() -> None:
    buffer = RawBuffer("simulated", "BTC-USD", 2, kept_through=4)
    buffer.add(4, b"saved before the restore", T0)
    assert buffer.take() is None
    buffer.add(5, b"five", T0 + 10)
    buffer.add(5, b"five again", T0 + 10)  # a duplicate at the same offset: kept already
    buffer.add(6, b"six", T0)
    batch = buffer.take()
    assert batch is not None
    assert (batch.source, batch.symbol, batch.partition) == ("simulated", "BTC-USD", 2)
    assert (batch.offsets, batch.raw) == ([5, 6], [b"five", b"six"])
    assert (batch.min_ingest_time, batch.max_ingest_time) == (T0, T0 + 10)
    assert buffer.take() is None
    assert buffer.kept_through == 6
