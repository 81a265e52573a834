"""Does a read cost what it returns, or what the database holds? History of 1, 7 and 30 days.

For each size, a fresh database is seeded with that many days of 1-minute candles, with
their 5m, 1h and 1d roll-ups, for 10 symbols (all on partition 0, as the consumer writes
them), and a saved state for each series with its newest windows open. Then, uncached:
  - bare: the repository read the API makes for the newest day of one symbol's 1m candles
    (`CandleReader.page`, no HTTP, no encoding), median of RUNS;
  - candles: `/v1/candles` for that day through the API (`python -m api`, its cache off);
  - stats: `/v1/stats?window=24h`;
  - restore: the consumer's restore of partition 0 (`ConsumerStore.restore_partitions`).
Prints `BENCH history days=<n> bare_p50_ms=<n> candles_p50_ms=<n> stats_p50_ms=<n>
restore_ms=<n>` per size, then `BENCH history growth_30d_vs_1d=<r>` (the largest of the
four figures' 30-day/1-day ratios) and `BENCH history candles_vs_bare=<r>` (30 days).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pymongo import MongoClient
from support import bench_line, bench_servers, require  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_api import start_api  # type: ignore[import-not-found]  # noqa: E402

from api.repository import CandleReader  # noqa: E402
from coinstream_common.candles import Candle  # noqa: E402
from coinstream_common.intervals import Interval  # noqa: E402
from coinstream_common.mongo import Document  # noqa: E402
from consumer.accumulator import CandleAccumulator  # noqa: E402
from consumer.series import WindowRules  # noqa: E402
from consumer.state import SeriesSnapshot  # noqa: E402
from consumer.storage import ConsumerStore  # noqa: E402
from devstack.net import free_port  # noqa: E402
from tests.support.ticks import trade  # noqa: E402

SYMBOLS = [f"H{i}-USD" for i in range(10)]
SIZES_DAYS = tuple(int(d) for d in os.environ.get("BENCH_HISTORY_DAYS", "1,7,30").split(","))
RUNS = 5
SEED_CHUNK = 5_000
DAY_MS = 86_400_000
MINUTE_MS = 60_000
RULES = WindowRules(tuple(Interval), 5_000, 600_000, 10_000)


def history(symbol: str, days: int, now_ms: int) -> list[Candle]:
    """`days` of candles of every interval up to now, two trades each, the newest open."""
    out = []
    for interval in Interval:
        newest = now_ms // interval.millis * interval.millis
        count = max(1, days * DAY_MS // interval.millis)
        for i in range(count):
            start = newest - (count - 1 - i) * interval.millis
            accumulator = CandleAccumulator.of(
                trade(100.0 + i % 50, start + 1, symbol=symbol), 2 * i
            )
            accumulator.add_tick(trade(101.0, start + 2, symbol=symbol), 2 * i + 1)
            out.append(
                accumulator.to_candle(
                    "simulated", symbol, interval, start, final=i < count - 1, partition=0
                )
            )
    return out


def seed(db_uri: str, database: str, days: int, now_ms: int) -> None:
    client: MongoClient[Document] = MongoClient(db_uri, tz_aware=True)
    client.drop_database(database)
    store = ConsumerStore(client[database])
    store.prepare()
    for symbol in SYMBOLS:
        candles = history(symbol, days, now_ms)
        for first in range(0, len(candles), SEED_CHUNK):
            store.candles.upsert_many(candles[first : first + SEED_CHUNK])
        store.snapshots.save_many(
            [
                SeriesSnapshot(
                    "simulated",
                    symbol,
                    0,
                    offset=10**6,
                    max_event_time=now_ms,
                    watermark=now_ms - 5_000,
                    max_ingest_time=now_ms,
                    raw_offset=10**6,
                    open_candles=tuple(c for c in candles if not c.final),
                )
            ]
        )
    client.close()


def timed_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    """The median of `runs` timings of `action`, in milliseconds."""
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def measure(db_uri: str, days: int) -> dict[str, float]:
    database = f"bench_history_{days}d"
    now_ms = int(time.time() * 1000) // MINUTE_MS * MINUTE_MS
    began = time.perf_counter()
    seed(db_uri, database, days, now_ms)
    print(f"seeded {days} day(s) in {time.perf_counter() - began:.0f}s", flush=True)
    end = datetime.fromtimestamp(now_ms / 1000, UTC) + timedelta(minutes=1)
    start = end - timedelta(days=1)
    client: MongoClient[Document] = MongoClient(db_uri, tz_aware=True)
    reader = CandleReader(client[database])

    def bare() -> None:
        rows = reader.page(
            "simulated", "H0-USD", Interval.M1, start=start, end=end, after=None, limit=1500
        )
        require(len(rows) == 1440, f"the bare read found {len(rows)} rows, not 1440")

    port = free_port()
    api = start_api(db_uri, database, port, "0", query_timeout_s="120")
    base = f"http://127.0.0.1:{port}/v1"
    params = {
        "source": "simulated",
        "symbol": "H0-USD",
        "interval": "1m",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "limit": "1500",
    }

    def candles() -> None:
        page = httpx.get(f"{base}/candles", params=params, timeout=300).raise_for_status()
        require(len(page.json()["candles"]) == 1440, "the API did not return 1440 candles")

    def stats() -> None:
        got = httpx.get(
            f"{base}/stats",
            params={"source": "simulated", "symbol": "H0-USD", "window": "24h"},
            timeout=300,
        ).raise_for_status()
        require(got.json()["count"] > 0, "the stats counted nothing")

    store = ConsumerStore(client[database])

    def restore() -> None:
        restored = store.restore_partitions([0], RULES)
        require(len(restored) == len(SYMBOLS), f"restored {len(restored)} series")
        require(all(s.windows for s in restored), "a series was restored with no open window")

    try:
        figures = {
            "bare_p50_ms": timed_ms(bare),
            "candles_p50_ms": timed_ms(candles),
            "stats_p50_ms": timed_ms(stats),
            "restore_ms": timed_ms(restore, runs=3),
        }
    finally:
        api.terminate()
        api.wait(15)
        client.drop_database(database)
        client.close()
    print(bench_line("history", days=days, **figures), flush=True)
    return figures


def main() -> None:
    with bench_servers() as servers:
        results = {days: measure(servers.mongo_uri, days) for days in SIZES_DAYS}
    first, last = results[SIZES_DAYS[0]], results[SIZES_DAYS[-1]]
    growth = max(last[name] / first[name] for name in first)
    for name in first:
        print(f"growth {name}: {last[name] / first[name]:.2f}")
    print(bench_line("history", growth_30d_vs_1d=growth))
    print(bench_line("history", candles_vs_bare=last["candles_p50_ms"] / last["bare_p50_ms"]))


if __name__ == "__main__":
    main()
