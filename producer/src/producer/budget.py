"""A request budget per provider: a token bucket, plus holds for Retry-After and backoff."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from producer.clock import Clock

# Rounding leaves slivers of a token missing after a wait; they are not worth sleeping for.
_NEGLIGIBLE_S = 1e-6


@dataclass(frozen=True, slots=True)
class Wait:
    seconds: float
    reason: str  # "budget", or the reason of the hold that delayed the request


class RequestBudget:
    """`rate_per_s` requests a second on average and at most `burst` at once.

    Every attempt takes a token, failed ones too, because providers count those as well
    (CoinGecko does). `hold` keeps every request of the provider back until a moment, so
    one request's Retry-After also pauses the others.
    """

    def __init__(self, rate_per_s: float, burst: int, clock: Clock) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("a budget needs a positive rate and a burst of at least 1")
        self._rate = rate_per_s
        self._burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._updated = clock.monotonic()
        self._held_until = self._updated
        self._hold_reason = "budget"
        self._lock = asyncio.Lock()

    def hold(self, seconds: float, reason: str) -> None:
        until = self._clock.monotonic() + seconds
        if until > self._held_until:
            self._held_until, self._hold_reason = until, reason

    async def acquire(self) -> Wait | None:
        """Wait until a request may go out; say how long and why, or None if it went at once."""
        async with self._lock:
            waited, reason = 0.0, "budget"
            # Loop: a hold may have been extended while we slept (another request failed).
            while (delay := self._delay()) > _NEGLIGIBLE_S:
                if self._held_until - self._clock.monotonic() >= delay:
                    reason = self._hold_reason
                await self._clock.sleep(delay)
                waited += delay
            self._tokens -= 1.0
            return Wait(waited, reason) if waited > 0 else None

    def _delay(self) -> float:
        now = self._clock.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        refill = (1.0 - self._tokens) / self._rate
        return max(self._held_until - now, refill)
