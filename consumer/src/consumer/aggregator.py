"""All series a consumer holds, by (source, symbol). Pure: no Kafka, no Mongo, no clock."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

from coinstream_common.intervals import Interval
from consumer.series import Series, SeriesFlush, WindowRules


class Aggregator:
    def __init__(
        self, intervals: Sequence[Interval], *, lateness_ms: int, dedup_window_ms: int
    ) -> None:
        # Sorted finest first; each of our intervals divides every coarser one, which the
        # fold-into-the-finest-window fast path of Series relies on.
        self.rules = WindowRules(
            tuple(sorted(intervals, key=lambda i: i.millis)), lateness_ms, dedup_window_ms
        )
        # By source, then symbol: a (source, symbol) tuple key cost an allocation per tick.
        self._series: dict[str, dict[str, Series]] = {}

    @property
    def intervals(self) -> tuple[Interval, ...]:
        return self.rules.intervals

    def get(self, source: str, symbol: str) -> Series | None:
        of_source = self._series.get(source)
        return None if of_source is None else of_source.get(symbol)

    def new_series(self, source: str, symbol: str, partition: int) -> Series:
        return self.adopt(Series.new(source, symbol, partition, self.rules))

    def adopt(self, series: Series) -> Series:
        self._series.setdefault(series.source, {})[series.symbol] = series
        return series

    def __iter__(self) -> Iterator[Series]:
        return (series for of_source in self._series.values() for series in of_source.values())

    def advance_idle(self, now_ms: int, idle_timeout_ms: int) -> None:
        for series in self:
            series.advance_idle(now_ms, idle_timeout_ms)

    def drain(self, partitions: Collection[int] | None = None) -> list[SeriesFlush]:
        """Drain every series, or only those of `partitions`."""
        return [s.drain() for s in self if partitions is None or s.partition in partitions]

    def forget(self, partitions: Collection[int]) -> None:
        """Drop the series of partitions this consumer no longer owns."""
        kept = {
            source: {symbol: s for symbol, s in of_source.items() if s.partition not in partitions}
            for source, of_source in self._series.items()
        }
        self._series = {source: of_source for source, of_source in kept.items() if of_source}
