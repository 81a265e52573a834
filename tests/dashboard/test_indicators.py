from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.indicators import ema, sma, staleness

prices = st.lists(st.floats(1, 1e6, allow_nan=False), max_size=60)
periods = st.integers(1, 20)


@given(prices, periods)
def test_sma_is_the_mean_of_the_last_period_values(values: list[float], period: int) -> None:
    out = sma(values, period)
    assert len(out) == len(values)
    for i, value in enumerate(out):
        if i < period - 1:
            assert value is None
        else:
            assert value == pytest.approx(sum(values[i - period + 1 : i + 1]) / period)


@given(prices, periods)
def test_ema_starts_at_the_first_sma_and_stays_within_the_prices(
    values: list[float], period: int
) -> None:
    out = ema(values, period)
    assert len(out) == len(values)
    assert all(v is None for v in out[: period - 1])
    if len(values) >= period:
        assert out[period - 1] == pytest.approx(sum(values[:period]) / period)
        settled = [v for v in out if v is not None]
        assert all(min(values) - 1e-6 <= v <= max(values) + 1e-6 for v in settled)


def test_ema_weights_recent_prices_by_two_over_period_plus_one() -> None:
    assert ema([1.0, 2.0, 3.0, 10.0], 3) == [None, None, 2.0, pytest.approx(2.0 + 0.5 * 8.0)]


def test_periods_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="period"):
        sma([1.0], 0)
    with pytest.raises(ValueError, match="period"):
        ema([1.0], 0)


@given(st.floats(0, 1e6), st.floats(0, 1e6))
def test_staleness_only_worsens_with_age(a: float, b: float) -> None:
    order = ["fresh", "delayed", "stale"]
    young, old = sorted((a, b))
    assert order.index(staleness(young, 90, 300)) <= order.index(staleness(old, 90, 300))


@pytest.mark.parametrize(
    ("age", "label"),
    [(0, "fresh"), (90, "fresh"), (90.1, "delayed"), (300, "delayed"), (301, "stale")],
)
def test_staleness_thresholds(age: float, label: str) -> None:
    assert staleness(age, 90, 300) == label
