"""Every API request a soak makes: what it asked, how long it took, what came back."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

NO_ANSWER = 0  # the status recorded when no response came (timeout, refused, reset)


@dataclass(frozen=True)
class Request:
    what: str  # "candles", "stats", "sample" (the growth sampler) or "stream" (SSE connect)
    at_s: float  # time.monotonic() when it was sent
    latency_s: float
    status: int


@dataclass(frozen=True)
class RequestSummary:
    count: int
    p99_ms: float
    max_ms: float
    slow: list[Request]
    errors_5xx: list[Request]
    unanswered: list[Request]


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[Request] = []

    def add(self, request: Request) -> None:
        with self._lock:
            self._requests.append(request)

    def get(
        self, client: httpx.Client, what: str, path: str, params: Mapping[str, str]
    ) -> httpx.Response | None:
        """GET `path`, timed to the last byte of the body; None when no answer came."""
        sent = time.monotonic()
        try:
            response = client.get(path, params=params)
        except httpx.HTTPError:
            self.add(Request(what, sent, time.monotonic() - sent, NO_ANSWER))
            return None
        self.add(Request(what, sent, time.monotonic() - sent, response.status_code))
        return response

    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def summary(self, slow_s: float) -> RequestSummary:
        requests = self.requests()
        latencies = sorted(r.latency_s for r in requests)
        return RequestSummary(
            count=len(requests),
            p99_ms=percentile(latencies, 0.99) * 1000,
            max_ms=(latencies[-1] if latencies else 0.0) * 1000,
            slow=[r for r in requests if r.latency_s > slow_s],
            errors_5xx=[r for r in requests if r.status >= 500],
            unanswered=[r for r in requests if r.status == NO_ANSWER],
        )


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of values sorted ascending; 0 for none."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]
