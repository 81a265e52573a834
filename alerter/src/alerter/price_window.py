"""The low and high price of one series over a sliding window of event time.

Event time is taken at one-second resolution: a tick of second s sees every tick read
before it (and itself) whose second is in [s - span, s]. Prices are kept as one low and
high per second, so memory is bounded by the span, not by the tick rate.

Ticks mostly arrive in event-time order. For those, two monotonic queues over the closed
seconds give the low and high in amortised constant time. A tick of an earlier second
(out of order) is answered by a scan of its window, and marks the queues for a rebuild.
A tick more than `span` seconds behind the newest is too late: it is kept for the
windows of later ticks, but it is not measured itself (see docs/alerts.md).
"""

from __future__ import annotations

from collections import deque

# A tick can belong to the window of a later tick only if it is within twice the span of
# the newest second; older ones are dropped.
_KEPT_SPANS = 2


class PriceWindow:
    __slots__ = ("_buckets", "_highs", "_lows", "_newest", "_order", "_span", "_stale")

    def __init__(self, span_s: int) -> None:
        self._span = span_s
        self._buckets: dict[int, list[float]] = {}  # second -> [low, high]
        self._order: deque[int] = deque()  # the buckets' seconds, as they were created
        self._newest: int | None = None
        # Closed seconds in [newest - span, newest): lows ascending, highs descending.
        self._lows: deque[tuple[int, float]] = deque()
        self._highs: deque[tuple[int, float]] = deque()
        self._stale = False

    def add(self, second: int, price: float) -> tuple[float, float] | None:
        """Take one price; return the low and high of its window, or None if too late."""
        newest = self._newest
        if newest is None or second > newest:
            self._advance(second)
            self._create(second, price)
            return self._with_closed(price, price)
        bucket = self._buckets.get(second)
        if second == newest and bucket is not None:
            bucket[0] = min(bucket[0], price)
            bucket[1] = max(bucket[1], price)
            return self._with_closed(bucket[0], bucket[1])
        if second < newest - _KEPT_SPANS * self._span:
            return None
        if bucket is None:
            self._create(second, price)
        elif bucket[0] <= price <= bucket[1]:
            return self._scan(second) if second >= newest - self._span else None
        else:
            bucket[0] = min(bucket[0], price)
            bucket[1] = max(bucket[1], price)
        self._stale = True
        return self._scan(second) if second >= newest - self._span else None

    def _advance(self, second: int) -> None:
        newest = self._newest
        if newest is not None and not self._stale:
            low, high = self._buckets[newest]
            lows, highs = self._lows, self._highs
            while lows and lows[-1][1] >= low:
                lows.pop()
            lows.append((newest, low))
            while highs and highs[-1][1] <= high:
                highs.pop()
            highs.append((newest, high))
        self._newest = second
        oldest_kept = second - _KEPT_SPANS * self._span
        order = self._order
        while order and order[0] < oldest_kept:
            del self._buckets[order.popleft()]
        oldest = second - self._span
        while self._lows and self._lows[0][0] < oldest:
            self._lows.popleft()
        while self._highs and self._highs[0][0] < oldest:
            self._highs.popleft()

    def _create(self, second: int, price: float) -> None:
        self._buckets[second] = [price, price]
        self._order.append(second)

    def _with_closed(self, low: float, high: float) -> tuple[float, float]:
        if self._stale:
            self._rebuild()
        if self._lows and self._lows[0][1] < low:
            low = self._lows[0][1]
        if self._highs and self._highs[0][1] > high:
            high = self._highs[0][1]
        return low, high

    def _rebuild(self) -> None:
        newest = self._newest
        assert newest is not None  # noqa: S101 - stale only after a tick
        self._lows.clear()
        self._highs.clear()
        self._stale = False
        buckets = self._buckets
        for second in range(newest - self._span, newest):
            bucket = buckets.get(second)
            if bucket is None:
                continue
            while self._lows and self._lows[-1][1] >= bucket[0]:
                self._lows.pop()
            self._lows.append((second, bucket[0]))
            while self._highs and self._highs[-1][1] <= bucket[1]:
                self._highs.pop()
            self._highs.append((second, bucket[1]))

    def _scan(self, second: int) -> tuple[float, float]:
        buckets = self._buckets
        inside = [buckets[s] for s in range(second - self._span, second + 1) if s in buckets]
        return min(b[0] for b in inside), max(b[1] for b in inside)
