"""Repeats of a URL of a cached read that FastAPI has already validated, answered before
FastAPI and its middleware see them.

Dashboards poll the same URLs every few seconds, and the query cache answers most of
those requests from memory. What remained was the framework's work on every request:
resolving and validating the parameters took about 0.4 ms, three quarters of the candles
route's time, and then each middleware layer wrapped the request and both messages of
its answer, which held one process to about 11,000 cached answers a second where uvicorn
alone serves 39,000 (benchmarks/bench_api.py). Parsing a query string is a pure function
of its bytes, so each route records the query a valid one resolved to
(queries.KnownQueries), and a byte-identical repeat gets the answer the route would give:
the checks that depend on the time run again, and only a body the cache can serve without
waiting is sent, with its headers encoded when it was loaded (encoded.Reply). The request
is counted in the metrics as the middleware would count it. Anything else (a new URL, a
failed check, a body to load, a 404, a cross-origin request that needs CORS headers) goes
through FastAPI as usual.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.types import Scope, Send

from api.cache import QueryCache
from api.encoded import request_accepts_gzip
from api.metrics import count_request
from api.queries import Body, CachedQuery, KnownQueries
from api.settings import ApiSettings


class RepeatedQueries:
    """Answers repeats of `paths` from the app's `state` (its known queries and cache)."""

    def __init__(self, state: Any, paths: frozenset[str]) -> None:
        self._state = state
        self._paths = paths

    async def answer(self, scope: Scope, send: Send) -> bool:
        """Whether the request was a repeat, now answered."""
        started = time.perf_counter()
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in self._paths:
            return False
        known: KnownQueries = self._state.known_queries
        query = known.get(scope["path"], scope["query_string"])
        if query is None or any(name == b"origin" for name, _ in scope["headers"]):
            return False
        body = servable(self._state, query)
        if body is None:
            return False
        await body.reply(request_accepts_gzip(scope)).send_direct(send)
        count_request(scope["path"], 200, time.perf_counter() - started)
        return True


def servable(state: Any, query: CachedQuery) -> Body | None:
    """The body if the query still passes its checks and the cache has it now."""
    settings: ApiSettings = state.settings
    cache: QueryCache = state.cache
    try:
        query.check(settings)
    except RequestValidationError:
        return None  # the route answers it, with the 422
    return cache.peek(query, partial(query.load, state.reader))
