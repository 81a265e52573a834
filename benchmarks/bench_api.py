"""The API's four cached reads under 50 concurrent clients on loopback, each beside the
bare repository read behind it, timed in the same run with no HTTP:

- /v1/candles for 24 hours of 1-minute candles (1440 rows, one page: the default maximum
  page is 1500), beside `CandleReader.page`;
- /v1/symbols (two pairs), beside `pairs`, then `newest_finest` and `oldest_start` of each;
- /v1/prices/latest, beside `newest_finest`;
- /v1/stats?window=24h, beside `stats_rows` of the day.

The API runs as `python -m api` (uvicorn, one process) on a free port; the load comes from
wrk (wrk_load.py): 50 connections, each sending its next request when the last one is
answered, for 10 seconds after a 2-second warm-up, accepting gzip as browsers and httpx
do. One httpx request first checks each answer. The bare reads are timed sequentially,
one client. Prints one line per endpoint:
`BENCH api endpoint=<path> p50_ms=<n> p99_ms=<n> rps=<requests/s> bare_p50_ms=<n>
vs_bare=<ratio>`.
Also printed (not BENCH lines), measured in the same run: /v1/candles with the query cache
off, one client, so the cost of the API over the bare read shows without caching; and the
framework's floor under the same load: a one-route FastAPI app with the API's server
settings answering a constant body (bare_fastapi.py), so what the API adds to FastAPI,
uvicorn and the machine shows beside it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
SYMBOLS = ("BTC-USD", "ETH-USD")
# The day before the current hour: 1m, 5m and 1h candles aligned, none in the future,
# and the newest recent enough for /v1/stats?window=24h to fold most of them.
START = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
END = START + timedelta(days=1)


def candle(symbol: str, interval: Interval, i: int) -> Document:
    start = START + i * timedelta(milliseconds=interval.millis)
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
    """Two symbols, a day of 1m, 5m and 1h candles: 3504 candles."""
    client: MongoClient[Document] = MongoClient(mongo_uri, tz_aware=True)
    client.drop_database(database)
    repository = CandleRepository(client[database])
    for symbol in SYMBOLS:
        for interval, count in ((Interval.M1, DAY), (Interval.M5, 288), (Interval.H1, 24)):
            repository.upsert_many(
                [Candle.model_validate(candle(symbol, interval, i)) for i in range(count)]
            )
    client.close()


def bare_candles(reader: CandleReader) -> None:
    rows = reader.page(
        "simulated", "BTC-USD", Interval.M1, start=START, end=END, after=None, limit=DAY + 1
    )
    require(len(rows) == DAY, f"the bare read found {len(rows)} candles, not {DAY}")


def bare_symbols(reader: CandleReader) -> None:
    pairs = reader.pairs(("simulated",))
    require(len(pairs) == len(SYMBOLS), f"the bare read found {pairs}")
    for source, symbol in pairs:
        newest = reader.newest_finest(source, symbol)
        if newest is None:
            raise RuntimeError(f"no newest candle of {symbol}")
        reader.oldest_start(source, symbol, newest[0])


def bare_latest(reader: CandleReader) -> None:
    require(reader.newest_finest("simulated", "BTC-USD") is not None, "no newest candle")


def bare_stats(reader: CandleReader) -> None:
    since = datetime.now(UTC) - timedelta(days=1)
    rows = reader.stats_rows("simulated", "BTC-USD", Interval.M1, since)
    require(len(rows) >= DAY - 60, f"the bare read found {len(rows)} candles of the day")


@dataclass(frozen=True)
class Endpoint:
    path: str
    params: dict[str, str]
    bare: Callable[[CandleReader], None]
    check: Callable[[Any], bool]


BTC = {"source": "simulated", "symbol": "BTC-USD"}
ENDPOINTS = (
    Endpoint(
        "/v1/candles",
        BTC
        | {"interval": "1m", "start": START.isoformat(), "end": END.isoformat()}
        | {"limit": str(DAY)},
        bare_candles,
        lambda body: len(body["candles"]) == DAY,
    ),
    Endpoint("/v1/symbols", {}, bare_symbols, lambda body: len(body["symbols"]) == len(SYMBOLS)),
    Endpoint("/v1/prices/latest", BTC, bare_latest, lambda body: body["price"] > 0),
    Endpoint("/v1/stats", BTC | {"window": "24h"}, bare_stats, lambda body: body["candles"] > 0),
)


def bare_ms(mongo_uri: str, database: str, read: Callable[[CandleReader], None]) -> list[float]:
    """The repository reads behind an endpoint, without the API, one after another."""
    client: MongoClient[Document] = MongoClient(mongo_uri, tz_aware=True)
    reader = CandleReader(client[database])
    timings = []
    for _ in range(BARE_RUNS):
        began = time.perf_counter()
        read(reader)
        timings.append((time.perf_counter() - began) * 1000)
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
    wait_until(lambda: _answers(f"http://127.0.0.1:{port}/health"), 30, "the API to start")
    return process


# What browsers and httpx send: the API may answer with its pre-compressed copy.
HEADERS = {"Accept-Encoding": "gzip"}


def measure(
    mongo_uri: str,
    database: str,
    endpoints: tuple[Endpoint, ...],
    cache_ttl_s: str,
    clients: int,
) -> list[WrkResult]:
    """One API process; each endpoint in turn under `clients` connections."""
    port = free_port()
    process = start_api(mongo_uri, database, port, cache_ttl_s)
    results = []
    try:
        for endpoint in endpoints:
            url = httpx.URL(f"http://127.0.0.1:{port}{endpoint.path}", params=endpoint.params)
            # Checked once with a real client that decodes what it accepts.
            body = httpx.get(url, headers=HEADERS, timeout=60).raise_for_status().json()
            require(endpoint.check(body), f"{endpoint.path} answered {str(body)[:300]}")
            wrk(str(url), clients, 2, HEADERS)  # warm up: the cache, the connections
            results.append(wrk(str(url), clients, SECONDS, HEADERS))
    finally:
        process.terminate()
        process.wait(15)
    return results


def measure_floor() -> WrkResult:
    """bare_fastapi.py under the same load as each endpoint."""
    port = free_port()
    script = Path(__file__).with_name("bare_fastapi.py")
    process = subprocess.Popen([sys.executable, str(script), str(port)], cwd=ROOT)
    try:
        url = f"http://127.0.0.1:{port}/floor"
        wait_until(lambda: _answers(url), 30, "the bare FastAPI app to start")
        wrk(url, CLIENTS, 2, HEADERS)
        return wrk(url, CLIENTS, SECONDS, HEADERS)
    finally:
        process.terminate()
        process.wait(15)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def main() -> None:
    database = "bench_api"
    with bench_servers() as servers:
        seed(servers.mongo_uri, database)
        bare = [bare_ms(servers.mongo_uri, database, e.bare) for e in ENDPOINTS]
        loaded = measure(servers.mongo_uri, database, ENDPOINTS, "1.0", CLIENTS)
        (uncached,) = measure(servers.mongo_uri, database, ENDPOINTS[:1], "0", 1)
    floor = measure_floor()
    candles_bare_p50 = percentile(bare[0], 50)
    print(
        f"/v1/candles without the query cache, 1 client: p50_ms={uncached.p50_ms:.3f} "
        f"vs_bare={uncached.p50_ms / candles_bare_p50:.3f} requests={uncached.requests}"
    )
    print(
        f"bare FastAPI route (bare_fastapi.py), {CLIENTS} clients: p50_ms={floor.p50_ms:.3f} "
        f"p99_ms={floor.p99_ms:.3f} rps={floor.requests / SECONDS:.0f} max_ms={floor.max_ms:.3f}"
    )
    for endpoint, timings, result in zip(ENDPOINTS, bare, loaded, strict=True):
        bare_p50 = percentile(timings, 50)
        load = f"requests={result.requests} max_ms={result.max_ms:.3f}"
        print(f"{endpoint.path}, {CLIENTS} clients: {load}")
        print(
            bench_line(
                "api",
                endpoint=endpoint.path,
                p50_ms=result.p50_ms,
                p99_ms=result.p99_ms,
                rps=round(result.requests / SECONDS),
                bare_p50_ms=bare_p50,
                vs_bare=result.p50_ms / bare_p50,
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
