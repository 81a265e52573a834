"""Folding ticks through the pure consumer core in tests: the aggregator as the consumer
sets it up, and a simulated store that a crash can cut short and a restore reads back."""

from __future__ import annotations

from coinstream_common.candles import Candle
from coinstream_common.epoch import to_epoch_ms
from coinstream_common.intervals import Interval
from coinstream_common.ticks import Tick, encode_tick
from consumer.aggregator import Aggregator
from consumer.handover import handed_over
from consumer.series import Series
from consumer.state import SeriesSnapshot, raw_document, unpack
from tests.support.reference import CandleKey

LATENESS = 5_000
DEDUP = 600_000
IDLE = 10_000
ALL = tuple(Interval)
MINUTE = 60_000


def aggregator(intervals: tuple[Interval, ...] = ALL) -> Aggregator:
    return Aggregator(intervals, lateness_ms=LATENESS, dedup_window_ms=DEDUP, idle_timeout_ms=IDLE)


def series_for(agg: Aggregator, tick: Tick, offset: int, partition: int = 0) -> Series:
    series = agg.get(tick.source, tick.symbol)
    return series or agg.new_series(tick.source, tick.symbol, partition, offset)


def feed(agg: Aggregator, tick: Tick, offset: int, partition: int = 0) -> Series:
    series = series_for(agg, tick, offset, partition)
    series.apply(tick, offset, encode_tick(tick))
    return series


def key(candle: Candle) -> CandleKey:
    return (candle.source, candle.symbol, candle.interval, to_epoch_ms(candle.start))


def collect(into: dict[CandleKey, Candle], agg: Aggregator) -> None:
    for flush in agg.drain():
        for candle in (*flush.new, *flush.existing):
            into[key(candle)] = candle


def summary(candle: Candle) -> dict[str, float | None]:
    return {
        "open": candle.open,
        "close": candle.close,
        "high": candle.high,
        "low": candle.low,
        "mean": candle.mean,
        "count": candle.count,
        "volume": candle.volume,
        "vwap": candle.vwap,
        "trade_count": candle.trade_count,
    }


class CommitLog:
    """What survives a crash: docs written so far, snapshots, raw ids, the committed offset."""

    def __init__(self) -> None:
        self.candles: dict[CandleKey, Candle] = {}
        self.snapshots: dict[tuple[str, str], SeriesSnapshot] = {}
        self.seen: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}
        self.committed = 0

    def write(
        self, agg: Aggregator, next_offset: int, cut: int | None, *, stop: bool = False
    ) -> None:
        """A flush (as the consumer's, holding back what holds back); with `cut`, the crash
        hits after that many candle documents; with `stop`, the final flush of a stop,
        which holds nothing back and hands each series' ids over."""
        held = next_offset if stop else agg.held_positions().get(0, next_offset)
        flushes = agg.drain(hold=not stop, handover={0: next_offset} if stop else None)
        for flush in flushes:
            if flush.raw is not None:
                ids = self.seen.setdefault((flush.raw.source, flush.raw.symbol), {})
                for offset, tick in unpack(raw_document(0, [flush.raw])):
                    ids.setdefault(tick["event_id"], (offset, tick["ingest_time"]))
        candles = [c for f in flushes for c in (*f.new, *f.existing)]
        for candle in candles[:cut]:
            self.candles[key(candle)] = candle
        if cut is not None:
            return
        for flush in flushes:
            self.snapshots[(flush.snapshot.source, flush.snapshot.symbol)] = flush.snapshot
        self.committed = min(next_offset, held)

    def restore(self) -> Aggregator:
        """As ConsumerStore.restore does, for every series anything was written of: its
        snapshot, open windows included (none without a snapshot), and the ids of its
        handover if every snapshot's covers the replay, else of its raw ticks."""
        agg = aggregator()
        from_handover = handed_over(list(self.snapshots.values()), self.committed)
        names = {*self.snapshots, *((c.source, c.symbol) for c in self.candles.values())}
        for source, symbol in names:
            saved = self.snapshots.get((source, symbol))
            snapshot = saved or SeriesSnapshot.empty(source, symbol, 0)
            candles = list(snapshot.open_candles)
            if from_handover and snapshot.handover is not None:
                series = Series.restored(snapshot, candles, {}, agg.rules, snapshot.handover.ids)
            else:
                seen = dict(self.seen.get((source, symbol), {}))
                series = Series.restored(snapshot, candles, seen, agg.rules)
            agg.adopt(series, self.committed)
        return agg
