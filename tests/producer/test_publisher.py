"""The publisher with the real Kafka client: delivery to the real broker, and while no
broker answers, the bounded buffer and the count of what does not fit."""

from __future__ import annotations

import logging
from collections.abc import Callable

import orjson
import pytest
from confluent_kafka import Producer
from prometheus_client import REGISTRY

from coinstream_common.settings import KafkaSettings
from coinstream_common.ticks import encode_tick
from devstack.net import free_port
from producer.publisher import Batch, TickPublisher, producer_config
from tests.support.ticks import T0, trade
from tests.support.topics import read_ticks, read_topic
from tests.support.waiting import wait_until


def dropped(source: str) -> float:
    return REGISTRY.get_sample_value("producer_ticks_dropped_total", {"source": source}) or 0.0


@pytest.mark.integration
def test_every_tick_is_delivered_and_its_batch_settles(
    kafka_bootstrap: str, new_topic: Callable[..., str]
) -> None:
    topic = new_topic()
    config = producer_config(KafkaSettings(bootstrap_servers=kafka_bootstrap), capacity=1000)
    publisher = TickPublisher(Producer(config), topic, capacity=1000)
    ticks = [trade(100.0 + i, T0 + i, symbol=("BTC-USD", "ETH-USD")[i % 2]) for i in range(1800)]
    batch = Batch(len(ticks))
    publisher.publish_all(ticks, batch)  # more than the client's queue takes: the rest waits
    assert publisher.depth > 1000
    assert publisher.flush(60) == 0
    assert batch.settled
    assert sorted(t.event_id for t in read_ticks(kafka_bootstrap, topic)) == sorted(
        t.event_id for t in ticks
    )


@pytest.mark.integration
def test_ticks_a_source_holds_encoded_are_published_byte_for_byte(
    kafka_bootstrap: str, new_topic: Callable[..., str]
) -> None:
    topic = new_topic()
    publisher = TickPublisher(
        Producer(producer_config(KafkaSettings(bootstrap_servers=kafka_bootstrap))), topic
    )
    ticks = [trade(100.0 + i, T0 + i) for i in range(3)]
    # As a recording may hold them: valid, though not as our encoder writes them.
    lines = [orjson.dumps(dict(reversed(orjson.loads(encode_tick(t)).items()))) for t in ticks]
    assert lines[0] != encode_tick(ticks[0])
    publisher.publish_all(ticks, None, lines)
    assert publisher.flush(30) == 0
    assert read_topic(kafka_bootstrap, topic) == lines


# No broker in these two: the client's own log lines are turned off (log_level 0), because
# queued log events would count in len(producer) beside the messages.


def test_without_a_broker_ticks_wait_and_what_does_not_fit_is_counted_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    nowhere = KafkaSettings(bootstrap_servers=f"127.0.0.1:{free_port()}")
    producer = Producer(producer_config(nowhere, capacity=100) | {"log_level": 0})
    publisher = TickPublisher(producer, "ticks", capacity=100)
    source = "bufferfull"
    batch = Batch(250)
    before = dropped(source)
    publisher.publish_all([trade(100.0, T0 + i, source=source) for i in range(250)], batch)
    publisher.serve_deliveries()
    assert publisher.depth == 200  # 100 in the client's queue, 100 in ours
    assert not publisher.has_room()
    assert dropped(source) - before == 50
    drops = [r for r in caplog.records if r.getMessage() == "tick dropped: buffer full"]
    assert len(drops) == 50
    assert {getattr(r, "source", None) for r in drops} == {source}
    assert batch.unsettled == 200  # the dropped ones are settled, the waiting ones are not
    producer.purge()


def test_a_tick_not_delivered_in_time_waits_to_be_sent_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    nowhere = KafkaSettings(bootstrap_servers=f"127.0.0.1:{free_port()}")
    config = producer_config(nowhere, capacity=100, delivery_timeout_ms=1000)
    producer = Producer(config | {"log_level": 0})
    publisher = TickPublisher(producer, "ticks", capacity=100)
    failures_before = REGISTRY.get_sample_value("producer_delivery_failures_total") or 0.0
    batch = Batch(3)
    source = "resendtest"
    publisher.publish_all([trade(100.0, T0 + i, source=source) for i in range(3)], batch)

    def resent() -> int:
        producer.poll(0.2)  # delivery reports come after message.timeout.ms
        return len(resends(caplog, source))

    wait_until(resent, lambda count: count >= 3, what="three resends", timeout_s=20, interval_s=0)
    failed = (
        REGISTRY.get_sample_value("producer_delivery_failures_total") or 0.0
    ) - failures_before
    assert failed >= 3  # a global counter: clients of other tests may add to it
    assert len(resends(caplog, source)) == 3
    assert (publisher.depth, batch.unsettled) == (3, 3)  # waiting in our queue, not lost
    publisher.serve_deliveries()  # handed to the client again
    assert publisher.depth == 3
    assert len(producer) >= 3
    producer.purge()


def resends(caplog: pytest.LogCaptureFixture, source: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.getMessage() == "tick not delivered; will resend"
        and str(getattr(r, "event_id", "")).startswith(source)
    ]
