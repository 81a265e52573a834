"""/v1/candles for 24 hours of 1-minute candles (1440 rows, one page: the default maximum
page is 1500) under 50 concurrent clients on loopback, beside the bare read of the same
rows in the same run (the API's repository read, `CandleReader.page`, with no HTTP).

The API runs as `python -m api` (uvicorn, one process) on a free port; the load comes from
wrk (wrk_load.py): 50 connections, each sending its next request when the last one is
answered, for 10 seconds after a 2-second warm-up, accepting gzip as browsers and httpx
do. One httpx request first checks that the page holds all 1440 candles. The bare query
is timed sequentially, one client.
Also printed (not a BENCH line): the API with its query cache off, one client, so the cost
of the API over the bare query shows without caching.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pymongo import MongoClient

# run_all.py runs each benchmark as a script, so its siblings import by their own names.
from support import (  # type: ignore[import-not-found]
    bench_line,
    bench_servers,
    percentile,
    require,
)
from wrk_load import WrkResult, wrk  # type: ignore[import-not-found]

from api.repository import CandleReader
from coinstream_common.candle_store import CandleRepository
from coinstream_common.candles import Candle
from coinstream_common.intervals import Interval
from coinstream_common.mongo import Document
from devstack.net import free_port, wait_until

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 50
SECONDS = 10
BARE_RUNS = 15
DAY = 1440
START_MS = 1_711_324_800_000  # 2024-03-25T00:00:00Z


def candle(symbol: str, interval: Interval, i: int) -> Document:
    start = datetime.fromtimestamp(START_MS / 1000, UTC) + i * timedelta(
        milliseconds=interval.millis
    )
    price = 60_000.0 + i
    return {
        "source": "simulated",
        "symbol": symbol,
        "interval": interval.value,
        "start": start,
        "end": start + timedelta(milliseconds=interval.millis),
        "open": price,
        "high": price + 5,
        "low": price - 5,
        "close": price + 1,
        "mean": price,
        "count": 20,
        "volume": 2.0,
        "vwap": price,
        "trade_count": 20,
        "first_event_time": start,
        "last_event_time": start,
        "final": True,
        "open_event_id": f"o{i}",
        "close_event_id": f"c{i}",
        "sum_price": price * 20,
        "notional": price * 2,
    }


def seed(mongo_uri: str, database: str) -> None:
    """Two symbols, a day of 1m, 5m and 1h candles: 3504 documents."""
    client: MongoClient[Document] = MongoClient(mongo_uri, tz_aware=True)
    client.drop_database(database)
    repository = CandleRepository(client[database])
    for symbol in ("BTC-USD", "ETH-USD"):
        for interval, count in ((Interval.M1, DAY), (Interval.M5, 288), (Interval.H1, 24)):
            repository.upsert_many(
                [Candle.model_validate(candle(symbol, interval, i)) for i in range(count)]
            )
    client.close()


def bare_find_ms(mongo_uri: str, database: str) -> list[float]:
    """The repository read behind the page, without the API: `CandleReader.page`."""
    client: MongoClient[Document] = MongoClient(mongo_uri, tz_aware=True)
    reader = CandleReader(client[database])
    start = datetime.fromtimestamp(START_MS / 1000, UTC)
    timings = []
    for _ in range(BARE_RUNS):
        began = time.perf_counter()
        rows = reader.page(
            "simulated",
            "BTC-USD",
            Interval.M1,
            start=start,
            end=start + timedelta(days=1),
            after=None,
            limit=DAY + 1,
        )
        timings.append((time.perf_counter() - began) * 1000)
        if len(rows) != DAY:
            raise RuntimeError(f"the bare query found {len(rows)} rows, not {DAY}")
    client.close()
    return timings


def start_api(
    mongo_uri: str, database: str, port: int, cache_ttl_s: str, **settings: str
) -> subprocess.Popen[bytes]:
    """`python -m api`; keyword settings become API_<NAME> variables."""
    env = os.environ | {
        "MONGO_URI": mongo_uri,
        "MONGO_DATABASE": database,
        "API_PORT": str(port),
        "API_CACHE_TTL_S": cache_ttl_s,
        "LOG_LEVEL": "WARNING",
        **{f"API_{name.upper()}": value for name, value in settings.items()},
    }
    process = subprocess.Popen([sys.executable, "-m", "api"], env=env, cwd=ROOT)
    wait_until(lambda: _healthy(port), 30, "the API to start")
    return process


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


PARAMS = {
    "source": "simulated",
    "symbol": "BTC-USD",
    "interval": "1m",
    "start": "2024-03-25T00:00:00Z",
    "end": "2024-03-26T00:00:00Z",
    "limit": str(DAY),
}
# What browsers and httpx send: the API may answer with its pre-compressed copy.
HEADERS = {"Accept-Encoding": "gzip"}


def measure(
    mongo_uri: str, database: str, cache_ttl_s: str, clients: int, seconds: int
) -> WrkResult:
    port = free_port()
    process = start_api(mongo_uri, database, port, cache_ttl_s)
    try:
        url = httpx.URL(f"http://127.0.0.1:{port}/v1/candles", params=PARAMS)
        # Checked once with a real client that decodes what it accepts: the rows are all there.
        page = httpx.get(url, headers=HEADERS, timeout=60).raise_for_status().json()
        require(len(page["candles"]) == DAY, f"the API returned {len(page['candles'])} candles")
        wrk(str(url), clients, 2, HEADERS)  # warm up: the cache, the connections
        return wrk(str(url), clients, seconds, HEADERS)
    finally:
        process.terminate()
        process.wait(15)


def main() -> None:
    database = "bench_api"
    with bench_servers() as servers:
        seed(servers.mongo_uri, database)
        bare = bare_find_ms(servers.mongo_uri, database)
        api = measure(servers.mongo_uri, database, "1.0", CLIENTS, SECONDS)
        uncached = measure(servers.mongo_uri, database, "0", 1, SECONDS)
    bare_p50 = percentile(bare, 50)
    print(
        f"api without its query cache, 1 client: p50_ms={uncached.p50_ms:.3f} "
        f"vs_bare={uncached.p50_ms / bare_p50:.3f} requests={uncached.requests}"
    )
    print(f"api, {CLIENTS} clients: requests={api.requests} max_ms={api.max_ms:.3f}")
    print(
        bench_line(
            "api",
            p50_ms=api.p50_ms,
            p99_ms=api.p99_ms,
            bare_p50_ms=bare_p50,
            vs_bare=api.p50_ms / bare_p50,
        )
    )


if __name__ == "__main__":
    main()
