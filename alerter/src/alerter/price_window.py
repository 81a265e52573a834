"""The low and high price of one series over the last `span` seconds of its event time.

Event time is taken at one-second resolution. The window is [newest - span, newest],
`newest` being the newest second among the ticks read so far, this one included: a tick
is measured against the series as it stands now, whatever its own time. A tick more than
`span` seconds behind the newest is too late: it is in no window, now or later, and is
dropped (docs/alerts.md).

Prices are kept as one low and high per second, in a ring of span + 1 slots (slot
`second % (span + 1)`), so memory is bounded by the span, not by the tick rate. A slot
holds its second only while that second is in the window, and +inf/-inf otherwise: the
seconds that leave are emptied as the newest second passes them. The window's low and
high are kept up to date as prices arrive; when the second that held one of them leaves,
they are recomputed from the ring (a `min` over a list), which in a market happens about
twice per window length.
"""

from __future__ import annotations

import math

# Before any second: every second is after it.
_NONE = -(1 << 62)


class PriceWindow:
    __slots__ = ("_dirty", "_high", "_highs", "_low", "_lows", "_newest", "_size")

    def __init__(self, span_s: int) -> None:
        self._size = span_s + 1
        self._lows = [math.inf] * self._size
        self._highs = [-math.inf] * self._size
        self._newest = _NONE
        self._low, self._high = math.inf, -math.inf
        self._dirty = False

    def add(self, second: int, price: float) -> tuple[float, float] | None:
        """Take one price; return the window's low and high, or None if it is too late."""
        if second > self._newest:
            self._advance(second)
        elif second <= self._newest - self._size:
            return None
        slot = second % self._size
        self._lows[slot] = min(self._lows[slot], price)
        self._highs[slot] = max(self._highs[slot], price)
        if self._dirty:
            self._low, self._high = min(self._lows), max(self._highs)
            self._dirty = False
        else:
            self._low = min(self._low, price)
            self._high = max(self._high, price)
        return self._low, self._high

    def _advance(self, second: int) -> None:
        """Make `second` the newest, emptying the slots of the seconds that leave (those
        that share a slot with the seconds that come)."""
        coming = min(second - self._newest, self._size)
        self._newest = second
        lows, highs = self._lows, self._highs
        for moment in range(second - coming + 1, second + 1):
            slot = moment % self._size
            low, high = lows[slot], highs[slot]
            if low != math.inf:
                if low <= self._low or high >= self._high:
                    self._dirty = True
                lows[slot], highs[slot] = math.inf, -math.inf
        if coming == self._size:
            self._low, self._high = math.inf, -math.inf
