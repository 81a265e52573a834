from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coinstream_common.intervals import Interval
from consumer.windows import is_closed, window_end, window_start, windows_for
from tests.support.ticks import T0


def test_windows_align_to_the_utc_epoch() -> None:
    moment = T0 + 90_061_001  # 2024-03-26T09:01:01.001Z
    assert dict(windows_for(moment, Interval)) == {
        Interval.M1: T0 + 90_060_000,
        Interval.M5: T0 + 90_000_000,
        Interval.H1: T0 + 90_000_000,
        Interval.D1: T0 + 86_400_000 - 8 * 3_600_000,  # midnight UTC, not T0's 08:00
    }


def test_a_window_boundary_belongs_to_the_window_it_starts() -> None:
    assert window_start(T0, 60_000) == T0
    assert window_start(T0 - 1, 60_000) == T0 - 60_000


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(list(Interval)))
def test_every_time_lies_in_exactly_its_window(moment: int, interval: Interval) -> None:
    start = window_start(moment, interval.millis)
    assert start % interval.millis == 0
    assert start <= moment < start + interval.millis


def test_a_window_closes_when_the_watermark_reaches_its_end() -> None:
    assert not is_closed(T0, Interval.M1, T0 + 59_999)
    assert is_closed(T0, Interval.M1, T0 + 60_000)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(list(Interval)))
def test_a_windows_end_is_where_the_next_one_starts(moment: int, interval: Interval) -> None:
    end = window_end(window_start(moment, interval.millis), interval.millis)
    assert window_start(end, interval.millis) == end > moment
    assert window_start(end - 1, interval.millis) == window_start(moment, interval.millis)
