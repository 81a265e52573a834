"""The query cache, with a fake clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from api.cache import QueryCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(clock: Clock) -> Iterator[QueryCache]:
    made = QueryCache(1.0, 3, max_stale_s=10.0, clock=clock)
    yield made
    made.close()


def counter() -> tuple[list[int], object]:
    calls: list[int] = []

    def load() -> int:
        calls.append(1)
        return len(calls)

    return calls, load


def test_a_result_is_reused_within_the_ttl(cache: QueryCache, clock: Clock) -> None:
    calls, load = counter()
    assert cache.get("k", load) == 1  # type: ignore[arg-type]
    clock.now = 0.9
    assert cache.get("k", load) == 1  # type: ignore[arg-type]
    assert len(calls) == 1


def test_a_stale_result_is_served_while_one_refresh_replaces_it(
    cache: QueryCache, clock: Clock
) -> None:
    calls, load = counter()
    cache.get("k", load)  # type: ignore[arg-type]
    clock.now = 1.5
    assert cache.get("k", load) == 1  # type: ignore[arg-type]
    deadline = time.monotonic() + 5
    while cache.get("k", load) != 2 and time.monotonic() < deadline:  # type: ignore[arg-type]
        time.sleep(0.01)
    assert cache.get("k", load) == 2  # type: ignore[arg-type]
    assert len(calls) == 2


def test_a_result_past_max_stale_is_loaded_again(cache: QueryCache, clock: Clock) -> None:
    _, load = counter()
    cache.get("k", load)  # type: ignore[arg-type]
    clock.now = 11.0
    assert cache.get("k", load) == 2  # type: ignore[arg-type]


def test_concurrent_misses_share_one_load(cache: QueryCache) -> None:
    started, release = threading.Event(), threading.Event()
    loads: list[int] = []

    def slow() -> str:
        loads.append(1)
        started.set()
        release.wait(5)
        return "value"

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("k", slow))) for _ in range(5)
    ]
    threads[0].start()
    started.wait(5)
    for thread in threads[1:]:
        thread.start()
    time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(5)
    assert results == ["value"] * 5
    assert len(loads) == 1


def test_a_failed_load_is_not_cached(cache: QueryCache) -> None:
    def fail() -> int:
        raise RuntimeError("db down")

    with pytest.raises(RuntimeError):
        cache.get("k", fail)
    assert cache.get("k", lambda: 7) == 7


def test_the_least_recently_used_entry_goes_first(cache: QueryCache) -> None:
    for key in "abc":
        cache.get(key, lambda k=key: k)  # type: ignore[misc]
    cache.get("a", lambda: "again")
    cache.get("d", lambda: "d")
    assert cache.get("a", lambda: "reloaded") == "a"
    assert cache.get("b", lambda: "reloaded") == "reloaded"


def test_a_zero_ttl_turns_caching_off(clock: Clock) -> None:
    off = QueryCache(0.0, 3, clock=clock)
    calls, load = counter()
    off.get("k", load)  # type: ignore[arg-type]
    off.get("k", load)  # type: ignore[arg-type]
    off.close()
    assert len(calls) == 2
