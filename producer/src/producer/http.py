"""One provider's HTTP access, shared by every adapter: budgeted, retried, circuit-broken.

Each attempt waits for the provider's request budget, then goes out with the client's
descriptive User-Agent. A retryable failure holds the whole provider back for
max(Retry-After, backoff with full jitter) before the next attempt; after
`max_attempts` the SourceError reaches the caller. Every failure is counted and logged
with the source and its reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from coinstream_common.backoff import Backoff
from producer import metrics
from producer.breaker import CircuitBreaker
from producer.budget import RequestBudget
from producer.responses import interpret
from producer.sources.base import SourceError

log = logging.getLogger(__name__)
Params = Mapping[str, str | int]
# Checks a decoded payload for errors that arrive with a 200 (Kraken's `error` array).
Inspect = Callable[[object], None]


@dataclass(frozen=True, slots=True)
class JsonResponse:
    payload: object
    headers: httpx.Headers


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff: Backoff


class SourceHttp:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        source: str,
        base_url: str,
        budget: RequestBudget,
        breaker: CircuitBreaker,
        retry: RetryPolicy,
        headers: Mapping[str, str] | None = None,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.source = source
        self.budget = budget
        self._client = client
        self._base_url = base_url.rstrip("/")
        self._breaker = breaker
        self._retry = retry
        self._headers = dict(headers or {})
        self._wall_clock = wall_clock

    async def get_json(
        self, path: str, params: Params | None = None, *, inspect: Inspect | None = None
    ) -> JsonResponse:
        attempt = 0
        while True:
            self._breaker.before_request()
            wait = await self.budget.acquire()
            if wait is not None:
                metrics.RATE_LIMIT_WAITS.labels(self.source, wait.reason).inc()
                metrics.RATE_LIMIT_WAIT_SECONDS.labels(self.source, wait.reason).inc(wait.seconds)
            try:
                response = await self._attempt(path, params, inspect)
            except SourceError as error:
                self._breaker.record_failure()
                metrics.REQUESTS.labels(self.source, error.reason).inc()
                attempt += 1
                if not error.retryable or attempt >= self._retry.max_attempts:
                    self._log_failure(error, path, attempt, None)
                    raise
                delay = max(error.retry_after_s or 0.0, self._retry.backoff.delay(attempt - 1))
                self._log_failure(error, path, attempt, delay)
                reason = "retry_after" if error.retry_after_s is not None else "backoff"
                self.budget.hold(delay, reason)
                continue
            self._breaker.record_success()
            metrics.REQUESTS.labels(self.source, "ok").inc()
            return response

    async def _attempt(
        self, path: str, params: Params | None, inspect: Inspect | None
    ) -> JsonResponse:
        started = time.perf_counter()
        try:
            response = await self._client.get(
                self._base_url + path, params=params, headers=self._headers
            )
        except httpx.TimeoutException as error:
            raise SourceError("timeout", str(error) or type(error).__name__) from error
        except httpx.TransportError as error:
            raise SourceError("connection", str(error) or type(error).__name__) from error
        finally:
            metrics.REQUEST_LATENCY.labels(self.source).observe(time.perf_counter() - started)
        payload = interpret(
            response.status_code, response.headers, response.text, self._wall_clock()
        )
        if inspect is not None:
            inspect(payload)
        return JsonResponse(payload, response.headers)

    def _log_failure(
        self, error: SourceError, path: str, attempt: int, retry_in_s: float | None
    ) -> None:
        level = logging.WARNING if error.retryable else logging.ERROR
        log.log(
            level,
            "request failed",
            extra={
                "source": self.source,
                "reason": error.reason,
                "detail": error.detail,
                "path": path,
                "attempt": attempt,
                "retry_in_s": retry_in_s,
            },
        )
