"""The broker that leads the checkpoint topic is SIGKILLed while an exchange source runs;
then the producer is stopped and started again from its checkpoints, that broker still
down. Every trade the exchange served is in the ticks topic once, by event id.

Topics and producer settings come from docker-compose.cluster.yml, as its topics service
and producer get them: three replicas, two in sync, the checkpoint topic among them. So
the checkpoint topic's partition gets a new leader, and the cursors saved before and
after the kill are read back by the restarted producer.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from pytest_httpserver import HTTPServer

from coinstream_common.ticks import Tick
from devstack.compose import load_compose
from devstack.kafka_cluster import KafkaCluster
from devstack.topics import ensure_topics, topic_plan
from producer.clock import SystemClock
from producer.sources.coinbase import CoinbaseSource
from tests.support.fake_coinbase import FakeCoinbase
from tests.support.http_sources import http_client, source_http
from tests.support.producer_run import ProducerRun
from tests.support.topics import read_messages, read_ticks
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 60


async def until(check: Callable[[], bool], what: str) -> None:
    """In a thread, so that the producer runs on meanwhile in this test's event loop."""
    await asyncio.to_thread(wait_until, check, what=what, timeout_s=WAIT_S, interval_s=0.3)


def trade_number(tick: Tick) -> int:
    return int(tick.event_id.rsplit(":", 1)[1])


def leader(bootstrap: str, topic: str) -> int:
    metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(topic, timeout=10)
    return metadata.topics[topic].partitions[0].leader


async def test_cursors_survive_the_loss_of_the_checkpoint_topics_leader(
    faulty_cluster: KafkaCluster, httpserver: HTTPServer
) -> None:
    cluster = faulty_cluster
    suffix = uuid.uuid4().hex[:8]
    services = load_compose(
        ROOT / "docker-compose.cluster.yml",
        {
            "KAFKA_TICKS_TOPIC": f"failover-ticks-{suffix}",
            "ALERT_TOPIC": f"failover-alerts-{suffix}",
            "PRODUCER_CHECKPOINT_TOPIC": f"failover-checkpoints-{suffix}",
        },
    )
    await asyncio.to_thread(ensure_topics, cluster.bootstrap, topic_plan(services))
    settings = services["producer"].environment
    topic, checkpoints = settings["KAFKA_TICKS_TOPIC"], settings["PRODUCER_CHECKPOINT_TOPIC"]

    def live_trades(count: int) -> Callable[[], bool]:
        def arrived() -> bool:
            try:
                ticks = read_ticks(cluster.bootstrap, topic)
            except KafkaException:  # a partition of the killed broker, not led again yet
                return False
            return sum(not t.backfill for t in ticks) >= count

        return arrived

    exchange = FakeCoinbase()
    exchange.add_trades(1, 100)
    exchange.install(httpserver)
    async with http_client() as client:

        def start_producer() -> tuple[ProducerRun, asyncio.Task[None]]:
            http = source_http(client, httpserver.url_for(""), SystemClock(), source="coinbase")
            run = ProducerRun(
                cluster.bootstrap,
                topic,
                checkpoints,
                replication_factor=int(settings["KAFKA_REPLICATION_FACTOR"]),
            )
            source = CoinbaseSource(http, symbols=["BTC-USD"], poll_interval_s=0.1)
            return run, run.start([source])

        first, running = start_producer()
        await until(
            lambda: any(r.path.endswith("/trades") for r, _ in httpserver.log),
            "the source to start at the newest trade, 100",
        )
        exchange.add_trades(101, 600)
        await until(live_trades(500), "trades 101-600")
        await until(lambda: bool(read_messages(cluster.bootstrap, checkpoints)), "a checkpoint")
        killed = leader(cluster.bootstrap, checkpoints)
        await asyncio.to_thread(cluster.kill, killed)
        exchange.add_trades(601, 1200)  # polled, published and checkpointed without it
        await until(live_trades(1100), "trades 601-1200")
        first.stop.set()
        await running

        exchange.add_trades(1201, 1400)  # while the producer is down
        await until(
            lambda: leader(cluster.bootstrap, checkpoints) not in (killed, -1),
            "the checkpoint topic to get another leader",
        )
        second, running = start_producer()
        await until(live_trades(1300), "trades 1201-1400")
        second.stop.set()
        await running

    ticks = await asyncio.to_thread(read_ticks, cluster.bootstrap, topic)
    event_ids = [t.event_id for t in ticks]
    assert len(event_ids) == len(set(event_ids))  # none twice, the backfill's included
    assert sorted(trade_number(t) for t in ticks if not t.backfill) == list(range(101, 1401))
    candle_requests = [r for r, _ in httpserver.log if r.path.endswith("/candles")]
    assert len(candle_requests) == 1  # the second run read the backfill marker back
