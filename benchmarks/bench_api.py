"""/v1/candles for 24 hours of 1-minute candles (1440 rows, one page: the default maximum
page is 1500) under 50 concurrent clients on loopback, beside a bare pymongo find of the
same rows in the same run.

The API runs as `python -m api` (uvicorn, one process) on a free port; the load comes from
an asyncio pool of 50 httpx clients, each sending its next request when the last one is
answered, for a fixed number of requests. The bare query is timed sequentially, one client.
Also printed (not a BENCH line): the API with its query cache off, one client, so the cost
of the API over the bare query shows without caching.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pymongo import ASCENDING, MongoClient

# run_all.py runs each benchmark as a script, so its siblings import by their own names.
from support import bench_line, bench_servers, percentile  # type: ignore[import-not-found]

from coinstream_common.intervals import Interval
from coinstream_common.mongo import CANDLES_COLLECTION, CandleRepository, Document
from devstack.net import free_port, wait_until

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 50
REQUESTS = 1000
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
    db = client[database]
    CandleRepository(db).ensure_indexes()
    for symbol in ("BTC-USD", "ETH-USD"):
        for interval, count in ((Interval.M1, DAY), (Interval.M5, 288), (Interval.H1, 24)):
            db[CANDLES_COLLECTION].insert_many([candle(symbol, interval, i) for i in range(count)])
    client.close()


def bare_find_ms(mongo_uri: str, database: str) -> list[float]:
    client: MongoClient[Document] = MongoClient(mongo_uri, tz_aware=True)
    start = datetime.fromtimestamp(START_MS / 1000, UTC)
    query = {
        "source": "simulated",
        "symbol": "BTC-USD",
        "interval": "1m",
        "start": {"$gte": start, "$lt": start + timedelta(days=1)},
    }
    timings = []
    for _ in range(BARE_RUNS):
        began = time.perf_counter()
        rows = list(client[database][CANDLES_COLLECTION].find(query).sort("start", ASCENDING))
        timings.append((time.perf_counter() - began) * 1000)
        if len(rows) != DAY:
            raise RuntimeError(f"the bare query found {len(rows)} rows, not {DAY}")
    client.close()
    return timings


def start_api(
    mongo_uri: str, database: str, port: int, cache_ttl_s: str
) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "MONGO_URI": mongo_uri,
        "MONGO_DATABASE": database,
        "API_PORT": str(port),
        "API_CACHE_TTL_S": cache_ttl_s,
        "LOG_LEVEL": "WARNING",
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


async def load(port: int, clients: int, requests: int) -> list[float]:
    timings: list[float] = []
    remaining = requests
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as http:

        async def client() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                began = time.perf_counter()
                response = await http.get("/v1/candles", params=PARAMS, timeout=60)
                timings.append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"the API answered {response.status_code}")

        await asyncio.gather(*(client() for _ in range(clients)))
    return timings


def measure(
    mongo_uri: str, database: str, cache_ttl_s: str, clients: int, requests: int
) -> list[float]:
    port = free_port()
    process = start_api(mongo_uri, database, port, cache_ttl_s)
    try:
        rows = httpx.get(f"http://127.0.0.1:{port}/v1/candles", params=PARAMS, timeout=60).json()
        if len(rows["candles"]) != DAY:
            raise RuntimeError(f"the API returned {len(rows['candles'])} candles, not {DAY}")
        asyncio.run(load(port, clients, min(clients, requests)))  # warm up
        return asyncio.run(load(port, clients, requests))
    finally:
        process.terminate()
        process.wait(15)


def main() -> None:
    database = "bench_api"
    with bench_servers() as servers:
        seed(servers.mongo_uri, database)
        bare = bare_find_ms(servers.mongo_uri, database)
        api = measure(servers.mongo_uri, database, "1.0", CLIENTS, REQUESTS)
        uncached = measure(servers.mongo_uri, database, "0", 1, 10)
    bare_p50 = percentile(bare, 50)
    print(
        f"api without its query cache, 1 client: p50_ms={percentile(uncached, 50):.3f} "
        f"vs_bare={percentile(uncached, 50) / bare_p50:.3f}"
    )
    print(
        bench_line(
            "api",
            p50_ms=percentile(api, 50),
            p99_ms=percentile(api, 99),
            bare_p50_ms=bare_p50,
            vs_bare=percentile(api, 50) / bare_p50,
        )
    )


if __name__ == "__main__":
    main()
