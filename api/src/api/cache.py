"""A small query cache: identical requests share one database query.

Dashboards and API clients poll the same recent windows every few seconds; without this,
each of them costs a query. Within `ttl_s` a result is reused. Once it is older, the first
caller starts one background refresh and every caller keeps getting the previous result
while that refresh runs, however long the database takes, so a slow database delays
freshness rather than responses. That is bounded: a result older than `max_stale_s` is
never served; callers then wait for the refresh in flight (or start one), so a client
polling less often than that always gets a fresh answer. At most one load or refresh per
key runs at a time (single flight), and callers who must wait share it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from starlette.concurrency import run_in_threadpool

from api.metrics import CACHE_RESULTS

T = TypeVar("T")
_MISSING = object()
log = logging.getLogger(__name__)


@dataclass
class _Entry:
    value: Any
    loaded_at: float


class QueryCache:
    def __init__(
        self,
        ttl_s: float,
        max_stale_s: float,
        max_entries: int,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_stale_s < ttl_s:
            raise ValueError("max_stale_s must be at least ttl_s")
        self._ttl_s = ttl_s
        self._max_stale_s = max_stale_s
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        # The load or refresh in flight per key; whoever has to wait for a value waits on it.
        self._loading: dict[Hashable, Future[Any]] = {}
        self._refresher = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cache-refresh")

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        """The result for `key`; may block while waiting for, or running, its load."""
        if self._ttl_s == 0:
            return load()
        with self._lock:
            value = self._servable(key, load)
            if value is not _MISSING:
                return cast("T", value)
            pending = self._loading.get(key)
            if pending is None:
                mine: Future[Any] = Future()
                self._loading[key] = mine
        if pending is not None:
            CACHE_RESULTS["shared"].inc()
            return cast("T", pending.result())
        CACHE_RESULTS["miss"].inc()
        try:
            loaded = self._run(key, load)
        except BaseException as error:
            mine.set_exception(error)
            raise
        mine.set_result(loaded)
        return loaded

    async def get_async(self, key: Hashable, load: Callable[[], T]) -> T:
        """`get` for the event loop: a servable result is returned on the loop, which saves
        a hop to a worker thread on every hit; only waiting and loading go to a thread."""
        value = self._peek(key, load)
        if value is not _MISSING:
            return cast("T", value)
        return await run_in_threadpool(self.get, key, load)

    def close(self) -> None:
        self._refresher.shutdown(wait=False, cancel_futures=True)

    def _peek(self, key: Hashable, load: Callable[[], Any]) -> Any:
        if self._ttl_s == 0:
            return _MISSING
        with self._lock:  # held only for dictionary operations, never during a load
            return self._servable(key, load)

    def _servable(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The entry if it may be served, starting its refresh once it is past the TTL;
        else _MISSING. The caller holds the lock."""
        entry = self._entries.get(key)
        if entry is None:
            return _MISSING
        age = self._clock() - entry.loaded_at
        if age >= self._max_stale_s:
            return _MISSING
        self._entries.move_to_end(key)
        if age >= self._ttl_s and key not in self._loading:
            refresh = self._refresher.submit(self._run, key, load)
            refresh.add_done_callback(_log_failure)
            self._loading[key] = refresh
        CACHE_RESULTS["hit" if age < self._ttl_s else "stale"].inc()
        return entry.value

    def _run(self, key: Hashable, load: Callable[[], T]) -> T:
        """Loads `key` and stores the result; either way, the next caller may load again."""
        try:
            value = load()
        except BaseException:
            with self._lock:
                del self._loading[key]
            raise
        with self._lock:
            self._entries[key] = _Entry(value, self._clock())
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
            del self._loading[key]
        return value


def _log_failure(refresh: Future[Any]) -> None:
    if not refresh.cancelled() and (error := refresh.exception()) is not None:
        log.warning("cache refresh failed; the next stale hit retries", exc_info=error)
