"""Epoch milliseconds and datetimes: exact both ways, UTC, aware only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinstream_common.epoch import EPOCH, to_datetime, to_epoch_ms

# From year 1 to 9999, the datetime range.
EPOCH_MS = st.integers(-62_135_596_800_000, 253_402_300_799_999)


@given(EPOCH_MS)
def test_milliseconds_read_back_exactly(epoch_ms: int) -> None:
    assert to_epoch_ms(to_datetime(epoch_ms)) == epoch_ms


@given(EPOCH_MS)
def test_a_datetime_is_utc_and_agrees_with_the_standard_library(epoch_ms: int) -> None:
    moment = to_datetime(epoch_ms)
    assert moment.tzinfo is UTC
    assert moment == datetime.fromtimestamp(epoch_ms // 1000, UTC) + timedelta(
        milliseconds=epoch_ms % 1000
    )


# A day within the datetime range: a zone's offset may not leave it.
AWARE = st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=st.just(UTC))


@given(AWARE, st.integers(-14 * 60, 14 * 60))
def test_any_aware_datetime_gives_its_millisecond_whatever_its_zone(
    moment: datetime, offset_minutes: int
) -> None:
    elsewhere = moment.astimezone(timezone(timedelta(minutes=offset_minutes)))
    epoch_ms = to_epoch_ms(elsewhere)
    assert epoch_ms == to_epoch_ms(moment)
    assert to_datetime(epoch_ms) == moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def test_below_the_millisecond_is_dropped_as_a_floor() -> None:
    assert to_epoch_ms(EPOCH + timedelta(microseconds=999)) == 0
    assert to_epoch_ms(EPOCH - timedelta(microseconds=1)) == -1


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(TypeError):
        to_epoch_ms(datetime(2024, 3, 25, 8))
