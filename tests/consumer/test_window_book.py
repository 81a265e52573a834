"""The window book: what each drain writes, by the state of each window's document."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinstream_common.candles import Candle
from coinstream_common.epoch import to_epoch_ms
from coinstream_common.intervals import Interval
from consumer.accumulator import CandleAccumulator
from consumer.window_book import CHANGED, NEW, STORED, STORED_FINAL, WindowBook
from consumer.windows import window_end, window_start, windows_for
from tests.support.folding import ALL, MINUTE, summary
from tests.support.ticks import T0, trade

M1 = (Interval.M1,)


def drain(book: WindowBook, watermark: int) -> tuple[list[Candle], list[Candle]]:
    return book.drain(watermark, "simulated", "BTC-USD", 0)


def written(candles: list[Candle]) -> list[tuple[int, bool, int]]:
    return [(to_epoch_ms(c.start), c.final, c.count) for c in candles]


def stored(start: int, *, final: bool) -> Candle:
    return CandleAccumulator.of(trade(1.0, start), 0).to_candle(
        "simulated", "BTC-USD", Interval.M1, start, final=final, partition=0
    )


def test_a_window_is_inserted_then_rewritten_when_changed_and_once_closed() -> None:
    book = WindowBook(M1)
    book.fold_on_time(trade(1.0, T0), 0, T0, "a", T0)
    assert written(drain(book, T0)[0]) == [(T0, False, 1)]
    assert book.windows[(Interval.M1, T0)].state == STORED
    assert drain(book, T0) == ([], [])  # unchanged and open: nothing to write
    tick = trade(2.0, T0 + 1)
    book.windows[(Interval.M1, T0)].add(tick, 1)
    assert book.windows[(Interval.M1, T0)].state == CHANGED
    assert written(drain(book, T0)[1]) == [(T0, False, 2)]
    assert written(drain(book, T0 + MINUTE)[1]) == [(T0, True, 2)]  # closed: once, final
    assert book.windows == {}


def test_a_stored_window_is_rewritten_only_if_changed_or_closed_since() -> None:
    book = WindowBook(M1)
    book.load([stored(T0, final=True), stored(T0 + MINUTE, final=False)])
    assert [w.state for w in book.windows.values()] == [STORED_FINAL, STORED]
    assert drain(book, T0 + MINUTE) == ([], [])  # the final one is forgotten, unwritten
    book.open((Interval.M1, T0 + 2 * MINUTE), trade(1.0, T0 + 2 * MINUTE), 3)
    assert book.windows[(Interval.M1, T0 + 2 * MINUTE)].state == NEW
    new, existing = drain(book, T0 + 2 * MINUTE)
    assert (written(new), written(existing)) == (
        [(T0 + 2 * MINUTE, False, 1)],
        [(T0 + MINUTE, True, 1)],
    )


def test_unknown_windows_are_the_closed_ones_neither_held_nor_known_absent() -> None:
    book = WindowBook((Interval.M1, Interval.M5))
    book.load([stored(T0, final=True)])
    at = T0 + 30_000
    assert book.unknown(at, watermark=T0 + MINUTE) == []  # the 5m window is still open
    assert book.unknown(at, watermark=T0 + 5 * MINUTE) == [(Interval.M5, T0)]
    book.mark_absent([(Interval.M5, T0)])
    assert book.unknown(at, watermark=T0 + 5 * MINUTE) == []
    drain(book, T0)  # what is absent may be written by then
    assert book.unknown(at, watermark=T0 + 5 * MINUTE) == [(Interval.M5, T0)]


@given(
    st.lists(
        st.tuples(st.floats(0.01, 1e6), st.integers(0, 3 * 3_600_000), st.floats(1e-6, 100)),
        min_size=1,
        max_size=40,
    ),
    st.integers(1, 10),
)
def test_partials_merged_at_each_drain_equal_folding_every_window(
    ticks: list[tuple[float, int, float]], drain_every: int
) -> None:
    """The fast path (each tick into its finest window's partial) against the careful one
    (each tick into each window), drained at the same moments."""
    fast, careful = WindowBook(ALL), WindowBook(ALL)
    got: dict[tuple[Interval, int], Candle] = {}
    expected: dict[tuple[Interval, int], Candle] = {}
    watermark = T0 - 5_000
    for offset, (price, at, size) in enumerate(ticks):
        tick = trade(price, T0 + at, size)
        base_start = window_start(tick.event_time, fast.base_ms)
        fast.fold_on_time(tick, offset, tick.event_time, tick.event_id, base_start)
        for key in windows_for(tick.event_time, ALL):
            window = careful.windows.get(key)
            if window is None:
                careful.open(key, tick, offset)
            else:
                window.add(tick, offset)
        if offset % drain_every == 0 or offset == len(ticks) - 1:
            watermark = max(watermark, T0 + at - 5_000)
            for book, into in ((fast, got), (careful, expected)):
                new, existing = drain(book, watermark)
                into.update({(c.interval, to_epoch_ms(c.start)): c for c in (*new, *existing)})
    assert got.keys() == expected.keys()
    for key, candle in got.items():
        assert summary(candle) == pytest.approx(summary(expected[key]), rel=1e-9)
        assert candle.final == expected[key].final
        assert candle.final == (window_end(key[1], key[0].millis) <= watermark)
