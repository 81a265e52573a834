"""A seeded market simulator: trades with sizes, prices following geometric Brownian motion.

The same seed and the same clock readings give the same trades, so tests and demos are
reproducible. Trade arrivals are a Poisson process per symbol.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence

from coinstream_common.ticks import now_ms, trade_event_id
from producer.sources.base import PollResult, validate_all
from producer.sources.jumps import Jump

SOURCE_NAME = "simulated"
_SECONDS_PER_YEAR = 365 * 24 * 3600
# Typical orders of magnitude, so a demo looks like the real market.
_START_PRICES = {"BTC": 65_000.0, "ETH": 3_200.0, "SOL": 150.0, "DOGE": 0.15, "XRP": 0.6}
_MEAN_NOTIONAL_USD = 2_000.0
# Seeded history is coarser than the live market: one trade a minute is enough for candles.
HISTORY_TRADES_PER_SECOND = 1 / 60


class SimulatedSource:
    name = SOURCE_NAME

    def __init__(
        self,
        symbols: list[str],
        *,
        seed: int,
        trades_per_second: float,
        poll_interval_s: float,
        annual_volatility: float = 0.8,
        history: bool = False,
        jumps: Sequence[Jump] = (),
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.poll_interval_s = poll_interval_s
        self.supports_history = history
        self._seed = seed
        self._rng = random.Random(seed)  # noqa: S311 - a simulation, not cryptography
        self._rate = trades_per_second
        self._sigma = annual_volatility / math.sqrt(_SECONDS_PER_YEAR)
        self._clock = clock
        start = clock()
        self._prices = {s: _START_PRICES.get(s.split("-")[0], 100.0) for s in symbols}
        self._last_time = dict.fromkeys(symbols, start)
        self._sequence = 0
        # Per symbol, the jumps still to come: (when, factor), soonest last.
        self._jumps: dict[str, list[tuple[int, float]]] = {s: [] for s in symbols}
        for jump in sorted(jumps, key=lambda j: j.after_s, reverse=True):
            if jump.symbol in self._jumps:
                self._jumps[jump.symbol].append((start + round(jump.after_s * 1000), jump.factor))

    @property
    def streams(self) -> Sequence[str]:
        return list(self._prices)

    async def start(self, cursors: Mapping[str, str]) -> None:
        """Nothing to check or resume: the market starts now, from its seed."""

    async def poll(self) -> PollResult:
        return self.trades_until(self._clock())

    async def history(self, stream: str, since_ms: int, until_ms: int) -> PollResult:
        """Seeded history of one symbol, walked back in time from today's starting price,
        so the live market continues where the history ends."""
        rng = random.Random(f"{self._seed}:{stream}:history")  # noqa: S311 - a simulation
        price, moment, points = self._prices[stream], float(until_ms), []
        while True:
            gap_s = rng.expovariate(HISTORY_TRADES_PER_SECOND)
            moment -= gap_s * 1000
            if moment < since_ms:
                break
            size = rng.lognormvariate(math.log(_MEAN_NOTIONAL_USD / price), 1.0)
            points.append((int(moment), price, size))
            price /= math.exp(self._sigma * math.sqrt(gap_s) * rng.gauss(0.0, 1.0))
        return validate_all(
            {
                "event_id": trade_event_id(SOURCE_NAME, stream, f"history-{event_time}"),
                "source": SOURCE_NAME,
                "symbol": stream,
                "kind": "trade",
                "price": round(point_price, 8),
                "size": round(size, 8) or 1e-8,
                "event_time": event_time,
                "ingest_time": until_ms,
                "backfill": True,
            }
            for event_time, point_price, size in reversed(points)
        )

    def trades_until(self, until_ms: int) -> PollResult:
        """All trades between the previous call and `until_ms`, oldest first per symbol."""
        candidates: list[dict[str, object]] = []
        for symbol, last_price in self._prices.items():
            price = last_price
            moment = float(self._last_time[symbol])
            jumps = self._jumps[symbol]
            while True:
                gap_s = self._rng.expovariate(self._rate)
                if moment + gap_s * 1000 > until_ms:
                    break
                moment += gap_s * 1000
                shock = self._rng.gauss(0.0, 1.0)
                price *= math.exp(
                    self._sigma * math.sqrt(gap_s) * shock - 0.5 * self._sigma**2 * gap_s
                )
                while jumps and jumps[-1][0] <= moment:
                    price *= jumps.pop()[1]
                size = self._rng.lognormvariate(math.log(_MEAN_NOTIONAL_USD / price), 1.0)
                self._sequence += 1
                event_time = int(moment)
                candidates.append(
                    {
                        "event_id": trade_event_id(
                            SOURCE_NAME, symbol, f"{event_time}-{self._sequence}"
                        ),
                        "source": SOURCE_NAME,
                        "symbol": symbol,
                        "kind": "trade",
                        "price": round(price, 8),
                        "size": round(size, 8) or 1e-8,
                        "event_time": event_time,
                        "ingest_time": until_ms,
                    }
                )
            self._prices[symbol] = price
            # Poisson arrivals are memoryless, so the overshooting draw may be dropped.
            self._last_time[symbol] = until_ms
        return validate_all(candidates)
