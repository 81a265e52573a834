"""What the consumer saves besides candles: a snapshot per series and raw tick batches."""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import zstandard

from coinstream_common.candles import Candle
from consumer.handover import DedupHandover

NEVER = -(2**62)  # before any time: what a series that saw nothing has for its times
# zstd at level 1 packs a bucket of JSON ticks 3x faster than zlib at level 1, and smaller
# (9.2x against 7.7x); compressing was most of the writer thread's time with zlib.
# (Module functions: a compressor object must not be shared between threads.)
CODEC = "zstd"


@dataclass(frozen=True, slots=True)
class SeriesSnapshot:
    """A series as of `offset`: saved after its candles, restored before a replay from there."""

    source: str
    symbol: str
    partition: int
    offset: int
    max_event_time: int
    watermark: int
    max_ingest_time: int
    raw_offset: int
    # The windows open at `offset`, as they were then: a restore starts from these, with
    # no read of the candle store (whose size grows with history).
    open_candles: tuple[Candle, ...] = ()
    # Only in the last snapshot of a stop or a revoke (consumer/handover.py).
    handover: DedupHandover | None = None

    @property
    def key(self) -> str:
        return f"{self.source}|{self.symbol}"

    @classmethod
    def empty(cls, source: str, symbol: str, partition: int) -> SeriesSnapshot:
        """A series nothing was saved of yet."""
        return cls(
            source,
            symbol,
            partition,
            offset=-1,
            max_event_time=NEVER,
            watermark=NEVER,
            max_ingest_time=NEVER,
            raw_offset=-1,
        )


@dataclass(slots=True)
class RawBatch:
    """Ticks of one series as they arrived (the message bytes), since the last flush.

    Stored with the other batches of its partition and flush as one document whose bytes
    are compressed into one binary field (`raw_document`): one document of one field per
    partition and flush is what keeps raw storage cheap on every Mongo-wire server.
    """

    source: str
    symbol: str
    partition: int
    raw: list[bytes] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    min_ingest_time: int = 2**62
    max_ingest_time: int = -(2**62)

    def add(self, offset: int, raw: bytes, ingest: int) -> None:
        """A tick's bytes and ingest time (passed in: the caller has read it already)."""
        self.raw.append(raw)
        self.offsets.append(offset)
        if ingest < self.min_ingest_time:
            self.min_ingest_time = ingest
        if ingest > self.max_ingest_time:
            self.max_ingest_time = ingest


def raw_document(partition: int, batches: list[RawBatch]) -> dict[str, Any]:
    """Batches of one partition's series, of one flush, as one stored document: on FerretDB
    a read costs per document far more than per byte (0.16 ms a document, about the same
    without its ticks), and a restore reads every document of its dedup horizon."""
    offsets = array("q")
    lines: list[bytes] = []
    for batch in batches:
        offsets.extend(batch.offsets)
        lines.extend(batch.raw)
    first = min(batch.offsets[0] for batch in batches)
    return {
        "_id": f"{partition}|{first}",
        "partition": partition,
        "first_offset": first,
        "last_offset": max(batch.offsets[-1] for batch in batches),
        "min_ingest_time": min(batch.min_ingest_time for batch in batches),
        "max_ingest_time": max(batch.max_ingest_time for batch in batches),
        "series": [f"{batch.source}|{batch.symbol}" for batch in batches],
        "count": len(offsets),
        "offsets": offsets.tobytes(),
        "codec": CODEC,
        "ticks": zstandard.compress(b"\n".join(lines), 1),
    }


def unpack(document: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(offset, tick fields) of each tick in a stored document, series by series, each in
    arrival order. Documents of one series (before raw periods) read the same way."""
    offsets = array("q")
    offsets.frombytes(document["offsets"])
    packed = document["ticks"]
    # Documents written before the codec field are zlib.
    data = zstandard.decompress(packed) if "codec" in document else zlib.decompress(packed)
    lines = data.split(b"\n")
    for offset, line in zip(offsets, lines, strict=True):
        yield offset, orjson.loads(line)
