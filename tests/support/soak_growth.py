"""Whether the pipeline keeps going: candle growth read through the API, and its stalls."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import httpx

from tests.support.soak_load import REQUEST_TIMEOUT_S, SOURCE
from tests.support.soak_requests import RequestLog

GROWTH_SAMPLE_S = 1.0
# (time.monotonic(), total) in time order; total None when the read failed.
Samples = Sequence[tuple[float, int | None]]


@dataclass(frozen=True)
class Stall:
    start_s: float  # when growth was last seen (time.monotonic())
    end_s: float  # when it was seen again, or the end of the watch

    @property
    def seconds(self) -> float:
        return self.end_s - self.start_s


def growth_times(samples: Samples) -> list[float]:
    """When samples showed growth: the first positive total, and each above all before it."""
    times: list[float] = []
    best = 0
    for at_s, total in samples:
        if total is not None and total > best:
            times.append(at_s)
            best = total
    return times


def stalls(samples: Samples, limit_s: float, start_s: float, end_s: float) -> list[Stall]:
    """Stretches longer than `limit_s` without growth, from the first growth to `end_s`;
    the whole of [start_s, end_s] if nothing ever grew."""
    edges = [*growth_times(samples), end_s]
    if len(edges) == 1:
        return [Stall(start_s, end_s)]
    return [Stall(a, b) for a, b in pairwise(edges) if b - a > limit_s]


def longest_stall_around(samples: Samples, start_s: float, end_s: float) -> float | None:
    """The longest time without growth in any stretch that overlaps [start_s, end_s];
    None if no growth was seen on both sides."""
    times = growth_times(samples)
    gaps = [b - a for a, b in pairwise(times) if a < end_s and b > start_s]
    return max(gaps, default=None)


@dataclass
class GrowthWatch:
    """The total tick count of one symbol's 1m candles starting at or after `since`, read
    through the API every GROWTH_SAMPLE_S; a pipeline that works makes it grow.

    Each read has an `end` of its own (a minute ahead, so the open candle is in), which
    no other request has: the API's cache may answer a repeated query with a page up to
    API_CACHE_MAX_STALE_S (10 s) old by design, and this watches the pipeline, not that.
    """

    base_url: str
    symbol: str
    since: datetime
    samples: list[tuple[float, int | None]] = field(default_factory=list)

    def run(self, log: RequestLog, stop: threading.Event) -> None:
        with httpx.Client(base_url=self.base_url, timeout=REQUEST_TIMEOUT_S) as client:
            while not stop.is_set():
                sent = time.monotonic()
                response = log.get(client, "sample", "/v1/candles", self._params())
                self.samples.append((sent, _total_count(response)))
                stop.wait(max(0.0, GROWTH_SAMPLE_S - (time.monotonic() - sent)))

    def _params(self) -> dict[str, str]:
        return {
            "source": SOURCE,
            "symbol": self.symbol,
            "interval": "1m",
            "start": self.since.isoformat(),
            "end": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
            "limit": "1500",
        }


def _total_count(response: httpx.Response | None) -> int | None:
    if response is None or response.status_code != httpx.codes.OK:
        return None
    return sum(int(candle["count"]) for candle in response.json()["candles"])
