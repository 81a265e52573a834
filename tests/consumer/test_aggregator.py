from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinstream_common.candles import Candle
from coinstream_common.intervals import Interval
from coinstream_common.ticks import Tick
from consumer.accumulator import to_epoch_ms
from consumer.aggregator import WindowAggregator
from tests.support.reference import CandleKey, reference_candles
from tests.support.ticks import T0, trade

LATENESS = 5_000
ALL = tuple(Interval)


def run(ticks: Iterable[Tick], intervals: tuple[Interval, ...] = ALL) -> dict[CandleKey, Candle]:
    """Feed ticks one by one, draining after each, and keep the last version of each candle."""
    aggregator = WindowAggregator(intervals, LATENESS)
    latest: dict[CandleKey, Candle] = {}
    for tick in ticks:
        aggregator.apply(tick)
        for candle in aggregator.drain():
            latest[(candle.source, candle.symbol, candle.interval, to_epoch_ms(candle.start))] = (
                candle
            )
    return latest


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


def test_a_window_is_final_once_the_watermark_passes_its_end() -> None:
    aggregator = WindowAggregator([Interval.M1], LATENESS)
    aggregator.apply(trade(100.0, T0 + 10_000))
    [open_candle] = aggregator.drain()
    assert open_candle.final is False
    aggregator.apply(trade(101.0, T0 + 60_000 + LATENESS - 1))  # watermark T0 + 59_999
    [(start, final)] = [(to_epoch_ms(c.start), c.final) for c in aggregator.drain()]
    assert (start, final) == (T0 + 60_000, False)
    aggregator.apply(trade(102.0, T0 + 60_000 + LATENESS))  # watermark reaches T0 + 60_000
    drained = {to_epoch_ms(c.start): c for c in aggregator.drain()}
    assert drained[T0].final is True
    assert drained[T0].count == 1
    assert drained[T0 + 60_000].final is False
    # A final window is written once and forgotten.
    assert all(to_epoch_ms(c.start) != T0 for c in aggregator.drain())


def test_nothing_changed_means_nothing_to_write() -> None:
    aggregator = WindowAggregator([Interval.M1], LATENESS)
    aggregator.apply(trade(100.0, T0))
    assert len(aggregator.drain()) == 1
    assert aggregator.drain() == []


def test_lateness_is_judged_per_window() -> None:
    aggregator = WindowAggregator([Interval.M1, Interval.D1], LATENESS)
    aggregator.apply(trade(100.0, T0 + 10_000))
    aggregator.apply(
        trade(100.0, T0 + 120_000)
    )  # watermark T0 + 115_000: the first minute is final
    aggregator.drain()
    late = aggregator.apply(trade(90.0, T0 + 20_000))
    assert late == (Interval.M1,)
    [daily] = aggregator.drain()
    assert daily.interval is Interval.D1
    assert (daily.count, daily.low) == (3, 90.0)


def test_series_have_separate_watermarks() -> None:
    aggregator = WindowAggregator([Interval.M1], LATENESS)
    aggregator.apply(trade(100.0, T0 + 600_000, symbol="ETH-USD"))
    assert aggregator.apply(trade(100.0, T0, symbol="BTC-USD")) == ()
    assert aggregator.watermark("simulated", "ETH-USD") == T0 + 600_000 - LATENESS


@st.composite
def shuffled_within_lateness(draw: st.DrawFn) -> tuple[list[Tick], list[Tick]]:
    """Ticks in event order, and an arrival order in which none is later than LATENESS."""
    count = draw(st.integers(min_value=1, max_value=60))
    ticks = [
        trade(
            draw(st.floats(min_value=0.01, max_value=1e6, allow_nan=False)),
            T0 + draw(st.integers(min_value=0, max_value=4 * 3_600_000)),
            size=draw(st.floats(min_value=1e-6, max_value=100, allow_nan=False)),
            symbol=draw(st.sampled_from(["BTC-USD", "ETH-USD"])),
        )
        for _ in range(count)
    ]
    jitter = [draw(st.integers(min_value=0, max_value=LATENESS - 1)) for _ in ticks]
    arrival = [
        t for _, t in sorted(zip(jitter, ticks, strict=True), key=lambda p: p[1].event_time + p[0])
    ]
    return sorted(ticks, key=lambda t: t.event_time), arrival


@given(shuffled_within_lateness())
def test_any_order_within_lateness_gives_the_reference_candles(
    orders: tuple[list[Tick], list[Tick]],
) -> None:
    in_order, arrival = orders
    expected = reference_candles(in_order, ALL)
    for ticks in (in_order, arrival):
        got = run(ticks)
        assert set(got) == set(expected)
        for key, candle in got.items():
            assert summary(candle) == pytest.approx(expected[key], rel=1e-9)
