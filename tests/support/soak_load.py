"""The soak's users: API clients polling candles and stats, and SSE clients on the stream.

A polling client behaves like someone watching the dashboard: it looks at one view (a
symbol, an interval and a range of the dashboard's own choices, and a stats window),
asks for its candles and stats every REFRESH_S, with the start on a candle boundary as
the dashboard puts it (so clients on the same view share the API's cache, as real ones
do), and now and then moves on to another view.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import httpx

from dashboard.charts import chart_start
from tests.support.soak_requests import NO_ANSWER, Request, RequestLog

SOURCE = "simulated"
# The dashboard's choices (dashboard/app.py), page size and refresh (DashboardSettings).
INTERVALS_S = {"1m": 60, "5m": 300, "1h": 3600, "1d": 86400}
RANGES = {
    "1h": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
}
STATS_WINDOWS = ("1h", "24h", "7d")
MAX_POINTS = 1440
REFRESH_S = 2.0
POLLS_PER_VIEW = 15  # on average: a view is watched for about 30 s
# Longer than the API's own query timeout (10 s), so a stalled query shows as its 503.
REQUEST_TIMEOUT_S = 15.0
# The stream sends a heartbeat after 15 s without news (API_STREAM_HEARTBEAT_S): a read
# waiting longer than this means the connection is dead.
STREAM_READ_TIMEOUT_S = 20.0
RECONNECT_S = 3.0  # EventSource's usual retry delay


@dataclass(frozen=True)
class View:
    symbol: str
    interval: str
    span: str
    stats_window: str

    @classmethod
    def chosen(cls, rng: random.Random, symbols: Sequence[str]) -> View:
        return cls(
            rng.choice(symbols),
            rng.choice(list(INTERVALS_S)),
            rng.choice(list(RANGES)),
            rng.choice(STATS_WINDOWS),
        )

    def candles_params(self, now: datetime) -> dict[str, str]:
        start, _ = chart_start(now, RANGES[self.span], INTERVALS_S[self.interval], MAX_POINTS)
        return {
            "source": SOURCE,
            "symbol": self.symbol,
            "interval": self.interval,
            "start": start.isoformat(),
            "limit": str(MAX_POINTS + 1),
        }

    def stats_params(self) -> dict[str, str]:
        return {"source": SOURCE, "symbol": self.symbol, "window": self.stats_window}


def poll_api(
    base_url: str, symbols: Sequence[str], log: RequestLog, stop: threading.Event, seed: int
) -> None:
    """One client's polls until `stop` is set."""
    rng = random.Random(seed)
    view = View.chosen(rng, symbols)
    # Users do not arrive in step: spread the clients' first polls over a refresh.
    stop.wait(rng.uniform(0, REFRESH_S))
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_S) as client:
        while not stop.is_set():
            polled = time.monotonic()
            log.get(client, "candles", "/v1/candles", view.candles_params(datetime.now(UTC)))
            log.get(client, "stats", "/v1/stats", view.stats_params())
            if rng.random() < 1 / POLLS_PER_VIEW:
                view = View.chosen(rng, symbols)
            stop.wait(max(0.0, REFRESH_S - (time.monotonic() - polled)))


@dataclass
class StreamWatch:
    """What one SSE client saw: when each data event came, and why connections ended."""

    symbol: str
    event_times: list[float] = field(default_factory=list)
    drops: list[str] = field(default_factory=list)

    def longest_gap_s(self, start_s: float, end_s: float) -> float:
        """The longest time in [start_s, end_s] without a candle or price event."""
        times = [start_s, *(t for t in self.event_times if start_s < t < end_s), end_s]
        return max(b - a for a, b in pairwise(times))


def follow_stream(
    base_url: str, watch: StreamWatch, log: RequestLog, stop: threading.Event
) -> None:
    """Read the stream until `stop` is set; reconnect after a drop, as EventSource does."""
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S, read=STREAM_READ_TIMEOUT_S)
    params = {"source": SOURCE, "symbol": watch.symbol, "interval": "1m"}
    with httpx.Client(base_url=base_url, timeout=timeout) as client:
        while not stop.is_set():
            sent, answered, why = time.monotonic(), False, "the server ended it"
            try:
                with client.stream("GET", "/v1/stream", params=params) as response:
                    answered = True
                    log.add(Request("stream", sent, time.monotonic() - sent, response.status_code))
                    response.raise_for_status()
                    _read_events(response, watch, stop)
            except httpx.HTTPError as error:
                if not answered:
                    log.add(Request("stream", sent, time.monotonic() - sent, NO_ANSWER))
                why = repr(error)
            if not stop.is_set():
                watch.drops.append(f"{time.monotonic() - sent:.0f}s in: {why}")
                stop.wait(RECONNECT_S)


def _read_events(response: httpx.Response, watch: StreamWatch, stop: threading.Event) -> None:
    for line in response.iter_lines():
        if line in {"event: candle", "event: price"}:
            watch.event_times.append(time.monotonic())
        if stop.is_set():
            return
