"""SourceHttp for adapter tests: a real HTTP client against a local server, a fake clock."""

from __future__ import annotations

import random

import httpx

from coinstream_common.backoff import Backoff
from producer.breaker import CircuitBreaker
from producer.budget import RequestBudget
from producer.clock import Clock
from producer.http import RetryPolicy, SourceHttp

USER_AGENT = "coinstream-tests/1.0 (+https://example.invalid/coinstream)"
SEED = 1


def http_client(timeout_s: float = 1.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, timeout=timeout_s)


def source_http(
    client: httpx.AsyncClient,
    base_url: str,
    clock: Clock,
    *,
    source: str = "test",
    per_second: float = 1e7,  # refills faster than the fake clock can see: no budget waits
    max_attempts: int = 4,
    breaker_failures: int = 100,
    cooldown_s: float = 60.0,
    headers: dict[str, str] | None = None,
) -> SourceHttp:
    return SourceHttp(
        client,
        source=source,
        base_url=base_url,
        budget=RequestBudget(per_second, 1, clock),
        breaker=CircuitBreaker(
            source, threshold=breaker_failures, cooldown_s=cooldown_s, clock=clock
        ),
        retry=RetryPolicy(max_attempts, Backoff(1.0, 60.0, random.Random(SEED))),
        headers=headers,
    )


def backoff_delays(count: int) -> list[float]:
    """The first `count` delays the seeded backoff draws (attempts 0, 1, ...)."""
    backoff = Backoff(1.0, 60.0, random.Random(SEED))
    return [backoff.delay(attempt) for attempt in range(count)]
