"""A series' windows in memory, each with the state of its stored document.

Pure: no Mongo (stored candles come in, candles to write go out). A window's state says
what its next drain writes:

- NEW: no document stored yet; the drain inserts it.
- STORED: its document holds it as it is, open; the drain rewrites it once it is closed.
- STORED_FINAL: its document holds it as it is, final (read from the store).
- CHANGED: its document exists, and ticks came since; the drain rewrites it.

A tick makes a stored window CHANGED (a NEW one stays NEW). A drain forgets the closed
windows and leaves the others STORED (or STORED_FINAL).

Speed: an on-time tick is folded only into a partial of its finest window; partials are
merged into every interval's window when the book is drained.
"""

from __future__ import annotations

from typing import Final, final

from coinstream_common.candles import Candle
from coinstream_common.epoch import to_epoch_ms
from coinstream_common.intervals import Interval
from coinstream_common.ticks import Tick
from consumer.accumulator import CandleAccumulator
from consumer.state import NEVER
from consumer.windows import WindowKey, is_closed, window_start, windows_for

NEW: Final = 0
STORED: Final = 1
STORED_FINAL: Final = 2
CHANGED: Final = 3


@final
class Window:
    def __init__(self, accumulator: CandleAccumulator, state: int) -> None:
        self.accumulator = accumulator
        self.state = state

    def add(self, tick: Tick, offset: int) -> None:
        self.accumulator.add_tick(tick, offset)
        self._changed()

    def merge(self, partial: CandleAccumulator) -> None:
        self.accumulator.merge(partial)
        self._changed()

    def _changed(self) -> None:
        if self.state != NEW:
            self.state = CHANGED


@final
class WindowBook:
    def __init__(self, intervals: tuple[Interval, ...]) -> None:
        # Finest first; each divides every coarser one, which merging partials relies on.
        self.intervals = intervals
        self.base_ms = intervals[0].millis
        self.windows: dict[WindowKey, Window] = {}
        # Windows looked up in the store and not found there, until the next drain.
        self.absent: set[WindowKey] = set()
        self.partials: dict[int, CandleAccumulator] = {}  # by the start of a finest window
        self.last_partial: CandleAccumulator | None = None  # partials[last_partial_start]
        self.last_partial_start = NEVER

    def load(self, candles: list[Candle]) -> None:
        """Hold stored candles, to extend them (restore, or backfill into the past)."""
        for candle in candles:
            accumulator = CandleAccumulator.from_candle(candle)
            state = STORED_FINAL if candle.final else STORED
            self.windows[(candle.interval, to_epoch_ms(candle.start))] = Window(accumulator, state)

    def unknown(self, event_time: int, watermark: int) -> list[WindowKey]:
        """Closed windows of a tick that the store may hold: neither in memory nor absent."""
        return [
            key
            for key in windows_for(event_time, self.intervals)
            if key not in self.windows
            and key not in self.absent
            and is_closed(key[1], key[0], watermark)
        ]

    def mark_absent(self, keys: list[WindowKey]) -> None:
        self.absent.update(keys)

    def open(self, key: WindowKey, tick: Tick, offset: int) -> None:
        self.windows[key] = Window(CandleAccumulator.of(tick, offset), NEW)

    def fold_on_time(
        self, tick: Tick, offset: int, event_time: int, event_id: str, base_start: int
    ) -> None:
        """A tick on time for its finest window (starting at `base_start`), hence for every
        coarser one that contains it; its fields passed in where the caller has read them
        already. The last tick's partial is tried first: consecutive ticks mostly share
        their window."""
        partial = self.last_partial
        if partial is None or base_start != self.last_partial_start:
            partial = self.partials.get(base_start)
            if partial is None:
                partial = self.partials[base_start] = CandleAccumulator.of(tick, offset)
                self.last_partial, self.last_partial_start = partial, base_start
                return
            self.last_partial, self.last_partial_start = partial, base_start
        partial.add(tick.price, tick.size, event_time, event_id, offset)

    def drain(
        self, watermark: int, source: str, symbol: str, partition: int
    ) -> tuple[list[Candle], list[Candle]]:
        """Candles to write, new and existing (by whether a document is stored); closed
        windows are then forgotten."""
        self._merge_partials()
        new: list[Candle] = []
        existing: list[Candle] = []
        for key, window in list(self.windows.items()):
            interval, start = key
            final = is_closed(start, interval, watermark)
            state = window.state
            if state in (NEW, CHANGED) or (final and state == STORED):
                candle = window.accumulator.to_candle(
                    source, symbol, interval, start, final=final, partition=partition
                )
                (new if state == NEW else existing).append(candle)
            if final:
                del self.windows[key]
            elif state != STORED_FINAL:
                window.state = STORED
        self.absent.clear()
        return new, existing

    def open_candles(self, source: str, symbol: str, partition: int) -> tuple[Candle, ...]:
        return tuple(
            window.accumulator.to_candle(
                source, symbol, interval, start, final=False, partition=partition
            )
            for (interval, start), window in self.windows.items()
        )

    def _merge_partials(self) -> None:
        for base_start, partial in self.partials.items():
            for interval in self.intervals:
                key = (interval, window_start(base_start, interval.millis))
                window = self.windows.get(key)
                if window is None:
                    self.windows[key] = Window(partial.copy(), NEW)
                else:
                    window.merge(partial)
        self.partials.clear()
        self.last_partial = None
