"""A series' raw ticks (the message bytes) between two drains, each offset kept once.

Pure: the batch it hands over is written by the caller (consumer/raw_ticks.py).
"""

from __future__ import annotations

from typing import final

from consumer.state import RawBatch


@final
class RawBuffer:
    def __init__(self, source: str, symbol: str, partition: int, kept_through: int) -> None:
        self.source = source
        self.symbol = symbol
        self.partition = partition
        # The largest offset kept: a replay after a restore does not keep a tick again.
        self.kept_through = kept_through
        self.batch: RawBatch | None = None

    def add(self, offset: int, raw: bytes, ingest_time: int) -> None:
        if offset <= self.kept_through:
            return
        batch = self.batch
        if batch is None:
            batch = self.batch = RawBatch(self.source, self.symbol, self.partition)
        batch.add(offset, raw, ingest_time)
        self.kept_through = offset

    def take(self) -> RawBatch | None:
        """The ticks kept since the last take, if any."""
        batch, self.batch = self.batch, None
        return batch
