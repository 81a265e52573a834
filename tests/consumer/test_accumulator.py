from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coinstream_common.epoch import to_datetime, to_epoch_ms
from coinstream_common.intervals import Interval
from coinstream_common.ticks import Tick, make_tick
from consumer.accumulator import CandleAccumulator
from tests.support.ticks import T0, trade


def fold(ticks: list[Tick]) -> CandleAccumulator:
    accumulator = CandleAccumulator.of(ticks[0], 0)
    for offset, tick in enumerate(ticks[1:], start=1):
        accumulator.add_tick(tick, offset)
    return accumulator


def test_candle_math_by_hand() -> None:
    # Arrival order differs from event order: open and close follow event time.
    ticks = [
        trade(101.0, T0 + 20_000, size=2.0),
        trade(100.0, T0 + 1_000, size=1.0),
        trade(105.0, T0 + 30_000, size=0.5),
        trade(99.0, T0 + 59_999, size=1.5),
    ]
    candle = fold(ticks).to_candle("simulated", "BTC-USD", Interval.M1, T0, final=True, partition=0)
    assert (candle.open, candle.high, candle.low, candle.close) == (100.0, 105.0, 99.0, 99.0)
    assert candle.count == 4
    assert candle.trade_count == 4
    assert candle.mean == pytest.approx((101 + 100 + 105 + 99) / 4)
    assert candle.volume == pytest.approx(5.0)
    assert candle.vwap == pytest.approx((202 + 100 + 52.5 + 148.5) / 5.0)
    assert candle.start == datetime(2024, 3, 25, 8, 0, tzinfo=UTC)
    assert candle.end == datetime(2024, 3, 25, 8, 1, tzinfo=UTC)
    assert candle.first_event_time == to_datetime(T0 + 1_000)
    assert candle.last_event_time == to_datetime(T0 + 59_999)
    assert candle.final is True


def test_equal_event_times_break_ties_by_event_id_not_arrival() -> None:
    a = trade(10.0, T0, event_id="x:BTC-USD:trade:a")
    b = trade(20.0, T0, event_id="x:BTC-USD:trade:b")
    for order in ([a, b], [b, a]):
        accumulator = fold(order)
        assert (accumulator.open, accumulator.close) == (10.0, 20.0)


def test_quotes_count_but_add_no_volume() -> None:
    quote = make_tick(
        event_id="coingecko:BTC-USD:quote:1",
        source="coingecko",
        symbol="BTC-USD",
        kind="quote",
        price=50.0,
        event_time=T0,
        ingest_time=T0,
    )
    candle = fold([quote]).to_candle(
        "coingecko", "BTC-USD", Interval.M1, T0, final=False, partition=0
    )
    assert (candle.count, candle.trade_count, candle.volume, candle.vwap) == (1, 0, 0.0, None)


def test_a_stored_candle_restores_the_same_state() -> None:
    accumulator = fold([trade(1.5, T0 + 10, size=3.0), trade(2.5, T0 + 20, size=1.0)])
    candle = accumulator.to_candle(
        "simulated", "BTC-USD", Interval.M1, T0, final=False, partition=2
    )
    assert (candle.partition, candle.offset) == (2, 1)
    assert CandleAccumulator.from_candle(candle) == accumulator


def test_merging_partials_equals_folding_everything() -> None:
    ticks = [trade(100.0 + i % 7, T0 + 1_000 * (i * 7 % 13), size=0.5 + i) for i in range(12)]
    whole = fold(ticks)
    left, right = fold(ticks[:5]), fold(ticks[5:])
    left.merge(right)
    assert left.offset == 6  # offsets restart in each fold; the merge keeps the largest
    whole.offset = left.offset
    assert left.open == whole.open
    assert left.close == whole.close
    assert (left.high, left.low, left.count, left.trade_count) == (
        whole.high,
        whole.low,
        whole.count,
        whole.trade_count,
    )
    assert left.volume == pytest.approx(whole.volume)
    assert left.notional == pytest.approx(whole.notional)


def test_millisecond_times_convert_exactly() -> None:
    for moment in (0, T0, T0 + 1, T0 + 999, 4_102_444_800_123):
        assert to_epoch_ms(to_datetime(moment)) == moment
