"""One series, a (source, symbol) pair: the verdict on each of its ticks, and its snapshot.

Pure: no Kafka, no Mongo, no clock (times come in as arguments). The consumer's
correctness argument is in docs/consumer.md. A series composes the rules it relies on:

- consumer/watermark.py: a window is final once the watermark reaches its end, and a tick
  is late for, and only for, the windows already final;
- consumer/dedup.py: a re-sent tick is a duplicate, and changes nothing;
- consumer/window_book.py: what a drain writes, and the partials of on-time ticks;
- here: a tick at an offset a restored window already holds is skipped for that window,
  and up to the replay horizon no tick is judged late again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final, final

from coinstream_common.candles import Candle
from coinstream_common.intervals import Interval
from coinstream_common.ticks import Tick
from consumer.accumulator import CandleAccumulator
from consumer.dedup import DedupMemory, SeenIds
from consumer.handover import DedupHandover
from consumer.raw_buffer import RawBuffer
from consumer.state import NEVER, RawBatch, SeriesSnapshot
from consumer.watermark import Watermark
from consumer.window_book import WindowBook
from consumer.windows import WindowKey, is_closed, window_end, window_start, windows_for


@dataclass(frozen=True, slots=True)
class WindowRules:
    """What every series of a consumer shares: its intervals (finest first) and limits."""

    intervals: tuple[Interval, ...]
    lateness_ms: int
    dedup_window_ms: int
    idle_timeout_ms: int


@dataclass(frozen=True, slots=True)
class Verdict:
    duplicate: bool = False
    late: tuple[Interval, ...] = ()


# Final: compiled, a constant is read directly, not looked up in the module's dict.
ON_TIME: Final = Verdict()
DUPLICATE: Final = Verdict(duplicate=True)


@dataclass(slots=True)
class SeriesFlush:
    new: list[Candle]
    existing: list[Candle]
    snapshot: SeriesSnapshot
    raw: RawBatch | None


@final
class Series:
    def __init__(self, snapshot: SeriesSnapshot, rules: WindowRules) -> None:
        """The series as `snapshot` left it, with no window, id or raw tick yet."""
        self.source = snapshot.source
        self.symbol = snapshot.symbol
        self.partition = snapshot.partition
        self.intervals = rules.intervals
        self.offset = snapshot.offset
        self.drained_through = snapshot.offset  # the offset its last drain covered
        self.replay_horizon = -1
        self.book = WindowBook(rules.intervals)
        self.progress = Watermark(
            rules.lateness_ms,
            rules.idle_timeout_ms,
            at=snapshot.watermark,
            max_event_time=snapshot.max_event_time,
            max_ingest_time=snapshot.max_ingest_time,
        )
        self.dedup = DedupMemory(rules.dedup_window_ms)
        self.raw = RawBuffer(self.source, self.symbol, self.partition, snapshot.raw_offset)

    @classmethod
    def new(cls, source: str, symbol: str, partition: int, rules: WindowRules) -> Series:
        return cls(SeriesSnapshot.empty(source, symbol, partition), rules)

    @classmethod
    def restored(
        cls,
        snapshot: SeriesSnapshot,
        candles: list[Candle],
        seen: SeenIds,
        rules: WindowRules,
        handed_over: Mapping[int, Collection[str]] | None = None,
    ) -> Series:
        """`seen`: ids read from raw ticks, with their offsets; `handed_over`: ids by
        dedup bucket from a handover the replay starts at, so with no offset to replay."""
        series = cls(snapshot, rules)
        series.raw.kept_through = max([snapshot.raw_offset, *(o for o, _ in seen.values())])
        series.dedup.restore(seen, handed_over, snapshot.max_ingest_time)
        series.book.load(candles)
        series.replay_horizon = max([snapshot.offset, *(c.offset for c in candles)])
        return series

    @property
    def watermark(self) -> int:
        return self.progress.at

    @property
    def max_event_time(self) -> int:
        return self.progress.max_event_time

    @property
    def max_ingest_time(self) -> int:
        return self.progress.max_ingest_time

    @property
    def windows(self) -> dict[WindowKey, CandleAccumulator]:
        """The windows held, by key (a copy)."""
        return {key: window.accumulator for key, window in self.book.windows.items()}

    @property
    def seen_buckets(self) -> dict[int, set[str]]:
        return self.dedup.buckets

    @property
    def restored_offsets(self) -> dict[str, int]:
        return self.dedup.restored_offsets

    def load(self, candles: list[Candle]) -> None:
        self.book.load(candles)

    def unknown_windows(self, tick: Tick) -> list[WindowKey]:
        """Windows of a backfill tick that may exist in Mongo but are not in memory."""
        return self.book.unknown(tick.event_time, self.progress.at)

    def mark_absent(self, keys: list[WindowKey]) -> None:
        self.book.mark_absent(keys)

    def apply(self, tick: Tick, offset: int, raw: bytes) -> Verdict:
        self.offset = offset
        ingest, event_time, event_id = tick.ingest_time, tick.event_time, tick.event_id
        progress = self.progress
        progress.ingested(ingest)
        if self.dedup.is_duplicate(event_id, offset, ingest):
            return DUPLICATE
        self.raw.add(offset, raw, ingest)
        if tick.backfill:
            return self._apply_each(tick, offset, historical=True)
        progress.saw_event(event_time)
        book = self.book
        base_ms = book.base_ms
        base_start = window_start(event_time, base_ms)
        if offset <= self.replay_horizon or window_end(base_start, base_ms) <= progress.at:
            return self._apply_each(tick, offset, historical=False)
        book.fold_on_time(tick, offset, event_time, event_id, base_start)
        return ON_TIME

    def _apply_each(self, tick: Tick, offset: int, *, historical: bool) -> Verdict:
        """The careful path: window by window, with per-window lateness and replay checks."""
        book, watermark = self.book, self.progress.at
        late: list[Interval] = []
        for key in windows_for(tick.event_time, self.intervals):
            interval, start = key
            window = book.windows.get(key)
            if window is not None and offset <= window.accumulator.offset:
                continue  # a restored window that already holds this tick
            if not historical and is_closed(start, interval, watermark):
                # Up to the replay horizon, the store holds the verdicts of the run before
                # the crash, and the broker its late records (docs/consumer.md): judged
                # again from a later watermark, an on-time tick would look late.
                if offset > self.replay_horizon:
                    late.append(interval)
                continue
            if window is None:
                book.open(key, tick, offset)
            else:
                window.add(tick, offset)
        return Verdict(late=tuple(late)) if late else ON_TIME

    def holds_back(self) -> bool:
        """History read, but no live tick yet to say which of its windows are closed:
        drained now, they would all be written open, then each again as final at the first
        live tick (a day of 1m history: 1,440 writes twice). So the series is not drained,
        and its partition's commit waits with it, until that tick or until it is idle."""
        progress = self.progress
        return (
            progress.at == NEVER
            and bool(self.book.windows)
            and progress.idle_ms() < progress.idle_timeout_ms
        )

    def drain(self, handover_at: int | None = None) -> SeriesFlush:
        """Candles changed or final since the last drain; final windows are then forgotten.
        `handover_at`: a stop or revoke's, the partition's next offset (consumer/handover.py)."""
        new, existing = self.book.drain(self.progress.at, self.source, self.symbol, self.partition)
        self.dedup.replayed_through(self.offset)
        self.drained_through = self.offset
        return SeriesFlush(new, existing, self.snapshot(handover_at), self.raw.take())

    def snapshot(self, handover_at: int | None = None) -> SeriesSnapshot:
        handover = None
        if handover_at is not None:
            handover = DedupHandover(handover_at, self.dedup.handover_ids())
        progress = self.progress
        return SeriesSnapshot(
            source=self.source,
            symbol=self.symbol,
            partition=self.partition,
            offset=self.offset,
            max_event_time=progress.max_event_time,
            watermark=progress.at,
            max_ingest_time=progress.max_ingest_time,
            raw_offset=self.raw.kept_through,
            open_candles=self.book.open_candles(self.source, self.symbol, self.partition),
            handover=handover,
        )
