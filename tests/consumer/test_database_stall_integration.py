"""A database that stops answering, between the consumer and the real server.

The stall (tests/support/stalling_proxy.py) keeps connections open and holds back every
byte, as a hung server does. The consumer's writes must time out, be retried, hold the
offset commit back and say so in the metrics and the log; SIGTERM must stop it in time;
and nothing is lost once the database answers again.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient
from pymongo.uri_parser import parse_uri

from coinstream_common.mongo import Document
from coinstream_common.shutdown import EXIT_STOP_GRACE_EXCEEDED
from devstack.net import free_port
from devstack.processes import ManagedProcess
from tests.support.candle_docs import stored_one
from tests.support.consumer_process import committed_lag, consumer_process, wait_caught_up
from tests.support.pipeline import publish
from tests.support.servers import ServerAddresses
from tests.support.stalling_proxy import StallingProxy, stalling_proxy
from tests.support.ticks import T0, trade
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
SECOND = 1_000
STOP_LIMIT_S = 10.0  # compose's grace before it sends SIGKILL


@pytest.fixture
def proxy(mongo_uri: str) -> Iterator[StallingProxy]:
    ((host, port),) = parse_uri(mongo_uri)["nodelist"]
    with stalling_proxy((host, port)) as running:
        yield running


def metric(port: int, name: str) -> float:
    for line in httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    return 0.0


def test_a_stalled_database_pauses_the_consumer_which_stops_in_time_and_loses_nothing(
    servers: ServerAddresses,
    proxy: StallingProxy,
    mongo_client: MongoClient[Document],
    new_topic: Callable[..., str],
    tmp_path: Path,
) -> None:
    bootstrap, topic = servers.kafka_bootstrap, new_topic(partitions=1)
    suffix = topic.rsplit("-", 1)[-1]
    group, database = f"stall-{suffix}", f"stall_{suffix}"
    db = mongo_client[database]
    metrics_port = free_port()

    def start(name: str, db_timeout_ms: int) -> ManagedProcess:
        return consumer_process(
            name,
            bootstrap=bootstrap,
            mongo_uri=f"mongodb://127.0.0.1:{proxy.port}/",
            database=database,
            topic=topic,
            group=group,
            log_dir=tmp_path,
            log_level="INFO",
            metrics_port=metrics_port,
            settings={"intervals": "1m", "db_timeout_ms": str(db_timeout_ms)},
        )

    def count() -> int:
        doc = stored_one(db, interval="1m")
        return 0 if doc is None else int(doc["count"])

    def ticks(first: int, last: int) -> None:
        publish(bootstrap, topic, [trade(100.0 + i, T0 + i * SECOND) for i in range(first, last)])

    try:
        first = start("first", db_timeout_ms=2_000)
        ticks(0, 10)
        wait_until(count, lambda counted: counted == 10, what="the first ticks")

        proxy.stall()
        ticks(10, 20)
        wait_until(
            lambda: metric(metrics_port, "consumer_database_stalled") == 1,
            timeout_s=20,
            what="the consumer to report the stalled database",
        )
        assert metric(metrics_port, "consumer_write_failures_total") >= 1
        assert committed_lag(bootstrap, group, topic) > 0  # nothing unwritten is committed
        assert "database stalled" in first.log_path.read_text()
        assert first.alive()

        proxy.resume()
        wait_until(
            count,
            lambda counted: counted == 20,
            timeout_s=30,
            what="the ticks held back by the stall",
        )
        wait_caught_up(bootstrap, group, topic, [first])
        assert metric(metrics_port, "consumer_database_stalled") == 0
        assert first.stop() == 0

        # Stalled with a write in flight, at the default timeout (15 s): the stop's grace
        # (8 s) ends first, and the process exits as a crash would (coinstream_common.shutdown).
        second = start("second", db_timeout_ms=15_000)
        wait_until(
            lambda: "partition restored" in second.log_path.read_text(),
            timeout_s=30,
            what="the second consumer to own the partition",
        )
        proxy.stall()
        ticks(20, 30)
        wait_until(
            proxy.held_commands,
            lambda held: "update" in held or "insert" in held,
            what="the consumer's write of the new ticks to hang on the stalled server",
        )
        asked = time.monotonic()
        second.signal(signal.SIGTERM)
        code = second.stop(timeout_s=30)
        took = time.monotonic() - asked
        assert took < STOP_LIMIT_S, f"SIGTERM took {took:.1f}s"
        assert code == EXIT_STOP_GRACE_EXCEEDED, second.tail()

        proxy.resume()
        third = start("third", db_timeout_ms=15_000)
        wait_caught_up(bootstrap, group, topic, [third])
        assert count() == 30  # what the stopped consumer held was read again
        assert third.stop() == 0
    finally:
        mongo_client.drop_database(database)
