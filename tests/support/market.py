"""Recorded-looking tick streams for replay tests and benchmarks.

Trades from the seeded simulator, in arrival order, with the untidiness real feeds have:
ticks a little out of order (within the allowed lateness), some too late for their
minute, and some re-sent copies.
"""

from __future__ import annotations

import random

from coinstream_common.ticks import Tick, encode_tick
from producer.sources.simulated import SimulatedSource


def market_ticks(
    count: int,
    *,
    symbols: list[str],
    start_ms: int,
    span_ms: int,
    seed: int = 7,
    jitter_ms: int = 2_000,
    late_share: float = 0.002,
    late_by_ms: int = 120_000,
    duplicate_share: float = 0.001,
) -> list[Tick]:
    rate = count / (len(symbols) * span_ms / 1000)
    source = SimulatedSource(
        symbols, seed=seed, trades_per_second=rate, poll_interval_s=1, clock=lambda: start_ms
    )
    ticks: list[Tick] = []
    moment = start_ms
    while len(ticks) < count:
        moment += 1_000
        ticks += source.trades_until(moment).ticks
    ticks = ticks[:count]
    rng = random.Random(seed)

    def arrival(tick: Tick) -> float:
        delay = rng.uniform(0, jitter_ms)
        if rng.random() < late_share:
            delay += late_by_ms
        return tick.event_time + delay

    arrivals = [(arrival(t), i, t) for i, t in enumerate(ticks)]
    copies = [
        (when + rng.uniform(1, 3_000), len(arrivals) + n, tick)
        for n, (when, _, tick) in enumerate(rng.sample(arrivals, int(count * duplicate_share)))
    ]
    return [tick for _, _, tick in sorted(arrivals + copies)]


def encoded(ticks: list[Tick]) -> list[tuple[bytes, bytes]]:
    """(key, value) pairs as the producer publishes them."""
    return [(t.symbol.encode(), encode_tick(t)) for t in ticks]
