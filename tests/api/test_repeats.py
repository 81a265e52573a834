"""The middleware that answers repeats of a validated /v1/candles URL."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from api.cache import QueryCache
from api.pages import CandleQuery
from api.repeats import KnownQueries, _servable
from api.settings import ApiSettings
from coinstream_common.intervals import Interval


def query(start: datetime | None = None, limit: int = 10) -> CandleQuery:
    return CandleQuery("simulated", "BTC-USD", Interval.M1, start, None, None, limit)


def test_known_queries_keep_the_newest() -> None:
    known = KnownQueries(2)
    for i in range(3):
        known.remember(f"q{i}".encode(), query(limit=i + 1))
    assert known.get(b"q0") is None
    assert known.get(b"q2") == query(limit=3)


def test_a_repeat_that_now_fails_a_time_check_is_left_to_the_route() -> None:
    # Valid when first seen, but "start to now" has since grown past the widest range.
    old = query(start=datetime(2024, 3, 25, tzinfo=UTC))
    cache = QueryCache(1.0, 10.0, 4)
    cache.get(old, lambda: "page")
    state = SimpleNamespace(settings=ApiSettings(), cache=cache, reader=None)
    assert _servable(state, old) is None
    assert _servable(state, query()) is None, "not cached: the route loads it"
    cache.close()
