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
    """Ticks of one series as they arrived (the message bytes), stored as one bucket document.

    The bytes are compressed into one binary field: one insert per series and flush of
    one field is what keeps raw storage cheap on every Mongo-wire server.
    """

    source: str
    symbol: str
    partition: int
    raw: list[bytes] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    first_event_time: int = 2**62
    last_event_time: int = -(2**62)
    min_ingest_time: int = 2**62
    max_ingest_time: int = -(2**62)

    def add(self, offset: int, raw: bytes, event_time: int, ingest: int) -> None:
        """A tick's bytes and times (passed in: the caller has read them already)."""
        self.raw.append(raw)
        self.offsets.append(offset)
        if event_time < self.first_event_time:
            self.first_event_time = event_time
        if event_time > self.last_event_time:
            self.last_event_time = event_time
        if ingest < self.min_ingest_time:
            self.min_ingest_time = ingest
        if ingest > self.max_ingest_time:
            self.max_ingest_time = ingest

    def document(self) -> dict[str, Any]:
        return {
            "_id": f"{self.source}|{self.symbol}|{self.partition}|{self.offsets[0]}",
            "source": self.source,
            "symbol": self.symbol,
            "partition": self.partition,
            "first_offset": self.offsets[0],
            "last_offset": self.offsets[-1],
            "first_event_time": self.first_event_time,
            "last_event_time": self.last_event_time,
            "min_ingest_time": self.min_ingest_time,
            "max_ingest_time": self.max_ingest_time,
            "count": len(self.raw),
            "offsets": array("q", self.offsets).tobytes(),
            "codec": CODEC,
            "ticks": zstandard.compress(b"\n".join(self.raw), 1),
        }


def unpack(document: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(offset, tick fields) of each tick in a stored bucket, in arrival order."""
    offsets = array("q")
    offsets.frombytes(document["offsets"])
    packed = document["ticks"]
    # Buckets written before the codec field are zlib.
    data = zstandard.decompress(packed) if "codec" in document else zlib.decompress(packed)
    lines = data.split(b"\n")
    for offset, line in zip(offsets, lines, strict=True):
        yield offset, orjson.loads(line)
