"""How the read routes answer: a request resolves to a query, the query cache holds its
encoded body, and a repeat of a validated URL is answered without FastAPI (repeats.py).

A query is a frozen dataclass of the request's parameters, so it is its own cache key;
"now" is resolved only when it loads. `check` re-runs the checks that depend on the
time, which a repeat must pass again; `load` reads the database and encodes the body
once for every client that gets it, or returns None when there is nothing (a 404).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from functools import partial
from typing import Protocol

from fastapi import HTTPException, Request, Response

from api.cache import QueryCache
from api.encoded import Reply, request_accepts_gzip
from api.repository import CandleReader
from api.settings import ApiSettings


class Body(Protocol):
    def reply(self, gzip_accepted: bool) -> Reply: ...


class CachedQuery(Hashable, Protocol):
    def check(self, settings: ApiSettings) -> None: ...

    def load(self, reader: CandleReader) -> Body | None: ...


class KnownQueries:
    """Valid (path, query string) pairs and their queries; the oldest go first."""

    def __init__(self, max_entries: int) -> None:
        self._max_entries = max_entries
        self._queries: OrderedDict[tuple[str, bytes], CachedQuery] = OrderedDict()

    def remember(self, path: str, query_string: bytes, query: CachedQuery) -> None:
        self._queries[path, query_string] = query
        if len(self._queries) > self._max_entries:
            self._queries.popitem(last=False)

    def get(self, path: str, query_string: bytes) -> CachedQuery | None:
        return self._queries.get((path, query_string))


async def answer(request: Request, query: CachedQuery, not_found: str = "") -> Response:
    """The route's side: check, remember the URL for its repeats, serve from the cache.

    A cached body is served on the event loop; only a load goes to a worker thread."""
    state = request.app.state
    query.check(state.settings)
    known: KnownQueries = state.known_queries
    known.remember(request.scope["path"], request.scope["query_string"], query)
    cache: QueryCache = state.cache
    body = await cache.get_async(query, partial(query.load, state.reader))
    if body is None:
        raise HTTPException(status_code=404, detail=not_found)
    return body.reply(request_accepts_gzip(request.scope)).response()
