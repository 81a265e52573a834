from __future__ import annotations

import statistics

import pytest
from pydantic import ValidationError

from producer.sources.jumps import parse_jumps
from producer.sources.simulated import SimulatedSource
from producer.sources.simulated_settings import SimulatedSettings
from tests.support.ticks import T0


def source(seed: int = 7, symbols: tuple[str, ...] = ("BTC-USD", "ETH-USD")) -> SimulatedSource:
    return SimulatedSource(
        list(symbols), seed=seed, trades_per_second=20, poll_interval_s=0.25, clock=lambda: T0
    )


def test_the_same_seed_and_clock_give_the_same_trades() -> None:
    first = source().trades_until(T0 + 60_000)
    second = source().trades_until(T0 + 60_000)
    assert first.ticks == second.ticks
    assert first.ticks != source(seed=8).trades_until(T0 + 60_000).ticks


def test_trades_are_valid_ordered_and_uniquely_identified() -> None:
    sim = source()
    ticks = sim.trades_until(T0 + 30_000).ticks + sim.trades_until(T0 + 60_000).ticks
    assert not sim.trades_until(T0 + 60_000).ticks  # no time passed, no trades
    assert len({t.event_id for t in ticks}) == len(ticks)
    for symbol in ("BTC-USD", "ETH-USD"):
        times = [t.event_time for t in ticks if t.symbol == symbol]
        assert times == sorted(times)
        assert all(T0 < t <= T0 + 60_000 for t in times)
    assert all(t.kind == "trade" and t.size and t.size > 0 for t in ticks)


def test_rates_and_prices_look_like_a_market() -> None:
    ticks = source(symbols=("BTC-USD",)).trades_until(T0 + 600_000).ticks
    # 20 trades/s for 600 s: a Poisson count of 12,000 is within a few hundred.
    assert 11_500 < len(ticks) < 12_500
    prices = [t.price for t in ticks]
    # 80 % annual volatility moves BTC well under 2 % in ten minutes.
    assert max(prices) / min(prices) < 1.02
    assert 60_000 < statistics.median(prices) < 70_000


async def test_seeded_history_is_a_day_of_backfill_trades_ending_at_the_live_price() -> None:
    sim = SimulatedSource(
        ["BTC-USD"],
        seed=7,
        trades_per_second=20,
        poll_interval_s=0.25,
        history=True,
        clock=lambda: T0,
    )
    day = 24 * 3600 * 1000
    history = await sim.history("BTC-USD", T0 - day, T0)
    again = await source().history("BTC-USD", T0 - day, T0)
    ticks = history.ticks
    assert ticks == [t for t in again.ticks if t.symbol == "BTC-USD"]  # same seed, same history
    assert 1300 < len(ticks) < 1600  # one a minute on average
    assert all(t.backfill and T0 - day <= t.event_time < T0 for t in ticks)
    assert [t.event_time for t in ticks] == sorted(t.event_time for t in ticks)
    live = sim.trades_until(T0 + 1000).ticks
    # The history walks back from the price the live market starts at.
    assert abs(ticks[-1].price / live[0].price - 1) < 0.01
    assert not history.rejected


def test_a_scripted_jump_moves_its_symbol_once_at_its_time() -> None:
    jumps = parse_jumps("BTC-USD:+10%@30s, ETH-USD:-5%@90s")
    sim = SimulatedSource(
        ["BTC-USD", "ETH-USD"],
        seed=7,
        trades_per_second=20,
        poll_interval_s=0.25,
        jumps=jumps,
        clock=lambda: T0,
    )
    plain = source()

    ticks = sim.trades_until(T0 + 60_000).ticks
    same = plain.trades_until(T0 + 60_000).ticks

    btc = [(t.event_time, t.price) for t in ticks if t.symbol == "BTC-USD"]
    before = [p for at, p in btc if at < T0 + 30_000]
    after = [p for at, p in btc if at >= T0 + 30_000]
    assert min(after) / max(before) > 1.08
    # The same random draws: after the jump, prices are the unscripted ones times 1.1.
    unscripted = [t.price for t in same if t.symbol == "BTC-USD"]
    assert [round(p, 4) for p in after] == [round(p * 1.1, 4) for p in unscripted[len(before) :]]
    # ETH's jump is later than this poll.
    assert [t.price for t in ticks if t.symbol == "ETH-USD"] == [
        t.price for t in same if t.symbol == "ETH-USD"
    ]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("BTC-USD:10%@30s", "is not SYMBOL"),
        ("BTC-USD:+10%", "is not SYMBOL"),
        ("BTC-USD:-100%@5s", "zero or below"),
    ],
)
def test_a_malformed_jump_is_refused_naming_it(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_jumps(text)
    with pytest.raises(ValidationError, match="jumps"):
        SimulatedSettings(jumps=text)
