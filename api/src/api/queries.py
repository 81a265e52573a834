"""How the read routes answer: a request resolves to a query, the query cache holds its
encoded body, and the answer carries that body's ETag and the cache's freshness.

A query is a frozen dataclass of the request's parameters, so it is its own cache key;
"now" is resolved only when it loads. `check` runs the checks that depend on the time,
on every request, since a cached query may have become invalid since; `load` reads the
database and encodes the body once for every client that gets it, or returns None when
there is nothing (a 404).
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial
from typing import Any, Protocol

from fastapi import HTTPException, Request, Response

from api.cache import QueryCache
from api.encoded import Reply, request_accepts_gzip
from api.http_caching import cache_control
from api.params import valid_source
from api.repository import CandleReader
from api.settings import ApiSettings

# For the docs: the answer to a request whose If-None-Match names the body's current ETag.
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not Modified: the `If-None-Match` ETag is current; no body"}
}


class Body(Protocol):
    def reply(self, gzip_accepted: bool) -> Reply: ...


class CachedQuery(Hashable, Protocol):
    def check(self, settings: ApiSettings) -> None: ...

    def load(self, reader: CandleReader) -> Body | None: ...


class CachedReads:
    """All that the cached reads need, built once by the lifespan and handed to their
    routes as one dependency (deps.ReadsDep): each dependency FastAPI solves costs every
    request a call and its bookkeeping."""

    def __init__(self, settings: ApiSettings, cache: QueryCache, reader: CandleReader) -> None:
        self.settings = settings
        self._cache = cache
        self._reader = reader
        self._cache_control = cache_control(settings.cache_ttl_s)

    def source(self, name: str) -> str:
        """`name`, if it is one of the configured sources; else a 422 listing them."""
        return valid_source(self.settings, name)

    async def answer(self, request: Request, query: CachedQuery, not_found: str = "") -> Response:
        """Check the query, then serve its body from the cache, or a 304 if the client
        holds that body already (http_caching.py).

        A cached body is served on the event loop; only a load goes to a worker thread."""
        query.check(self.settings)
        body = await self._cache.get_async(query, partial(query.load, self._reader))
        if body is None:
            raise HTTPException(status_code=404, detail=not_found)
        reply = body.reply(request_accepts_gzip(request.scope))
        return reply.response(self._cache_control, request.headers.getlist("if-none-match"))
