"""Idle close against a simulated wall clock: a restore changes no candle and no late verdict.

Several series share one partition. Ticks arrive on a wall clock with gaps short and long
(past the idle timeout), stamped with their ingest time a little before they arrive (the
delivery delay, under the clock's margin) and their event time before that: some by more
than the allowed lateness, some (history, a backfill) by hours. The consumer reads each
tick as it arrives, reaching the partition's end each time, and flushes at moments in the
gaps. The same arrivals are then read by a consumer that stops at some point, crashing
(mid-write, or after it) or pausing (writes failing), for a downtime, and reads what
arrived meanwhile in one burst before catching up; and by one that reads them all as a
backlog afterwards. All three must agree on every late record and every candle.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinstream_common.candles import Candle
from coinstream_common.intervals import Interval
from coinstream_common.ticks import Tick, encode_tick, make_tick, trade_event_id
from consumer.aggregator import Aggregator
from consumer.partition_clock import DELIVERY_MARGIN_MS
from consumer.series import Series
from tests.support.folding import IDLE, LATENESS, CommitLog, aggregator, series_for, summary
from tests.support.reference import CandleKey
from tests.support.ticks import T0

SOURCES = ("coinbase", "kraken", "binance", "coingecko")
HOUR = 3_600_000
DAYS = 2 * 86_400_000  # idle for this long, every window of these tests is closed


@dataclass(frozen=True)
class Arrival:
    tick: Tick
    wall_ms: int
    flush_after_ms: int | None  # a flush this long after the tick, before the next arrives


@dataclass(frozen=True)
class Interruption:
    """Reading stops after arrival `after`, for `downtime_ms` of wall time."""

    after: int
    downtime_ms: int
    # A crash restores from the store; with `cut`, it struck mid-flush after that many
    # candle writes. A pause (writes failing) keeps the consumer's memory.
    crash: bool
    cut: int | None


@st.composite
def arrivals(draw: st.DrawFn) -> list[Arrival]:
    sources = SOURCES[: draw(st.integers(min_value=2, max_value=len(SOURCES)))]
    count = draw(st.integers(min_value=1, max_value=40))
    # A series' history comes first, as a producer publishes it for a new symbol: quickly,
    # then its live ticks, among the other series'.
    history = draw(st.integers(min_value=0, max_value=8))
    wall, out = T0, []
    for n in range(count):
        # Mostly a busy stream, sometimes a gap longer than the idle timeout.
        gaps = st.integers(min_value=0, max_value=2_000)
        if n >= history:
            gaps |= st.integers(min_value=IDLE - 1_000, max_value=4 * IDLE)
        wall += draw(gaps)
        ingest = wall - draw(st.integers(min_value=0, max_value=DELIVERY_MARGIN_MS - 1))
        # Most ticks on time; some older than the allowed lateness, so verdicts vary.
        delay = draw(
            st.one_of(
                st.integers(min_value=0, max_value=LATENESS - 1),
                st.integers(min_value=LATENESS, max_value=3 * IDLE),
            )
        )
        source = sources[0] if n < history else draw(st.sampled_from(sources))
        # Some ticks are history (a backfill), up to hours old.
        backfill = n < history or draw(st.integers(min_value=0, max_value=9)) == 0
        if backfill:
            delay = draw(st.integers(min_value=0, max_value=3 * HOUR))
        tick = make_tick(
            event_id=trade_event_id(source, "BTC-USD", n),
            source=source,
            symbol="BTC-USD",
            kind="trade",
            price=draw(st.floats(min_value=1.0, max_value=1e5, allow_nan=False)),
            size=1.0,
            event_time=ingest - delay,
            ingest_time=ingest,
            backfill=backfill,
        )
        flush = draw(st.none() | st.integers(min_value=0, max_value=4 * IDLE))
        out.append(Arrival(tick, wall, flush))
    return out


LateRecords = dict[int, tuple[Interval, ...]]  # offset -> the intervals it was late for


class Reader:
    """One consumer of the partition: folds, flushes into a CommitLog, crashes, restores.

    Late records are acknowledged by the broker when a flush begins, before its writes (as
    FlushWriter does); a crash loses those not acknowledged yet."""

    def __init__(self) -> None:
        self.log = CommitLog()
        self.agg: Aggregator = aggregator()
        self.pending: LateRecords = {}
        self.acknowledged: LateRecords = {}

    def read(self, arrivals: list[Arrival], first: int, last: int) -> None:
        for offset in range(first, last):
            tick = arrivals[offset].tick
            series = series_for(self.agg, tick, offset)
            if tick.backfill:
                self.load_history(series, tick)
            verdict = series.apply(tick, offset, encode_tick(tick))
            if verdict.late:
                self.pending[offset] = verdict.late

    def load_history(self, series: Series, tick: Tick) -> None:
        """As the consumer does: a history tick's final windows are read from the store."""
        missing = []
        for interval, start in series.unknown_windows(tick):
            stored = self.log.candles.get((tick.source, tick.symbol, interval, start))
            if stored is None:
                missing.append((interval, start))
            else:
                series.load([stored])
        series.mark_absent(missing)

    def flush(self, position: int, wall_ms: int, cut: int | None = None) -> None:
        for offset, late in self.pending.items():
            # A copy sent again must say what the first said.
            assert self.acknowledged.setdefault(offset, late) == late, offset
        self.pending.clear()
        self.agg.advance_idle({0: position}, wall_ms)
        self.log.write(self.agg, position, cut)

    def restart(self) -> int:
        """Back to what the store holds; returns the committed offset, where reading resumes."""
        self.pending.clear()
        self.agg = self.log.restore()
        return self.log.committed


def consume(arrivals: list[Arrival], stop: Interruption | None = None) -> tuple[Reader, int]:
    """Read the arrivals as they come; returns the reader and the wall time it ended at."""
    reader = Reader()
    position = 0
    while position < len(arrivals):
        arrival = arrivals[position]
        reader.read(arrivals, position, position + 1)
        position += 1
        end_wall = arrival.wall_ms
        reader.agg.clock(0).reached_end(position, end_wall)
        stopping = stop is not None and stop.after == position - 1
        if arrival.flush_after_ms is not None:
            flushed_at = arrival.wall_ms + arrival.flush_after_ms
            if position < len(arrivals):
                flushed_at = min(flushed_at, arrivals[position].wall_ms)
            cut = stop.cut if stop is not None and stopping and stop.crash else None
            reader.flush(position, flushed_at, cut)
            end_wall = flushed_at
        if stop is not None and stopping:
            resumed_at = end_wall + stop.downtime_ms
            if stop.crash:
                first = reader.restart()
            else:
                first = position
                reader.agg.left_end()
                reader.flush(position, resumed_at)  # writes succeed again before a read
            # What arrived meanwhile is read in one burst, then the end is reached.
            arrived = [i for i, a in enumerate(arrivals) if a.wall_ms <= resumed_at]
            position = max(position, arrived[-1] + 1)
            reader.read(arrivals, first, position)
            reader.agg.clock(0).reached_end(position, resumed_at)
            reader.flush(position, resumed_at)
            end_wall = resumed_at
    return reader, end_wall


def consume_later(arrivals: list[Arrival], flush_every: int) -> Reader:
    """A consumer started once everything has arrived: the log read as one backlog."""
    reader = Reader()
    for first in range(0, len(arrivals), flush_every):
        last = min(first + flush_every, len(arrivals))
        reader.read(arrivals, first, last)
        reader.flush(last, arrivals[-1].wall_ms)
    return reader


def final_candles(reader: Reader, position: int, wall_ms: int) -> dict[CandleKey, Candle]:
    """Every window closed: reached the end, then idle for days."""
    reader.agg.clock(0).reached_end(position, wall_ms)
    reader.flush(position, wall_ms + DAYS)
    return reader.log.candles


@given(arrivals(), st.data())
def test_a_restart_a_pause_or_a_backlog_changes_no_candle_and_no_late_verdict(
    stream: list[Arrival], data: st.DataObject
) -> None:
    stop = Interruption(
        after=data.draw(st.integers(min_value=0, max_value=len(stream) - 1)),
        downtime_ms=data.draw(st.integers(min_value=0, max_value=4 * IDLE)),
        crash=data.draw(st.booleans()),
        cut=data.draw(st.none() | st.integers(min_value=0, max_value=8)),
    )
    live, live_end = consume(stream)
    stopped, stopped_end = consume(stream, stop)
    later = consume_later(stream, data.draw(st.integers(min_value=1, max_value=10)))
    end = max(live_end, stopped_end)
    expected = final_candles(live, len(stream), end)
    for reader in (stopped, later):
        got = final_candles(reader, len(stream), end)
        assert reader.acknowledged == live.acknowledged
        assert set(got) == set(expected)
        for candle_key, candle in got.items():
            assert summary(candle) == pytest.approx(summary(expected[candle_key]), rel=1e-9)
            assert candle.final == expected[candle_key].final
