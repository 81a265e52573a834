from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from alerter.price_window import PriceWindow
from tests.alerter.reference import PriceTick, price_ticks, window_span


@given(ticks=price_ticks(max_size=120), span_s=st.integers(1, 30))
def test_every_answer_is_the_brute_force_low_and_high(ticks: list[PriceTick], span_s: int) -> None:
    window = PriceWindow(span_s)

    answers = [window.add(t // 1000, price) for t, price in ticks]

    assert answers == [window_span(ticks, i, span_s) for i in range(len(ticks))]


def test_in_order_ticks_slide_the_window() -> None:
    window = PriceWindow(2)

    assert window.add(10, 100.0) == (100.0, 100.0)
    assert window.add(11, 90.0) == (90.0, 100.0)
    assert window.add(12, 95.0) == (90.0, 100.0)
    # Second 10 has left [11, 13]; 90 has left [12, 14].
    assert window.add(13, 97.0) == (90.0, 97.0)
    assert window.add(14, 96.0) == (95.0, 97.0)


def test_a_late_tick_is_measured_on_the_window_as_it_stands_and_counts_later() -> None:
    window = PriceWindow(2)
    window.add(10, 100.0)
    window.add(12, 100.0)

    # [10, 12]: the late 80 is in it, and stays while second 11 does.
    assert window.add(11, 80.0) == (80.0, 100.0)
    assert window.add(13, 100.0) == (80.0, 100.0)
    assert window.add(14, 100.0) == (100.0, 100.0)


def test_a_tick_more_than_a_span_behind_is_too_late_and_dropped() -> None:
    window = PriceWindow(2)
    window.add(20, 100.0)

    assert window.add(17, 50.0) is None
    assert window.add(18, 90.0) == (90.0, 100.0)
    # 17 was never in a window; 18 is while 20 is the newest.
    assert window.add(20, 100.0) == (90.0, 100.0)


def test_a_jump_past_the_whole_span_empties_the_window() -> None:
    window = PriceWindow(3)
    window.add(10, 50.0)
    window.add(11, 150.0)

    assert window.add(30, 100.0) == (100.0, 100.0)
