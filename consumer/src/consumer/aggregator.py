"""Windowed aggregation per (source, symbol) under a watermark.

Pure: no Kafka, no Mongo, no clock. The watermark of a series is its largest event
time less the allowed lateness; a window is final once the watermark reaches its end,
and a tick is late for (and only for) the windows that are already final.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from coinstream_common.candles import Candle
from coinstream_common.intervals import Interval
from coinstream_common.ticks import Tick
from consumer.accumulator import CandleAccumulator, to_epoch_ms
from consumer.windows import is_closed, windows_for

WindowId = tuple[Interval, int]


@dataclass(slots=True)
class Series:
    max_event_time: int | None = None
    windows: dict[WindowId, CandleAccumulator] = field(default_factory=dict)
    dirty: set[WindowId] = field(default_factory=set)

    def watermark(self, lateness_ms: int) -> int | None:
        return None if self.max_event_time is None else self.max_event_time - lateness_ms


class WindowAggregator:
    def __init__(self, intervals: Sequence[Interval], allowed_lateness_ms: int) -> None:
        self._intervals = tuple(intervals)
        self._lateness = allowed_lateness_ms
        self._series: dict[tuple[str, str], Series] = {}

    def has_series(self, source: str, symbol: str) -> bool:
        return (source, symbol) in self._series

    def restore(
        self, source: str, symbol: str, open_candles: Iterable[Candle], max_event_time: int | None
    ) -> None:
        """Resume a series from what was stored: its open windows and its largest event time."""
        series = Series(max_event_time=max_event_time)
        for candle in open_candles:
            series.windows[(candle.interval, to_epoch_ms(candle.start))] = (
                CandleAccumulator.from_candle(candle)
            )
        self._series[(source, symbol)] = series

    def watermark(self, source: str, symbol: str) -> int | None:
        series = self._series.get((source, symbol))
        return None if series is None else series.watermark(self._lateness)

    def apply(self, tick: Tick) -> tuple[Interval, ...]:
        """Fold a tick into its open windows; return the intervals it came too late for."""
        series = self._series.setdefault((tick.source, tick.symbol), Series())
        watermark = series.watermark(self._lateness)
        late: list[Interval] = []
        for window in windows_for(tick.event_time, self._intervals):
            interval, start = window
            if watermark is not None and is_closed(start, interval, watermark):
                late.append(interval)
                continue
            accumulator = series.windows.get(window)
            if accumulator is None:
                series.windows[window] = CandleAccumulator.of(tick)
            else:
                accumulator.add(tick)
            series.dirty.add(window)
        if series.max_event_time is None or tick.event_time > series.max_event_time:
            series.max_event_time = tick.event_time
        return tuple(late)

    def drain(self) -> list[Candle]:
        """Candles changed or closed since the last drain; closed windows are then forgotten."""
        out: list[Candle] = []
        for (source, symbol), series in self._series.items():
            watermark = series.watermark(self._lateness)
            for window, accumulator in list(series.windows.items()):
                interval, start = window
                final = watermark is not None and is_closed(start, interval, watermark)
                if final or window in series.dirty:
                    out.append(accumulator.to_candle(source, symbol, interval, start, final=final))
                if final:
                    del series.windows[window]
            series.dirty.clear()
        return out
