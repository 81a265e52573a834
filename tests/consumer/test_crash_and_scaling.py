"""The consumer as processes: killed with SIGKILL at random moments, and scaled out.

Both compare every candle document with those of one uninterrupted consumer that read
the same topic.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from confluent_kafka import Producer
from pymongo import MongoClient
from pymongo.database import Database

from coinstream_common.mongo import Document
from consumer.state import unpack
from devstack.processes import ManagedProcess
from tests.support.consumer_process import consumer_process, wait_caught_up
from tests.support.market import encoded, market_ticks
from tests.support.servers import ServerAddresses
from tests.support.ticks import T0

pytestmark = pytest.mark.integration
SYMBOLS = [f"C{i}-USD" for i in range(10)]
FLOAT_FIELDS = {"open", "high", "low", "close", "mean", "volume", "vwap", "sum_price", "notional"}


def publish_slowly(
    bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]], seconds: float
) -> threading.Thread:
    """Publish in the background at an even pace, so consumers see a live stream."""

    def run() -> None:
        producer = Producer(
            {"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5}
        )
        chunk = max(1, len(messages) // int(seconds * 20))
        for i in range(0, len(messages), chunk):
            for key, value in messages[i : i + chunk]:
                producer.produce(topic, key=key, value=value)
            producer.poll(0)
            time.sleep(0.05)
        assert producer.flush(30) == 0

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def candles(db: Database[Document]) -> dict[str, Document]:
    return {doc["_id"]: doc for doc in db.candles.find()}


def assert_same_candles(got: dict[str, Document], expected: dict[str, Document]) -> None:
    assert got.keys() == expected.keys()
    for key, doc in expected.items():
        other = got[key]
        assert other.keys() == doc.keys(), key
        for field, value in doc.items():
            if field in FLOAT_FIELDS and value is not None:
                # Partial sums are merged at flush boundaries, which differ between runs.
                assert other[field] == pytest.approx(value, rel=1e-12), (key, field)
            else:
                assert other[field] == value, (key, field)


def raw_offsets(db: Database[Document]) -> list[tuple[int, int]]:
    return sorted(
        (doc["partition"], offset) for doc in db.ticks_raw.find() for offset, _ in unpack(doc)
    )


@pytest.fixture
def run_consumers(
    servers: ServerAddresses, mongo_client: MongoClient[Document], tmp_path: Path
) -> Iterator[Callable[..., ManagedProcess]]:
    started: list[ManagedProcess] = []
    databases: list[str] = []

    def start(name: str, *, topic: str, group: str, database: str) -> ManagedProcess:
        process = consumer_process(
            name,
            bootstrap=servers.kafka_bootstrap,
            mongo_uri=servers.mongo_uri,
            database=database,
            topic=topic,
            group=group,
            log_dir=tmp_path,
        )
        started.append(process)
        databases.append(database)
        return process

    yield start
    for process in started:
        process.stop()
    for name in set(databases):
        mongo_client.drop_database(name)


def steady_run(
    run_consumers: Callable[..., ManagedProcess],
    bootstrap: str,
    topic: str,
    suffix: str,
    mongo_client: MongoClient[Document],
) -> dict[str, Document]:
    group, database = f"steady-{suffix}", f"steady_{suffix}"
    process = run_consumers("steady", topic=topic, group=group, database=database)
    started = time.monotonic()
    wait_caught_up(bootstrap, group, topic, [process])
    print(f"steady run caught up in {time.monotonic() - started:.1f}s")
    assert process.stop() == 0
    return candles(mongo_client[database])


def test_sigkill_at_random_moments_changes_no_candle(
    servers: ServerAddresses,
    new_topic: Callable[..., str],
    run_consumers: Callable[..., ManagedProcess],
    mongo_client: MongoClient[Document],
) -> None:
    bootstrap = servers.kafka_bootstrap
    topic = new_topic(partitions=3)
    suffix = topic.rsplit("-", 1)[-1]
    messages = encoded(market_ticks(100_000, symbols=SYMBOLS, start_ms=T0, span_ms=2 * 3_600_000))
    publishing = publish_slowly(bootstrap, topic, messages, seconds=25)

    group, database = f"crashy-{suffix}", f"crashy_{suffix}"
    rng = random.Random(20261122)
    kills: list[int | None] = []
    while publishing.is_alive() or len(kills) < 5:
        process = run_consumers(f"crashy-{len(kills)}", topic=topic, group=group, database=database)
        time.sleep(rng.uniform(2.0, 5.0))
        process.signal(signal.SIGKILL)
        kills.append(process.stop())
    publishing.join()
    last = run_consumers("crashy-last", topic=topic, group=group, database=database)
    started = time.monotonic()
    wait_caught_up(bootstrap, group, topic, [last])
    print(f"{len(kills)} kills; the last consumer caught up in {time.monotonic() - started:.1f}s")
    assert last.stop() == 0
    assert len(kills) >= 5
    assert set(kills) == {-signal.SIGKILL}

    crashy = mongo_client[database]
    expected = steady_run(run_consumers, bootstrap, topic, suffix, mongo_client)
    assert len(expected) > 1_000
    assert_same_candles(candles(crashy), expected)
    # Raw ticks too: every offset stored once, duplicates (re-sent copies) not at all.
    offsets = raw_offsets(crashy)
    assert offsets == raw_offsets(mongo_client[f"steady_{suffix}"])
    assert len(offsets) == len(set(offsets)) == 100_000


@pytest.mark.parametrize("consumers", [2, 3])
def test_more_consumers_in_a_group_give_identical_candles(
    consumers: int,
    servers: ServerAddresses,
    new_topic: Callable[..., str],
    run_consumers: Callable[..., ManagedProcess],
    mongo_client: MongoClient[Document],
) -> None:
    bootstrap = servers.kafka_bootstrap
    topic = new_topic(partitions=3)
    suffix = topic.rsplit("-", 1)[-1]
    messages = encoded(market_ticks(30_000, symbols=SYMBOLS, start_ms=T0, span_ms=3_600_000))
    publishing = publish_slowly(bootstrap, topic, messages, seconds=10)
    group, database = f"scaled-{suffix}", f"scaled_{suffix}"
    processes = []
    for n in range(consumers):
        # Staggered starts: each join rebalances the group while ticks flow.
        processes.append(run_consumers(f"scaled-{n}", topic=topic, group=group, database=database))
        time.sleep(2.0)
    publishing.join()
    wait_caught_up(bootstrap, group, topic, processes)
    assert all(p.stop() == 0 for p in processes)
    expected = steady_run(run_consumers, bootstrap, topic, suffix, mongo_client)
    assert_same_candles(candles(mongo_client[database]), expected)
