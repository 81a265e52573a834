"""All series a consumer holds, by (source, symbol), and their partitions' log clocks.

Pure: no Kafka, no Mongo, no clock (wall times come in as arguments).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence

from coinstream_common.intervals import Interval
from consumer.partition_clock import PartitionClock
from consumer.series import Series, SeriesFlush, WindowRules


class Aggregator:
    def __init__(
        self,
        intervals: Sequence[Interval],
        *,
        lateness_ms: int,
        dedup_window_ms: int,
        idle_timeout_ms: int,
    ) -> None:
        # Sorted finest first; each of our intervals divides every coarser one, which the
        # fold-into-the-finest-window fast path of Series relies on.
        self.rules = WindowRules(
            tuple(sorted(intervals, key=lambda i: i.millis)),
            lateness_ms,
            dedup_window_ms,
            idle_timeout_ms,
        )
        # By source, then symbol: a (source, symbol) tuple key cost an allocation per tick.
        self._series: dict[str, dict[str, Series]] = {}
        self._clocks: dict[int, PartitionClock] = {}

    @property
    def intervals(self) -> tuple[Interval, ...]:
        return self.rules.intervals

    def get(self, source: str, symbol: str) -> Series | None:
        of_source = self._series.get(source)
        return None if of_source is None else of_source.get(symbol)

    def new_series(self, source: str, symbol: str, partition: int, reading: int = 0) -> Series:
        return self.adopt(Series.new(source, symbol, partition, self.rules), reading)

    def adopt(self, series: Series, reading: int) -> Series:
        """Hold `series`, new or restored, as offset `reading` of its partition is read: all
        of it before that offset is drained (or read again after a crash). Its partition's
        clock has read what it has."""
        series.drained_through = max(series.drained_through, reading - 1)
        clock = self.clock(series.partition)
        clock.read(series.max_ingest_time)
        series.progress.clock = clock
        self._series.setdefault(series.source, {})[series.symbol] = series
        return series

    def clock(self, partition: int) -> PartitionClock:
        clock = self._clocks.get(partition)
        if clock is None:
            clock = self._clocks[partition] = PartitionClock()
        return clock

    def __iter__(self) -> Iterator[Series]:
        return (series for of_source in self._series.values() for series in of_source.values())

    def left_end(self) -> None:
        """Reading paused: no partition's end is known to be reached any more."""
        for clock in self._clocks.values():
            clock.left_end()

    def advance_idle(self, positions: Mapping[int, int], read_all_at_ms: int) -> None:
        """Run the clocks of partitions read to their end on at wall speed, then close
        what is idle by them. `positions`: the next offset to read, per partition."""
        for partition, clock in self._clocks.items():
            clock.run_on(positions.get(partition, -1), read_all_at_ms)
        for series in self:
            series.progress.advance_idle()

    def drain(
        self,
        partitions: Collection[int] | None = None,
        *,
        hold: bool = True,
        handover: Mapping[int, int] | None = None,
    ) -> list[SeriesFlush]:
        """Drain every series, or only those of `partitions`; with `hold`, not those that
        hold back (see `Series.holds_back`). `handover`: a stop or revoke's next offset per
        partition, handed over with the dedup memory of its series (consumer/handover.py)."""
        at = handover or {}
        return [
            s.drain(at.get(s.partition))
            for s in self
            if (partitions is None or s.partition in partitions) and not (hold and s.holds_back())
        ]

    def held_positions(self) -> dict[int, int]:
        """Per partition, the offset its commit must not pass: the first that a series
        holding back has not drained (everything from there is read again after a crash)."""
        held: dict[int, int] = {}
        for series in self:
            if series.holds_back():
                first = series.drained_through + 1
                held[series.partition] = min(held.get(series.partition, first), first)
        return held

    def forget(self, partitions: Collection[int]) -> None:
        """Drop the series of partitions this consumer no longer owns, and their clocks."""
        kept = {
            source: {symbol: s for symbol, s in of_source.items() if s.partition not in partitions}
            for source, of_source in self._series.items()
        }
        self._series = {source: of_source for source, of_source in kept.items() if of_source}
        for partition in partitions:
            self._clocks.pop(partition, None)
