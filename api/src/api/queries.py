"""How the read routes answer: a request resolves to a query, and the query cache holds
its encoded body.

A query is a frozen dataclass of the request's parameters, so it is its own cache key;
"now" is resolved only when it loads. `check` runs the checks that depend on the time,
on every request, since a cached query may have become invalid since; `load` reads the
database and encodes the body once for every client that gets it, or returns None when
there is nothing (a 404).
"""

from __future__ import annotations

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


async def answer(
    request: Request,
    query: CachedQuery,
    *,
    settings: ApiSettings,
    cache: QueryCache,
    reader: CandleReader,
    not_found: str = "",
) -> Response:
    """Check the query, then serve its body from the cache.

    A cached body is served on the event loop; only a load goes to a worker thread."""
    query.check(settings)
    body = await cache.get_async(query, partial(query.load, reader))
    if body is None:
        raise HTTPException(status_code=404, detail=not_found)
    return body.reply(request_accepts_gzip(request.scope)).response()
