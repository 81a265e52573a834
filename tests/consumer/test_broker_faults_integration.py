"""Three consumers fold ticks from the three-broker cluster while brokers and consumers fail.

A fixed market (tests/support/paced_market.py) is published to a topic of three replicas,
two in sync, through the producer's publisher, while three consumer processes fold it and
faults strike in turn: one of the consumers SIGKILLed, a broker SIGKILLed (and later
started again), another broker stopped and restarted twice. The run must end with
every tick in the topic exactly once (by event id), the group's lag back to 0, and the
candle documents and late records of one consumer that read the same ticks, published
without a fault to the single broker: document by document.

One run strikes every fault, rather than a run per fault, because each run costs its
publishing time and the idle-close settling (settle()): a minute.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from pymongo import MongoClient

from coinstream_common.mongo import Document
from coinstream_common.ticks import Tick
from devstack.kafka_cluster import KafkaCluster
from devstack.processes import ManagedProcess
from devstack.topics import TopicPlan, ensure_topics
from tests.support.candle_docs import assert_same_candles, candles, late_records
from tests.support.consumer_process import consumer_process, settle, wait_caught_up
from tests.support.paced_market import PacedPublisher, paced_ticks
from tests.support.pipeline import publish
from tests.support.servers import ServerAddresses
from tests.support.topics import create_tick_topics, read_ticks

pytestmark = pytest.mark.integration
SYMBOLS = [f"F{i}-USD" for i in range(10)]
TICKS = 100_000
# Long enough for every fault to strike while ticks are published (restarting a broker
# takes about 9 s here), short enough for the run to stay near a minute.
PUBLISH_SECONDS = 45.0
CONSUMERS = 3


@dataclass(frozen=True)
class Folded:
    candles: dict[str, Document]
    late: dict[tuple[str, str], str]


@pytest.fixture(scope="module")
def market() -> list[Tick]:
    return paced_ticks(TICKS, SYMBOLS)


@pytest.fixture(scope="module")
def uninterrupted(
    market: list[Tick],
    servers: ServerAddresses,
    mongo_client: MongoClient[Document],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Folded]:
    """The market on the single broker, all published, then read by one consumer."""
    suffix = uuid.uuid4().hex[:8]
    topic, group, database = f"steady-{suffix}", f"steady-{suffix}", f"steady_{suffix}"
    create_tick_topics(servers.kafka_bootstrap, topic, 3)
    publish(servers.kafka_bootstrap, topic, market)
    process = consumer_process(
        "steady",
        bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        database=database,
        topic=topic,
        group=group,
        log_dir=tmp_path_factory.mktemp("steady"),
    )
    started = time.monotonic()
    try:
        settle(servers.kafka_bootstrap, group, topic, [process])
        print(f"uninterrupted run caught up and settled in {time.monotonic() - started:.1f}s")
        assert process.stop() == 0
        folded = Folded(
            candles(mongo_client[database]), late_records(servers.kafka_bootstrap, topic)
        )
        # Real comparisons: the market has late ticks, and ten minutes of ten symbols.
        assert folded.late
        assert len(folded.candles) > 100
        yield folded
    finally:
        process.stop()
        mongo_client.drop_database(database)


def strike(cluster: KafkaCluster, market: PacedPublisher, consumers: list[ManagedProcess]) -> None:
    """The faults, one after another, each once a share of the market is published."""
    started = time.monotonic()

    def at(share: float, what: str) -> None:
        market.wait_published(share)
        print(f"{time.monotonic() - started:5.1f}s, {market.published} ticks in: {what}")

    # The consumer first, while ticks surely flow: on a slow machine a broker restart may
    # take long enough for the last faults to strike once every tick is handed over
    # (while the producer still flushes and the consumers fold).
    at(0.1, "SIGKILL consumer 1 of 3")
    consumers[1].signal(signal.SIGKILL)
    assert consumers[1].stop() == -signal.SIGKILL
    at(0.2, "SIGKILL broker 2")
    cluster.kill(2)
    at(0.3, "start broker 2 again")
    cluster.restart(2)
    for share in (0.5, 0.7):
        at(share, "stop broker 3, start it again 2 s later")
        cluster.stop_brokers(3)
        time.sleep(2)  # the broker's time away
        cluster.restart(3)


def test_broker_and_consumer_faults_change_no_tick_and_no_candle(
    market: list[Tick],
    uninterrupted: Folded,
    faulty_cluster: KafkaCluster,
    run_consumers: Callable[..., ManagedProcess],
    mongo_client: MongoClient[Document],
) -> None:
    bootstrap = faulty_cluster.bootstrap
    suffix = uuid.uuid4().hex[:8]
    topic, group, database = f"faults-{suffix}", f"faults-{suffix}", f"faults_{suffix}"
    ensure_topics(bootstrap, TopicPlan({topic: 3, f"{topic}.late": 1, f"{topic}.dlq": 1}, 3, 2))
    consumers = [
        run_consumers(
            f"consumer-{n}", topic=topic, group=group, database=database, bootstrap=bootstrap
        )
        for n in range(CONSUMERS)
    ]
    publisher = PacedPublisher(market, bootstrap, topic, PUBLISH_SECONDS)
    started = time.monotonic()
    publisher.start()
    strike(faulty_cluster, publisher, consumers)
    publisher.finish()
    published = time.monotonic() - started
    alive = [c for c in consumers if c.alive()]
    wait_caught_up(bootstrap, group, topic, alive)  # the group's lag back to 0
    caught_up = time.monotonic() - started
    settle(bootstrap, group, topic, alive)
    assert all(c.stop() == 0 for c in alive)
    print(f"published in {published:.1f}s, the group caught up at {caught_up:.1f}s")

    arrived = [t.event_id for t in read_ticks(bootstrap, topic, timeout_s=60)]
    assert len(arrived) == len(set(arrived)), "a tick is in the topic twice"
    assert set(arrived) == {t.event_id for t in market}, "a tick is missing"
    assert_same_candles(candles(mongo_client[database]), uninterrupted.candles)
    assert late_records(bootstrap, topic) == uninterrupted.late
