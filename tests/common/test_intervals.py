from __future__ import annotations

import pytest

from coinstream_common.intervals import Interval, parse_intervals


def test_intervals_parse_sorted_and_unique() -> None:
    assert parse_intervals("1d, 1m,5m,1m") == (Interval.M1, Interval.M5, Interval.D1)


def test_interval_lengths() -> None:
    assert [i.millis for i in Interval] == [60_000, 300_000, 3_600_000, 86_400_000]


@pytest.mark.parametrize("text", ["", " , ", "1m,2m", "1min"])
def test_unknown_or_no_intervals_are_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="interval"):
        parse_intervals(text)
