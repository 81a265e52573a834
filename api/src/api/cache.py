"""A small query cache: identical requests share one database query.

Dashboards and API clients poll the same recent windows every few seconds; without this,
each of them costs a query. Within `ttl_s` a result is reused; a caller arriving while it
is being loaded waits for that load instead of starting another (single flight). Once a
result is older than `ttl_s` it is still served, while one background refresh replaces
it, so a slow database delays freshness rather than responses; a result older than
`max_stale_s` (default 1.5 x ttl) is never served: a client polling less often than that
always gets a fresh answer.
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

from api.metrics import CACHE_LOOKUPS

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class _Entry:
    value: Any
    loaded_at: float
    refreshing: bool = False


class QueryCache:
    def __init__(
        self,
        ttl_s: float,
        max_entries: int,
        *,
        max_stale_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl_s = ttl_s
        self._max_stale_s = max_stale_s if max_stale_s is not None else 1.5 * ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._loading: dict[Hashable, Future[Any]] = {}
        self._refresher = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cache-refresh")

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        if self._ttl_s == 0:
            return load()
        with self._lock:
            entry = self._entries.get(key)
            age = self._clock() - entry.loaded_at if entry else None
            if entry is not None and age is not None and age < self._max_stale_s:
                self._entries.move_to_end(key)
                if age >= self._ttl_s and not entry.refreshing:
                    entry.refreshing = True
                    self._refresher.submit(self._refresh, key, load)
                CACHE_LOOKUPS.labels("hit" if age < self._ttl_s else "stale").inc()
                return cast("T", entry.value)
            pending = self._loading.get(key)
            if pending is None:
                self._loading[key] = Future()
        if pending is not None:
            CACHE_LOOKUPS.labels("shared").inc()
            return cast("T", pending.result())
        CACHE_LOOKUPS.labels("miss").inc()
        return self._load(key, load)

    def close(self) -> None:
        self._refresher.shutdown(wait=False, cancel_futures=True)

    def _load(self, key: Hashable, load: Callable[[], T]) -> T:
        future = self._loading[key]
        try:
            value = load()
        except BaseException as error:
            with self._lock:
                del self._loading[key]
            future.set_exception(error)
            raise
        with self._lock:
            self._store(key, value)
            del self._loading[key]
        future.set_result(value)
        return value

    def _refresh(self, key: Hashable, load: Callable[[], Any]) -> None:
        try:
            value = load()
        except Exception:
            log.warning("cache refresh failed; the next request retries", exc_info=True)
            with self._lock:
                if (entry := self._entries.get(key)) is not None:
                    entry.refreshing = False
            return
        with self._lock:
            self._store(key, value)

    def _store(self, key: Hashable, value: Any) -> None:
        self._entries[key] = _Entry(value, self._clock())
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
