"""Two of three brokers down, min.insync.replicas=2: the producer's writes are refused.

The one broker left leads every partition alone, so it refuses each write
(NOT_ENOUGH_REPLICAS) rather than acknowledge a tick held on one disk. The Kafka client
retries the refusal until its delivery timeout, then reports the tick undelivered
(_MSG_TIMED_OUT): a delivery failure, logged and counted, and the tick waits in the
publisher's buffer to be sent again. When the brokers return, every tick is in the topic
once. The delivery timeout is cut from 5 minutes to 4 s so failures surface in the test.
"""

from __future__ import annotations

import time
import uuid

import pytest
from confluent_kafka import Producer
from prometheus_client import REGISTRY

from coinstream_common.settings import KafkaSettings
from coinstream_common.ticks import Tick
from devstack.kafka_cluster import KafkaCluster
from devstack.topics import TopicPlan, ensure_topics
from producer.publisher import TickPublisher, producer_config
from tests.support.ticks import T0, trade
from tests.support.topics import read_ticks

pytestmark = pytest.mark.integration
SYMBOLS = [f"M{i}-USD" for i in range(6)]


def ticks(count: int, start: int) -> list[Tick]:
    return [
        trade(100.0 + n % 7, T0 + start + n, symbol=SYMBOLS[n % len(SYMBOLS)]) for n in range(count)
    ]


def delivered() -> float:
    return REGISTRY.get_sample_value("producer_ticks_delivered_total") or 0.0


def failures() -> float:
    return REGISTRY.get_sample_value("producer_delivery_failures_total") or 0.0


def serve_for(publisher: TickPublisher, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        publisher.serve_deliveries()
        time.sleep(0.05)  # the delivery reports' pace, as the producer's loop serves them


def test_two_brokers_down_refuse_every_write_and_lose_none(
    faulty_cluster: KafkaCluster, caplog: pytest.LogCaptureFixture
) -> None:
    cluster = faulty_cluster
    topic = f"min-isr-{uuid.uuid4().hex[:8]}"
    ensure_topics(cluster.bootstrap, TopicPlan({topic: 3}, 3, 2))
    kafka = KafkaSettings(bootstrap_servers=cluster.bootstrap)
    publisher = TickPublisher(Producer(producer_config(kafka, delivery_timeout_ms=4_000)), topic)
    before, during = ticks(1_000, 0), ticks(2_000, 1_000)

    publisher.publish_all(before)
    assert publisher.flush(30) == 0

    cluster.stop_brokers(2, 3)
    cluster.wait_registered(1, 30)
    acknowledged, failed = delivered(), failures()
    publisher.publish_all(during)
    serve_for(publisher, 6)  # past the delivery timeout of every one
    assert delivered() == acknowledged, "a tick was acknowledged by one replica alone"
    assert publisher.depth == len(during)  # every one held, to be sent again
    assert failures() - failed >= len(during)  # each failed at least once, loudly:
    refusals = [r for r in caplog.records if r.message == "tick not delivered; will resend"]
    assert refusals
    print(f"{len(refusals)} delivery failures logged, the first: {refusals[0].__dict__['error']}")
    assert publisher.fatal is None

    cluster.restart_stopped()
    assert publisher.flush(60) == 0
    assert delivered() - acknowledged == len(during)
    arrived = [t.event_id for t in read_ticks(cluster.bootstrap, topic)]
    assert len(arrived) == len(set(arrived))  # none twice
    assert sorted(arrived) == sorted(t.event_id for t in before + during)  # none lost
