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
        self._series: dict[tuple[str, str], Series] = {}

    @property
    def intervals(self) -> tuple[Interval, ...]:
        return self.rules.intervals

    def get(self, source: str, symbol: str) -> Series | None:
        return self._series.get((source, symbol))

    def new_series(self, source: str, symbol: str, partition: int) -> Series:
        return self.adopt(Series.new(source, symbol, partition, self.rules))

    def adopt(self, series: Series) -> Series:
        self._series[(series.source, series.symbol)] = series
        return series

    def __iter__(self) -> Iterator[Series]:
        return iter(self._series.values())

    def advance_idle(self, now_ms: int, idle_timeout_ms: int) -> None:
        for series in self._series.values():
            series.advance_idle(now_ms, idle_timeout_ms)

    def drain(self, partitions: Collection[int] | None = None) -> list[SeriesFlush]:
        """Drain every series, or only those of `partitions`."""
        return [
            series.drain()
            for series in self._series.values()
            if partitions is None or series.partition in partitions
        ]

    def forget(self, partitions: Collection[int]) -> None:
        """Drop the series of partitions this consumer no longer owns."""
        self._series = {key: s for key, s in self._series.items() if s.partition not in partitions}
