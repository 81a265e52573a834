"""What the consumer saves besides candles: a snapshot per series and raw tick batches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coinstream_common.ticks import Tick


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

    @property
    def key(self) -> str:
        return f"{self.source}|{self.symbol}"


@dataclass(slots=True)
class RawBatch:
    """Ticks of one series as they arrived, stored as one document (a bucket).

    One insert per series and flush keeps raw storage cheap; the parallel arrays let a
    restarting consumer rebuild its recent event ids without parsing every tick.
    """

    source: str
    symbol: str
    partition: int
    raw: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    ingest_times: list[int] = field(default_factory=list)
    first_event_time: int = 2**62
    last_event_time: int = -(2**62)

    @classmethod
    def start(cls, source: str, symbol: str, partition: int) -> RawBatch:
        return cls(source, symbol, partition)

    def add(self, tick: Tick, offset: int, raw: bytes) -> None:
        self.raw.append(raw.decode())
        self.event_ids.append(tick.event_id)
        self.offsets.append(offset)
        self.ingest_times.append(tick.ingest_time)
        self.first_event_time = min(self.first_event_time, tick.event_time)
        self.last_event_time = max(self.last_event_time, tick.event_time)

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
            "min_ingest_time": min(self.ingest_times),
            "max_ingest_time": max(self.ingest_times),
            "count": len(self.raw),
            "event_ids": self.event_ids,
            "offsets": self.offsets,
            "ingest_times": self.ingest_times,
            "ticks": self.raw,
        }
