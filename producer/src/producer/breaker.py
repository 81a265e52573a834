"""A circuit breaker per source: stop calling a provider that keeps failing, try again later."""

from __future__ import annotations

import logging

from producer import metrics
from producer.clock import Clock
from producer.sources.base import SourceError

log = logging.getLogger(__name__)


class CircuitBreaker:
    """After `threshold` failed requests in a row the circuit opens: requests fail at once
    for `cooldown_s`; then one trial request goes through, and its outcome closes or reopens it.
    """

    def __init__(self, source: str, *, threshold: int, cooldown_s: float, clock: Clock) -> None:
        self._source = source
        self._threshold = threshold
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def before_request(self) -> None:
        if self._opened_at is None:
            return
        remaining = self._opened_at + self._cooldown_s - self._clock.monotonic()
        if remaining > 0:
            raise SourceError(
                "circuit_open",
                f"{self._failures} failures in a row; next try in {remaining:.1f}s",
                retry_after_s=remaining,
            )

    def record_success(self) -> None:
        if self._opened_at is not None:
            log.info("circuit closed", extra={"source": self._source})
            metrics.CIRCUIT_OPEN.labels(self._source).set(0)
        self._failures = 0
        self._opened_at = None

    def record_failure(self) -> None:
        self._failures += 1
        if self._failures >= self._threshold:
            # Also a failed trial after the cool-down: open again for a full cool-down.
            self._opened_at = self._clock.monotonic()
            metrics.CIRCUIT_OPEN.labels(self._source).set(1)
            log.warning(
                "circuit open",
                extra={
                    "source": self._source,
                    "failures": self._failures,
                    "cooldown_s": self._cooldown_s,
                },
            )
