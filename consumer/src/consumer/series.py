"""One series, a (source, symbol) pair: its windows, watermark and recent event ids.

Pure: no Kafka, no Mongo, no clock (times come in as arguments). The consumer's
correctness argument is in docs/consumer.md; the rules it relies on are here:

- the watermark is the largest event time seen less the allowed lateness, raised when
  the series is idle by its partition's log clock (see `advance_idle`); a window is final
  once the watermark reaches its end, and a tick is late for, and only for, the windows
  already final;
- a tick is a duplicate, and changes nothing, when its event id was seen at another
  offset in a tick ingested in the dedup bucket of the largest ingest time so far or in
  the bucket before (buckets: the dedup window's multiples of epoch time);
- a tick at an offset a restored window already holds is skipped for that window.

Speed: an on-time tick is folded only into a partial of its finest window; partials are
merged into every interval's window when the series is drained.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final

from coinstream_common.candles import Candle
from coinstream_common.intervals import Interval
from coinstream_common.ticks import Tick
from consumer.accumulator import CandleAccumulator, to_epoch_ms
from consumer.handover import DedupHandover
from consumer.partition_clock import PartitionClock
from consumer.state import NEVER, RawBatch, SeriesSnapshot
from consumer.windows import is_closed

WindowKey = tuple[Interval, int]
SeenIds = dict[str, tuple[int, int]]  # event id -> (offset, ingest time), as restored


def dedup_since(max_ingest_time: int, dedup_window_ms: int) -> int:
    """The earliest ingest time whose ids can still make a duplicate: the start of the
    dedup bucket before the one of the largest ingest time."""
    return (max_ingest_time // dedup_window_ms - 1) * dedup_window_ms


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


@dataclass(slots=True)
class Series:
    source: str
    symbol: str
    partition: int
    intervals: tuple[Interval, ...]
    lateness_ms: int
    dedup_window_ms: int
    idle_timeout_ms: int
    # The partition's, shared by its series (the aggregator hands it over on adoption).
    clock: PartitionClock = field(default_factory=PartitionClock)
    max_event_time: int = NEVER
    watermark: int = NEVER
    max_ingest_time: int = NEVER
    offset: int = -1
    drained_through: int = -1  # the offset its last drain covered: its store state's
    replay_horizon: int = -1
    raw_offset: int = -1
    base_ms: int = 0
    windows: dict[WindowKey, CandleAccumulator] = field(default_factory=dict)
    persisted: set[WindowKey] = field(default_factory=set)
    # Windows whose stored document is already final: unless changed, nothing to rewrite.
    stored_final: set[WindowKey] = field(default_factory=set)
    absent: set[WindowKey] = field(default_factory=set)
    partials: dict[int, CandleAccumulator] = field(default_factory=dict)
    last_partial: CandleAccumulator | None = None  # partials[last_partial_start]
    last_partial_start: int = NEVER
    dirty: set[WindowKey] = field(default_factory=set)
    # Event ids by the dedup bucket of their first tick's ingest time. Sets, not dicts: a
    # probe for a new id (nearly every tick) reads one table, where a dict of str reads
    # three places, and the ids of the current and previous bucket are all it needs.
    seen_buckets: dict[int, set[str]] = field(default_factory=dict)
    seen_bucket: int = NEVER
    seen: set[str] = field(default_factory=set)  # seen_buckets[seen_bucket]
    seen_before: set[str] = field(default_factory=set)  # seen_buckets[seen_bucket - 1]
    # Offsets of the restored ids: a replayed tick that meets its own id is no duplicate.
    restored_offsets: dict[str, int] = field(default_factory=dict)
    restored_until: int = -1
    raw: RawBatch | None = None

    def __post_init__(self) -> None:
        self.base_ms = self.intervals[0].millis

    @classmethod
    def new(cls, source: str, symbol: str, partition: int, rules: WindowRules) -> Series:
        return cls(
            source,
            symbol,
            partition,
            rules.intervals,
            rules.lateness_ms,
            rules.dedup_window_ms,
            rules.idle_timeout_ms,
        )

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
        series = cls(
            snapshot.source,
            snapshot.symbol,
            snapshot.partition,
            rules.intervals,
            rules.lateness_ms,
            rules.dedup_window_ms,
            rules.idle_timeout_ms,
            max_event_time=snapshot.max_event_time,
            watermark=snapshot.watermark,
            max_ingest_time=snapshot.max_ingest_time,
            offset=snapshot.offset,
            drained_through=snapshot.offset,
            raw_offset=max([snapshot.raw_offset, *(o for o, _ in seen.values())]),
        )
        for event_id, (offset, ingest) in seen.items():
            series.seen_buckets.setdefault(ingest // rules.dedup_window_ms, set()).add(event_id)
            series.restored_offsets[event_id] = offset
            series.restored_until = max(series.restored_until, offset)
        for bucket, ids in (handed_over or {}).items():
            series.seen_buckets.setdefault(bucket, set()).update(ids)
        series._advance_seen(snapshot.max_ingest_time // rules.dedup_window_ms)
        series.load(candles)
        series.replay_horizon = max([snapshot.offset, *(c.offset for c in candles)])
        return series

    def load(self, candles: list[Candle]) -> None:
        """Hold stored candles in memory, to extend them (restore, or backfill into the past)."""
        for candle in candles:
            key = (candle.interval, to_epoch_ms(candle.start))
            self.windows[key] = CandleAccumulator.from_candle(candle)
            self.persisted.add(key)
            if candle.final:
                self.stored_final.add(key)

    def keys_for(self, event_time: int) -> list[WindowKey]:
        return [(i, event_time - event_time % i.millis) for i in self.intervals]

    def unknown_windows(self, tick: Tick) -> list[WindowKey]:
        """Windows of a backfill tick that may exist in Mongo but are not in memory."""
        return [
            key
            for key in self.keys_for(tick.event_time)
            if key not in self.windows
            and key not in self.absent
            and key[1] + key[0].millis <= self.watermark
        ]

    def mark_absent(self, keys: list[WindowKey]) -> None:
        self.absent.update(keys)

    def apply(self, tick: Tick, offset: int, raw: bytes) -> Verdict:
        self.offset = offset
        ingest, event_time = tick.ingest_time, tick.event_time
        clock = self.clock
        clock.read(ingest)
        # Idleness is judged with every tick, not only at flushes, so that a verdict does
        # not depend on when the consumer happened to flush.
        if clock.now_ms - self.max_ingest_time >= self.idle_timeout_ms:
            self.advance_idle()
        bucket = ingest // self.dedup_window_ms
        if ingest > self.max_ingest_time:
            self.max_ingest_time = ingest
            if bucket != self.seen_bucket:
                self._advance_seen(bucket)
        event_id = tick.event_id
        if self._is_duplicate(event_id, offset, bucket):
            return DUPLICATE
        if offset > self.raw_offset:
            raw_batch = self.raw
            if raw_batch is None:
                raw_batch = self.raw = RawBatch(self.source, self.symbol, self.partition)
            raw_batch.add(offset, raw, ingest)
            self.raw_offset = offset
        if tick.backfill:
            return self._apply_each(tick, offset, historical=True)
        if event_time > self.max_event_time:
            self.max_event_time = event_time
            if event_time - self.lateness_ms > self.watermark:
                self.watermark = event_time - self.lateness_ms
        base_ms = self.base_ms
        base_start = event_time - event_time % base_ms
        if offset <= self.replay_horizon or base_start + base_ms <= self.watermark:
            return self._apply_each(tick, offset, historical=False)
        # On time for the finest window, hence for every coarser one that contains it. The
        # last tick's partial is tried first: consecutive ticks mostly share their window.
        partial = self.last_partial
        if partial is None or base_start != self.last_partial_start:
            partial = self.partials.get(base_start)
            if partial is None:
                partial = self.partials[base_start] = CandleAccumulator.of(tick, offset)
                self.last_partial, self.last_partial_start = partial, base_start
                return ON_TIME
            self.last_partial, self.last_partial_start = partial, base_start
        partial.add(tick.price, tick.size, event_time, event_id, offset)
        return ON_TIME

    def _is_duplicate(self, event_id: str, offset: int, bucket: int) -> bool:
        """Whether the id was seen at another offset; a new id is recorded in its bucket."""
        if event_id in self.seen or event_id in self.seen_before:
            # Offsets only grow, but a tick replayed after a restore may meet its own id.
            return self.restored_offsets.get(event_id, -1) != offset
        if bucket == self.seen_bucket:
            self.seen.add(event_id)
        elif bucket == self.seen_bucket - 1:
            self.seen_before.add(event_id)
        return False

    def _apply_each(self, tick: Tick, offset: int, *, historical: bool) -> Verdict:
        """The careful path: window by window, with per-window lateness and replay checks."""
        late: list[Interval] = []
        for key in self.keys_for(tick.event_time):
            interval, start = key
            accumulator = self.windows.get(key)
            if accumulator is not None and offset <= accumulator.offset:
                continue  # a restored window that already holds this tick
            if not historical and is_closed(start, interval, self.watermark):
                # Up to the replay horizon, the store holds the verdicts of the run before
                # the crash, and the broker its late records (docs/consumer.md): judged
                # again from a later watermark, an on-time tick would look late.
                if offset > self.replay_horizon:
                    late.append(interval)
                continue
            if accumulator is None:
                self.windows[key] = CandleAccumulator.of(tick, offset)
            else:
                accumulator.add_tick(tick, offset)
            self.dirty.add(key)
        return Verdict(late=tuple(late)) if late else ON_TIME

    def advance_idle(self) -> None:
        """A series idle by its partition's log clock lets its event time run on with that
        clock, so a quiet symbol's last windows still close (lateness after their end, once
        idle). The log clock, not the wall clock: see consumer/partition_clock.py."""
        idle = self.clock.now_ms - self.max_ingest_time
        if self.max_event_time == NEVER or idle < self.idle_timeout_ms:
            return
        self.watermark = max(self.watermark, self.max_event_time + idle - self.lateness_ms)

    def holds_back(self) -> bool:
        """History read, but no live tick yet to say which of its windows are closed:
        drained now, they would all be written open, then each again as final at the first
        live tick (a day of 1m history: 1,440 writes twice). So the series is not drained,
        and its partition's commit waits with it, until that tick or until it is idle."""
        return (
            self.watermark == NEVER
            and bool(self.windows)
            and self.clock.now_ms - self.max_ingest_time < self.idle_timeout_ms
        )

    def drain(self, handover_at: int | None = None) -> SeriesFlush:
        """Candles changed or final since the last drain; final windows are then forgotten.
        `handover_at`: a stop or revoke's, the partition's next offset (consumer/handover.py)."""
        for base_start, partial in self.partials.items():
            for interval in self.intervals:
                key = (interval, base_start - base_start % interval.millis)
                window = self.windows.get(key)
                if window is None:
                    self.windows[key] = partial.copy()
                else:
                    window.merge(partial)
                self.dirty.add(key)
        self.partials.clear()
        self.last_partial = None
        new: list[Candle] = []
        existing: list[Candle] = []
        for key, accumulator in list(self.windows.items()):
            interval, start = key
            final = is_closed(start, interval, self.watermark)
            if key in self.dirty or (final and key not in self.stored_final):
                candle = accumulator.to_candle(
                    self.source,
                    self.symbol,
                    interval,
                    start,
                    final=final,
                    partition=self.partition,
                )
                (existing if key in self.persisted else new).append(candle)
                self.persisted.add(key)
            if final:
                del self.windows[key]
                self.persisted.discard(key)
                self.stored_final.discard(key)
        self.dirty.clear()
        self.absent.clear()
        if self.offset > self.restored_until:
            self.restored_offsets.clear()  # the replay is past every restored id
        self.drained_through = self.offset
        raw, self.raw = self.raw, None
        return SeriesFlush(new, existing, self.snapshot(handover_at), raw)

    def _advance_seen(self, bucket: int) -> None:
        """The largest ingest time entered `bucket`: ids of older buckets are forgotten."""
        buckets = self.seen_buckets
        for old in [b for b in buckets if b < bucket - 1]:
            del buckets[old]
        self.seen_bucket = bucket
        self.seen = buckets.setdefault(bucket, set())
        self.seen_before = buckets.setdefault(bucket - 1, set())

    def snapshot(self, handover_at: int | None = None) -> SeriesSnapshot:
        handover = None
        if handover_at is not None:
            # Copies: the snapshot is written on the writer's thread.
            ids = {bucket: tuple(ids) for bucket, ids in self.seen_buckets.items() if ids}
            handover = DedupHandover(handover_at, ids)
        return SeriesSnapshot(
            source=self.source,
            symbol=self.symbol,
            partition=self.partition,
            offset=self.offset,
            max_event_time=self.max_event_time,
            watermark=self.watermark,
            max_ingest_time=self.max_ingest_time,
            raw_offset=self.raw_offset,
            open_candles=tuple(
                window.to_candle(
                    self.source,
                    self.symbol,
                    interval,
                    start,
                    final=False,
                    partition=self.partition,
                )
                for (interval, start), window in self.windows.items()
            ),
            handover=handover,
        )
