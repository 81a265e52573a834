"""Every service stops within 10 s of SIGTERM while the database hangs, and loses nothing.

The stack runs as processes with MongoDB behind a proxy that, once stalled, holds every
byte back with the connections open (a hung server). A stream client stays connected to
the API. Each service is sent SIGTERM, as `docker compose stop` does, which sends SIGKILL
10 s later. Then, with the database answering again, the consumer restarts, and every tick
the producer published is in the candles.
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient
from pymongo.uri_parser import parse_uri

from coinstream_common.mongo import Document
from coinstream_common.shutdown import EXIT_STOP_GRACE_EXCEEDED
from devstack.stack import Endpoints, LocalStack
from tests.support.candle_docs import stored
from tests.support.consumer_process import committed_lag_or_none
from tests.support.local_stack import stack_variables
from tests.support.servers import ServerAddresses
from tests.support.stalling_proxy import stalling_proxy
from tests.support.topics import read_ticks
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
STOP_LIMIT_S = 10.0


def listen(url: str, received: list[str]) -> None:
    """An SSE client that reads until the server closes the stream."""
    try:
        with httpx.stream("GET", url, timeout=httpx.Timeout(5, read=None)) as response:
            received.extend(response.iter_lines())
    except httpx.HTTPError:
        pass  # the API went away: what this client is here to see


def test_every_service_stops_in_time_while_the_database_hangs_and_nothing_is_lost(
    servers: ServerAddresses, mongo_client: MongoClient[Document], tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    variables = stack_variables(suffix)
    ((host, port),) = parse_uri(servers.mongo_uri)["nodelist"]
    database = mongo_client[variables["MONGO_DATABASE"]]
    try:
        with stalling_proxy((host, port)) as proxy:
            proxied = Endpoints(servers.kafka_bootstrap, f"mongodb://127.0.0.1:{proxy.port}/")
            stack = LocalStack(ROOT, proxied, variables, tmp_path / "stalled")
            try:
                stack.start()
                api = f"http://127.0.0.1:{variables['API_PORT']}"
                wait_until(
                    lambda: stored(database, interval="1m"),
                    timeout_s=60,
                    what="candles",
                )
                received: list[str] = []
                stream = f"{api}/v1/stream?source=simulated&symbol=BTC-USD&interval=1m"
                client = threading.Thread(target=listen, args=(stream, received), daemon=True)
                client.start()
                wait_until(
                    lambda: any(line.startswith("event:") for line in received),
                    what="the stream's first event",
                )
                proxy.stall()
                time.sleep(3)  # the consumer's next write, and the API's next reads, hang
                took: dict[str, float] = {}
                codes: dict[str, int] = {}
                for name in ("dashboard", "api", "consumer", "producer"):
                    asked = time.monotonic()
                    codes[name] = stack.processes[name].stop(timeout_s=30)
                    took[name] = time.monotonic() - asked
                client.join(10)
            finally:
                stack.stop()
        print(f"stop times (s): { {n: round(t, 1) for n, t in took.items()} }; codes {codes}")
        assert all(t < STOP_LIMIT_S for t in took.values()), took
        # uvicorn re-raises SIGTERM after its shutdown; the consumer and the API exit with
        # EXIT_STOP_GRACE_EXCEEDED when the stop's grace ran out on the hung database.
        assert codes["dashboard"] == codes["producer"] == 0, codes
        assert codes["api"] in {0, -signal.SIGTERM, EXIT_STOP_GRACE_EXCEEDED}, codes
        assert codes["consumer"] in {0, EXIT_STOP_GRACE_EXCEEDED}, codes
        assert not client.is_alive(), "the stream client was not let go"

        # The database answers again: a consumer of the same group reads what was not
        # committed, and every published tick is in a 1m candle.
        direct = Endpoints(servers.kafka_bootstrap, servers.mongo_uri)
        again = LocalStack(ROOT, direct, variables, tmp_path / "after")
        try:
            again.start(["consumer"])
            group, topic = variables["CONSUMER_GROUP_ID"], variables["KAFKA_TICKS_TOPIC"]
            wait_until(
                lambda: committed_lag_or_none(servers.kafka_bootstrap, group, topic),
                lambda lag: lag == 0,
                timeout_s=60,
                what="the restarted consumer to catch up",
            )
        finally:
            assert again.stop() == {"consumer": 0}
        published = Counter(
            (t.source, t.symbol) for t in read_ticks(servers.kafka_bootstrap, topic)
        )
        counted: Counter[tuple[str, str]] = Counter()
        for doc in stored(database, interval="1m"):
            counted[(doc["source"], doc["symbol"])] += doc["count"]
        assert counted == published
    finally:
        mongo_client.drop_database(variables["MONGO_DATABASE"])
