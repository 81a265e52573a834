from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alerter.index_price import INDEX_SOURCE, IndexPrices, composite

T0 = 1_711_353_600_000
SECOND = 1000


def test_an_outlier_among_three_is_excluded_and_named() -> None:
    index, excluded = composite({"coinbase": 100.0, "kraken": 101.0, "binance": 130.0}, 2.0)

    # binance is 29 % from the median of the others (100.5); each of the others is
    # 0.5 % from the median of theirs.
    assert (index, excluded) == (100.5, ("binance",))


@pytest.mark.parametrize(
    ("prices", "expected"),
    [
        ({"coinbase": 100.0}, 100.0),
        # Two that disagree: neither can be told to be the outlier.
        ({"coinbase": 100.0, "kraken": 150.0}, 125.0),
        ({"coinbase": 100.0, "kraken": 100.5, "binance": 101.0}, 100.5),
    ],
)
def test_few_or_scattered_sources_give_their_median(
    prices: dict[str, float], expected: float
) -> None:
    assert composite(prices, 2.0) == (expected, ())


def test_quotes_come_once_a_second_from_the_live_sources() -> None:
    index = IndexPrices(max_age_ms=60 * SECOND, max_deviation_pct=2)

    quotes = [
        index.observe("coinbase", "BTC-USD", T0, 100.0),
        index.observe("kraken", "BTC-USD", T0 + 500, 102.0),
        index.observe("kraken", "BTC-USD", T0 + 800, 102.0),  # the same second: none
        index.observe("kraken", "BTC-USD", T0 + 1000, 102.0),
        # binance prints far off: out, and counted.
        index.observe("binance", "BTC-USD", T0 + 2000, 150.0),
        # coinbase's 100 is 61 s old at this tick: no longer live.
        index.observe("kraken", "BTC-USD", T0 + 61_000, 103.0),
        # ... and binance's too: kraken alone, no index.
        index.observe("kraken", "BTC-USD", T0 + 63_000, 103.0),
    ]

    # One source: no index; then one a second at most.
    assert quotes[0] is None
    assert quotes[1] is not None
    assert [(q.price, q.event_time, q.sources, q.excluded) for q in quotes if q] == [
        (101.0, T0 + 500, ("coinbase", "kraken"), ()),
        (101.0, T0 + 1000, ("coinbase", "kraken"), ()),
        (101.0, T0 + 2000, ("coinbase", "kraken"), ("binance",)),
        (126.5, T0 + 61_000, ("binance", "kraken"), ()),
    ]
    assert quotes[-1] is None


def test_index_ticks_read_back_move_nothing_and_a_late_tick_quotes_nothing() -> None:
    index = IndexPrices(max_age_ms=60 * SECOND, max_deviation_pct=2)
    index.observe("coinbase", "BTC-USD", T0 + 5000, 100.0)
    assert index.observe("kraken", "BTC-USD", T0 + 5500, 101.0) is not None

    assert index.observe(INDEX_SOURCE, "BTC-USD", T0 + 9000, 999.0) is None
    # A second that has had its quote already.
    assert index.observe("kraken", "BTC-USD", T0 + 3000, 102.0) is None
    quote = index.observe("kraken", "BTC-USD", T0 + 6000, 101.0)
    assert quote is not None
    assert quote.price == 100.5


@given(
    agreeing=st.lists(st.floats(99.5, 100.5), min_size=2, max_size=5),
    outlier=st.floats(103.5, 1000.0) | st.floats(1.0, 96.5),
)
def test_one_bad_print_cannot_move_the_index(agreeing: list[float], outlier: float) -> None:
    """Sources within 1 % of each other, and one more than 2 % from all of them."""
    prices = {f"s{i}": p for i, p in enumerate(agreeing)} | {"bad": outlier}

    index, excluded = composite(prices, 2.0)

    assert excluded == ("bad",)
    assert min(agreeing) <= index <= max(agreeing)
