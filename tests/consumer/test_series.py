"""The pure windowing core: watermarks, lateness per window, duplicates, restore."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinstream_common.candles import Candle
from coinstream_common.epoch import to_epoch_ms
from coinstream_common.intervals import Interval
from coinstream_common.ticks import Tick
from consumer.accumulator import CandleAccumulator
from consumer.series import ON_TIME, Series
from consumer.state import NEVER, SeriesSnapshot
from tests.support.folding import (
    ALL,
    DEDUP,
    IDLE,
    LATENESS,
    MINUTE,
    CommitLog,
    aggregator,
    collect,
    feed,
    summary,
)
from tests.support.reference import CandleKey, reference_candles
from tests.support.ticks import T0, trade


def run(ticks: Iterable[Tick], drain_every: int = 1) -> dict[CandleKey, Candle]:
    """Feed ticks at offsets 0, 1, ..., draining every few, keeping each candle's last version."""
    agg, latest = aggregator(), dict[CandleKey, Candle]()
    for offset, tick in enumerate(ticks):
        feed(agg, tick, offset)
        if offset % drain_every == 0:
            collect(latest, agg)
    collect(latest, agg)
    return latest


def test_a_window_is_final_once_the_watermark_passes_its_end() -> None:
    agg = aggregator((Interval.M1,))
    feed(agg, trade(100.0, T0 + 10_000), 0)
    [flush] = agg.drain()
    assert [c.final for c in flush.new] == [False]
    feed(agg, trade(101.0, T0 + MINUTE + LATENESS - 1), 1)  # watermark T0 + 59_999
    [flush] = agg.drain()
    assert [(to_epoch_ms(c.start), c.final) for c in flush.new] == [(T0 + MINUTE, False)]
    assert flush.existing == []
    feed(agg, trade(102.0, T0 + MINUTE + LATENESS), 2)  # watermark reaches T0 + 60_000
    [flush] = agg.drain()
    assert [(to_epoch_ms(c.start), c.final, c.count) for c in flush.existing] == [
        (T0, True, 1),
        (T0 + MINUTE, False, 2),
    ]
    [flush] = agg.drain()
    assert flush.new == flush.existing == []  # final windows are written once and forgotten


def test_lateness_is_judged_per_window() -> None:
    agg = aggregator((Interval.M1, Interval.D1))
    feed(agg, trade(100.0, T0 + 10_000), 0)
    feed(agg, trade(100.0, T0 + 2 * MINUTE), 1)  # the first minute is now final
    agg.drain()
    series = feed(agg, trade(90.0, T0 + 20_000), 2)
    assert series.apply(trade(80.0, T0 + 30_000), 3, b"{}").late == (Interval.M1,)
    [flush] = agg.drain()
    [daily] = [c for c in flush.existing if c.interval is Interval.D1]
    assert (daily.count, daily.low) == (4, 80.0)


def test_backfill_lands_in_final_windows() -> None:
    agg = aggregator((Interval.M1,))
    feed(agg, trade(100.0, T0 + 10 * MINUTE), 0)
    series = feed(agg, trade(50.0, T0 + 30_000, backfill=True), 1)
    assert series.watermark == T0 + 10 * MINUTE - LATENESS  # history does not move it
    [flush] = agg.drain()
    old = {to_epoch_ms(c.start): c for c in flush.new}[T0]
    assert (old.close, old.final) == (50.0, True)


def test_a_resent_tick_is_a_duplicate_and_changes_nothing() -> None:
    agg = aggregator((Interval.M1,))
    original = trade(100.0, T0 + 1_000, event_id="x:BTC-USD:trade:1")
    series = feed(agg, original, 0)
    assert series.apply(original, 1, b"{}").duplicate
    [flush] = agg.drain()
    assert flush.new[0].count == 1


def ingested(tick: Tick, ingest_time: int) -> Tick:
    return msgspec.structs.replace(tick, ingest_time=ingest_time)


def test_a_tick_re_sent_past_the_window_counts_again_but_once() -> None:
    agg = aggregator((Interval.M1,))
    first = trade(100.0, T0, event_id="x:BTC-USD:trade:1")
    series = feed(agg, first, 0)
    # Two dedup buckets on, the first tick's bucket is forgotten.
    feed(agg, ingested(trade(101.0, T0 + MINUTE), T0 + 2 * DEDUP), 1)
    resent = ingested(first, T0 + 2 * DEDUP)
    assert not series.apply(resent, 2, b"{}").duplicate  # past the window: counted again
    assert series.apply(resent, 3, b"{}").duplicate  # but only once


@given(
    st.integers(min_value=0, max_value=3 * DEDUP),
    st.integers(min_value=0, max_value=3 * DEDUP),
    st.booleans(),
)
def test_ids_are_remembered_for_the_window_at_least_and_twice_it_at_most(
    first_at: int, later_by: int, drain_between: bool
) -> None:
    agg = aggregator((Interval.M1,))
    first = ingested(trade(100.0, T0, event_id="x:BTC-USD:trade:1"), T0 + first_at)
    series = feed(agg, first, 0)
    if drain_between:
        agg.drain()  # flushing changes nothing: the rule depends on the ticks alone
    feed(agg, ingested(trade(101.0, T0 + 1), T0 + first_at + later_by), 1)
    duplicate = series.apply(first, 2, b"{}").duplicate
    if later_by <= DEDUP:
        assert duplicate
    elif later_by >= 2 * DEDUP:
        assert not duplicate
    assert duplicate == ((T0 + first_at + later_by) // DEDUP - (T0 + first_at) // DEDUP <= 1)


def test_a_replayed_tick_meeting_its_own_restored_id_is_applied() -> None:
    tick = trade(100.0, T0 + 1_000, event_id="x:BTC-USD:trade:1")
    snapshot = SeriesSnapshot.empty("simulated", "BTC-USD", 0)
    rules = aggregator((Interval.M1,)).rules
    # Its raw batch was written before a crash, its candle was not: the replay applies it.
    series = Series.restored(snapshot, [], {tick.event_id: (7, tick.ingest_time)}, rules)
    assert not series.apply(tick, 7, b"{}").duplicate
    assert series.apply(tick, 8, b"{}").duplicate  # a copy at another offset
    [candle] = series.drain().new
    assert (candle.count, candle.offset) == (1, 7)


def test_an_idle_series_closes_its_last_window_by_its_partitions_log_clock() -> None:
    agg = aggregator((Interval.M1,))
    quiet = feed(agg, trade(100.0, T0 + 50_000), 0)  # ingested at T0 + 50_005
    feed(agg, trade(1.0, T0 + 59_000, symbol="ETH-USD"), 1)  # idle for 9_000 ms: not yet
    assert quiet.watermark == T0 + 50_000 - LATENESS
    agg.advance_idle({}, read_all_at_ms=0)
    assert quiet.watermark == T0 + 50_000 - LATENESS
    feed(agg, trade(1.0, T0 + 65_000, symbol="ETH-USD"), 2)  # idle for 15_000 ms
    agg.advance_idle({}, read_all_at_ms=0)
    assert quiet.watermark == T0 + 50_000 + 15_000 - LATENESS
    flushes = {f.snapshot.symbol: f for f in agg.drain()}
    assert [c.final for c in flushes["BTC-USD"].new] == [True]


def test_wall_time_runs_the_log_clock_on_only_while_the_partition_is_read_to_its_end() -> None:
    agg = aggregator((Interval.M1,))
    series = feed(agg, trade(100.0, T0 + 50_000), 0)
    wall = 1_000_000
    agg.clock(0).reached_end(position=1, wall_ms=wall)
    agg.advance_idle({0: 1}, read_all_at_ms=wall + 10_999)  # less the delivery margin
    assert series.watermark == T0 + 50_000 - LATENESS
    agg.advance_idle({0: 2}, read_all_at_ms=wall + 60_000)  # read on since: not at the end
    assert series.watermark == T0 + 50_000 - LATENESS
    agg.advance_idle({0: 1}, read_all_at_ms=wall + 16_000)
    assert series.watermark == T0 + 50_000 + 15_000 - LATENESS
    agg.left_end()  # paused: wall time says nothing any more
    agg.advance_idle({0: 1}, read_all_at_ms=wall + 60_000)
    assert series.watermark == T0 + 50_000 + 15_000 - LATENESS


def test_a_restored_quiet_series_waits_for_its_partitions_clock() -> None:
    """Issue 13: restored, a series that gets no tick must not count as idle since ever."""
    agg = aggregator((Interval.M1,))
    last = trade(100.0, T0 + 20_000, source="kraken")  # ingested at T0 + 20_005
    open_minute = CandleAccumulator.of(last, 9).to_candle(
        "kraken", "BTC-USD", Interval.M1, T0, final=False, partition=0
    )
    snapshot = SeriesSnapshot(
        "kraken",
        "BTC-USD",
        0,
        offset=9,
        max_event_time=last.event_time,
        watermark=last.event_time - LATENESS,
        max_ingest_time=last.ingest_time,
        raw_offset=9,
    )
    quiet = agg.adopt(Series.restored(snapshot, [open_minute], {}, agg.rules), 10)
    feed(agg, trade(1.0, T0 + 24_000, source="coinbase"), 10)
    agg.advance_idle({0: 11}, read_all_at_ms=0)
    [flush] = [f for f in agg.drain() if f.snapshot.source == "kraken"]
    assert quiet.watermark == last.event_time - LATENESS
    assert flush.existing == []  # still open, unchanged: nothing to rewrite
    assert quiet.apply(trade(101.0, T0 + 21_000, source="kraken"), 11, b"{}") is ON_TIME


def ticks_within(span_ms: int) -> st.SearchStrategy[list[tuple[float, int, float, str]]]:
    return st.lists(
        st.tuples(
            st.floats(min_value=0.01, max_value=1e6, allow_nan=False),
            st.integers(min_value=0, max_value=span_ms),
            st.floats(min_value=1e-6, max_value=100, allow_nan=False),
            st.sampled_from(["BTC-USD", "ETH-USD"]),
        ),
        min_size=1,
        max_size=60,
    )


@st.composite
def shuffled_within_lateness(
    draw: st.DrawFn, span_ms: int = 3 * 3_600_000
) -> tuple[list[Tick], list[Tick]]:
    """Ticks in event order, and an arrival order in which none is later than LATENESS."""
    ticks = [trade(p, T0 + t, size=q, symbol=s) for p, t, q, s in draw(ticks_within(span_ms))]
    jitter = [draw(st.integers(min_value=0, max_value=LATENESS - 1)) for _ in ticks]
    arrival = [
        t for _, t in sorted(zip(jitter, ticks, strict=True), key=lambda p: p[1].event_time + p[0])
    ]
    return sorted(ticks, key=lambda t: t.event_time), arrival


@given(shuffled_within_lateness(), st.integers(min_value=1, max_value=20))
def test_any_order_within_lateness_gives_the_reference_candles(
    orders: tuple[list[Tick], list[Tick]], drain_every: int
) -> None:
    in_order, arrival = orders
    expected = reference_candles(in_order, ALL)
    for ticks in (in_order, arrival):
        got = run(ticks, drain_every)
        assert set(got) == set(expected)
        for candle_key, candle in got.items():
            assert summary(candle) == pytest.approx(expected[candle_key], rel=1e-9)


def resent(ticks: list[Tick], data: st.DataObject) -> list[Tick]:
    """The ticks with up to 10 re-sent copies, each somewhere after its original."""
    with_copies = list(ticks)
    for tick in data.draw(st.lists(st.sampled_from(ticks), max_size=10)):
        position = data.draw(
            st.integers(min_value=with_copies.index(tick) + 1, max_value=len(with_copies))
        )
        with_copies.insert(position, tick)
    return with_copies


# Re-sent copies within the dedup window (ticks here are ingested as they happen).
@given(shuffled_within_lateness(span_ms=DEDUP), st.data())
def test_duplicates_change_nothing(
    orders: tuple[list[Tick], list[Tick]], data: st.DataObject
) -> None:
    _, arrival = orders
    expected = run(arrival)
    got = run(resent(arrival, data))
    assert {k: summary(c) for k, c in got.items()} == {k: summary(c) for k, c in expected.items()}


@given(shuffled_within_lateness(), st.data())
def test_a_crash_or_a_stop_at_any_moment_changes_no_candle(
    orders: tuple[list[Tick], list[Tick]], data: st.DataObject
) -> None:
    """The recovery argument of docs/consumer.md, run: crash mid-flush, restore, replay;
    or stop, handing the ids over, and restore from them (consumer/handover.py)."""
    arrival = resent(orders[1], data)
    expected = run(arrival)
    log = CommitLog()
    agg = aggregator()
    offset = 0
    # After which offsets to flush, and which flushes crash after how many candle writes.
    flush_after = data.draw(st.sets(st.integers(min_value=1, max_value=len(arrival))))
    crashes: list[int] = data.draw(
        st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=3)
    )
    while offset < len(arrival):
        feed(agg, arrival[offset], offset)
        offset += 1
        if offset in flush_after:
            flush_after.discard(offset)
            crash: bool = bool(crashes) and data.draw(st.booleans())
            cut = crashes.pop() if crash else None
            stop = cut is None and data.draw(st.booleans())
            log.write(agg, offset, cut, stop=stop)
            if cut is not None or stop:
                agg, offset = log.restore(), log.committed
    log.write(agg, offset, None)
    assert set(log.candles) == set(expected)
    for candle_key, candle in log.candles.items():
        assert summary(candle) == pytest.approx(summary(expected[candle_key]), rel=1e-9)
        assert candle.final == expected[candle_key].final


def test_a_fresh_series_starts_with_no_watermark() -> None:
    series = aggregator().new_series("simulated", "BTC-USD", 0)
    assert (series.watermark, series.max_event_time) == (NEVER, NEVER)


def test_forgetting_partitions_drops_only_their_series() -> None:
    agg = aggregator()
    kept = agg.new_series("coinbase", "BTC-USD", 1)
    agg.new_series("simulated", "BTC-USD", 0)
    agg.new_series("simulated", "ETH-USD", 2)
    agg.forget({0, 2})
    assert list(agg) == [kept]
    assert agg.get("simulated", "BTC-USD") is None
    assert [f.snapshot.partition for f in agg.drain()] == [1]


def test_history_waits_for_the_first_live_tick_then_is_written_final_once() -> None:
    agg = aggregator((Interval.M1,))
    now = T0 + 10 * MINUTE
    for i in range(5):
        feed(agg, ingested(trade(100.0 + i, T0 + i * MINUTE, backfill=True), now), i)
    assert agg.held_positions() == {0: 0}
    assert agg.drain() == []  # closed or not, nothing says yet: held, and the commit with it
    feed(agg, ingested(trade(200.0, now), now), 5)
    assert agg.held_positions() == {}
    [flush] = agg.drain()
    assert flush.existing == []
    assert sorted((to_epoch_ms(c.start), c.final) for c in flush.new) == [
        *((T0 + i * MINUTE, True) for i in range(5)),
        (now, False),
    ]
    [flush] = agg.drain()
    assert flush.new == flush.existing == []


def test_history_with_no_live_tick_is_written_once_its_series_is_idle() -> None:
    agg = aggregator((Interval.M1,))
    now = T0 + 10 * MINUTE
    feed(agg, ingested(trade(100.0, T0, backfill=True), now), 0)
    feed(agg, ingested(trade(1.0, now, symbol="ETH-USD"), now + IDLE - 1), 1)
    assert [f.snapshot.symbol for f in agg.drain()] == ["ETH-USD"]
    assert agg.held_positions() == {0: 0}
    feed(agg, ingested(trade(1.0, now + 1, symbol="ETH-USD"), now + IDLE), 2)
    [history] = [f for f in agg.drain() if f.snapshot.symbol == "BTC-USD"]
    assert [c.final for c in history.new] == [False]  # no watermark: open until a live tick
    assert agg.held_positions() == {}
