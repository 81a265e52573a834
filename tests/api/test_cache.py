"""The query cache, with a fake clock and loads the test holds open or releases."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import pytest
from prometheus_client import REGISTRY

from api.cache import QueryCache
from tests.support.waiting import wait_until

TTL_S, MAX_STALE_S = 1.0, 10.0
Started = tuple[threading.Thread, list[object]]  # a caller's thread, and its result once done


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Loads:
    """A load that returns 1, 2, 3...; while `hold` is set, it waits for `release`."""

    def __init__(self) -> None:
        self.calls = 0
        self.started = threading.Semaphore(0)
        self.hold = threading.Event()
        self.release = threading.Event()

    def __call__(self) -> int:
        self.calls += 1
        self.started.release()
        if self.hold.is_set():
            assert self.release.wait(5), "the test never released the load"
        return self.calls

    def wait_started(self) -> None:
        assert self.started.acquire(timeout=5), "no load started"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(clock: Clock) -> Iterator[QueryCache]:
    made = QueryCache(TTL_S, MAX_STALE_S, 3, clock=clock)
    yield made
    made.close()


def shared_lookups() -> float:
    """Callers that found a load in flight and waited for it, in this process so far."""
    return REGISTRY.get_sample_value("api_cache_lookups_total", {"result": "shared"}) or 0.0


def waiting_callers(call: Callable[[], object], count: int) -> list[Started]:
    """`count` threads that `call`, once each of them waits for the load in flight."""
    shared = shared_lookups()
    callers = [in_thread(call) for _ in range(count)]
    wait_until(
        shared_lookups,
        lambda now: now == shared + count,
        what=f"{count} callers to wait for the load in flight",
        timeout_s=5,
        interval_s=0.005,
    )
    return callers


def in_thread(call: Callable[[], object]) -> Started:
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(call()))
    thread.start()
    return thread, results


def test_a_result_is_reused_within_the_ttl(cache: QueryCache, clock: Clock) -> None:
    load = Loads()
    assert cache.get("k", load) == 1
    clock.now = 0.9
    assert cache.get("k", load) == 1
    assert load.calls == 1


def test_while_a_slow_refresh_runs_the_previous_result_is_served_up_to_the_bound(
    cache: QueryCache, clock: Clock
) -> None:
    load = Loads()
    cache.get("k", load)
    load.hold.set()
    for now in (1.0, 2.0, 5.0, MAX_STALE_S - 0.01):  # far past the TTL, short of the bound
        clock.now = now
        assert cache.get("k", load) == 1
    load.wait_started()
    assert load.calls == 2, "one refresh for all the stale hits"
    load.release.set()
    wait_until(
        lambda: cache.get("k", load),
        lambda result: result == 2,
        what="the released refresh's result",
        timeout_s=5,
        interval_s=0.005,
    )
    assert load.calls == 2


def test_past_the_bound_callers_wait_for_the_refresh_in_flight(
    cache: QueryCache, clock: Clock
) -> None:
    load = Loads()
    cache.get("k", load)
    load.hold.set()
    clock.now = 1.5
    cache.get("k", load)  # starts the refresh
    load.wait_started()
    clock.now = MAX_STALE_S + 0.5
    waiters = waiting_callers(lambda: cache.get("k", load), 3)
    assert all(not results for _, results in waiters), "nobody is served a result past the bound"
    load.release.set()
    for thread, results in waiters:
        thread.join(5)
        assert results == [2]
    assert load.calls == 2, "the waiters shared the refresh; none started its own"


def test_past_the_bound_with_nothing_in_flight_the_caller_loads(
    cache: QueryCache, clock: Clock
) -> None:
    load = Loads()
    cache.get("k", load)
    clock.now = MAX_STALE_S + 1
    assert cache.get("k", load) == 2


def test_a_failed_refresh_keeps_the_previous_result_and_the_next_stale_hit_retries(
    cache: QueryCache, clock: Clock
) -> None:
    cache.get("k", lambda: "old")
    failures = Loads()

    def fail() -> str:
        failures()
        raise RuntimeError("db down")

    clock.now = 2.0
    assert cache.get("k", fail) == "old"
    failures.wait_started()
    wait_until(
        lambda: cache.get("k", lambda: "new"),
        lambda result: result == "new",
        what="a stale hit to load again after the failed refresh",
        timeout_s=5,
        interval_s=0.005,
    )
    assert failures.calls == 1


def test_concurrent_misses_share_one_load(cache: QueryCache) -> None:
    load = Loads()
    load.hold.set()
    first = in_thread(lambda: cache.get("k", load))
    load.wait_started()
    others = waiting_callers(lambda: cache.get("k", load), 4)
    load.release.set()
    for thread, results in [first, *others]:
        thread.join(5)
        assert results == [1]
    assert load.calls == 1


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


def test_from_the_event_loop_hits_are_shared_and_loads_run_in_a_worker_thread(
    cache: QueryCache, clock: Clock
) -> None:
    threads: list[threading.Thread] = []

    def load() -> int:
        threads.append(threading.current_thread())
        return len(threads)

    async def twice() -> list[int]:
        first = await cache.get_async("k", load)
        clock.now = 0.5
        return [first, await cache.get_async("k", load)]

    assert asyncio.run(twice()) == [1, 1]
    assert len(threads) == 1
    assert threads[0] is not threading.main_thread()


def test_a_zero_ttl_turns_caching_off(clock: Clock) -> None:
    off = QueryCache(0.0, MAX_STALE_S, 3, clock=clock)
    load = Loads()
    off.get("k", load)
    off.get("k", load)
    off.close()
    assert load.calls == 2


def test_the_bound_may_not_be_shorter_than_the_ttl() -> None:
    with pytest.raises(ValueError, match="max_stale_s"):
        QueryCache(2.0, 1.0, 3)
