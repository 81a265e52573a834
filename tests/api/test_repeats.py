"""What answers repeats of a validated URL of a cached read, in front of FastAPI."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from api.cache import QueryCache
from api.encoded import Encoded
from api.pages import CandleQuery
from api.prices import LatestPriceQuery
from api.queries import KnownQueries
from api.repeats import servable
from api.settings import ApiSettings
from coinstream_common.intervals import Interval


def query(start: datetime | None = None, limit: int = 10) -> CandleQuery:
    return CandleQuery("simulated", "BTC-USD", Interval.M1, start, None, None, limit)


def test_known_queries_keep_the_newest() -> None:
    known = KnownQueries(2)
    for i in range(3):
        known.remember("/v1/candles", f"q{i}".encode(), query(limit=i + 1))
    assert known.get("/v1/candles", b"q0") is None
    assert known.get("/v1/candles", b"q2") == query(limit=3)


def test_known_queries_tell_paths_apart() -> None:
    known = KnownQueries(4)
    price = LatestPriceQuery("simulated", "BTC-USD")
    known.remember("/v1/prices/latest", b"source=simulated&symbol=BTC-USD", price)
    assert known.get("/v1/prices/latest", b"source=simulated&symbol=BTC-USD") == price
    assert known.get("/v1/stats", b"source=simulated&symbol=BTC-USD") is None


def test_a_repeat_that_now_fails_a_time_check_is_left_to_the_route() -> None:
    # Valid when first seen, but "start to now" has since grown past the widest range.
    old = query(start=datetime(2024, 3, 25, tzinfo=UTC))
    cache = QueryCache(1.0, 10.0, 4)
    page = Encoded.of(b"{}")
    cache.get(old, lambda: page)
    cache.get(query(limit=5), lambda: page)
    state = SimpleNamespace(settings=ApiSettings(), cache=cache, reader=None)
    assert servable(state, old) is None
    assert servable(state, query()) is None, "not cached: the route loads it"
    assert servable(state, query(limit=5)) is page
    cache.close()
