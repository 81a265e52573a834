"""The composite index price of a symbol: one fair price from every source that quotes it.

At each tick, per symbol: the newest price of each source whose newest tick is at most
`max_age_ms` older than the symbol's newest event time is live. The index exists while
two sources or more are live (of one, it would only repeat its price). With three live sources
or more, a source whose price deviates from the median of the others by more than
`max_deviation_pct` % is excluded, the worst first (one bad print cannot move the
index); the index is the median of the prices left. With two live sources neither can
be told to be the outlier, so the index is their median. docs/alerts.md, "Composite
index price", says why.

An index quote is emitted at most once per symbol and second of event time (at the
first tick of each new second), so the index adds at most one tick a second per symbol
to the topic. Everything depends on the ticks and their order only, so a replay emits
the same quotes.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

INDEX_SOURCE = "index"
# An index of one source would only repeat its price: it needs two live sources at least.
MIN_SOURCES = 2


@dataclass(frozen=True, slots=True)
class IndexQuote:
    symbol: str
    price: float
    event_time: int
    sources: tuple[str, ...]  # the live sources whose prices made the median
    excluded: tuple[str, ...]  # live sources left out as outliers


class _Symbol:
    __slots__ = ("emitted_second", "latest", "newest_ms")

    def __init__(self) -> None:
        self.latest: dict[str, tuple[float, int]] = {}  # source: (price, event time)
        self.newest_ms = -1
        self.emitted_second = -1


def deviation(price: float, reference: float) -> float:
    """How far apart two prices are, the same up as down: 2x above and 2x below are both
    1.0. (|price / reference - 1| would cap a print far below at 1.0, and let a good
    source, measured against a median that the bad print dragged down, look worse.)"""
    return max(price / reference, reference / price) - 1


def composite(prices: dict[str, float], max_deviation_pct: float) -> tuple[float, tuple[str, ...]]:
    """(the median of the prices that are not outliers, the sources excluded).

    While three sources or more are left, the one farthest from the median of the others
    is excluded if that is more than `max_deviation_pct` %. One at a time: with three, an
    outlier pulls the median of the others of each good source too, and only the worst
    is the outlier."""
    kept = dict(prices)
    excluded: list[str] = []
    while len(kept) >= 3:
        deviations = {
            source: deviation(price, statistics.median(p for s, p in kept.items() if s != source))
            for source, price in kept.items()
        }
        worst = max(deviations, key=deviations.__getitem__)
        if deviations[worst] * 100 <= max_deviation_pct:
            break
        excluded.append(worst)
        del kept[worst]
    return statistics.median(kept.values()), tuple(sorted(excluded))


class IndexPrices:
    def __init__(self, max_age_ms: int, max_deviation_pct: float) -> None:
        self._max_age_ms = max_age_ms
        self._max_deviation_pct = max_deviation_pct
        self._symbols: dict[str, _Symbol] = {}

    def observe(self, source: str, symbol: str, event_time: int, price: float) -> IndexQuote | None:
        if source == INDEX_SOURCE:
            return None
        state = self._symbols.get(symbol)
        if state is None:
            state = self._symbols[symbol] = _Symbol()
        previous = state.latest.get(source)
        if previous is None or event_time >= previous[1]:
            state.latest[source] = (price, event_time)
        state.newest_ms = max(state.newest_ms, event_time)
        second = event_time // 1000
        # One source ever quoted: no composite to make (the fast path of most setups).
        if second <= state.emitted_second or len(state.latest) < MIN_SOURCES:
            return None
        oldest = state.newest_ms - self._max_age_ms
        live = {s: p for s, (p, at) in state.latest.items() if at >= oldest}
        if len(live) < MIN_SOURCES:
            return None
        state.emitted_second = second
        index, excluded = composite(live, self._max_deviation_pct)
        return IndexQuote(
            symbol,
            index,
            state.newest_ms,
            tuple(sorted(s for s in live if s not in excluded)),
            tuple(sorted(excluded)),
        )
