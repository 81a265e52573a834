"""Run the real consumer against the real servers, in a thread, for integration tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from confluent_kafka import Consumer, Message, Producer
from prometheus_client import REGISTRY
from pymongo.database import Database

from coinstream_common.mongo import Document
from coinstream_common.settings import KafkaSettings
from coinstream_common.ticks import Tick
from consumer.clients import build_consumer
from consumer.settings import ConsumerSettings
from producer.publisher import TickPublisher, producer_config


def publish(bootstrap: str, topic: str, ticks: Iterable[Tick], raw: Iterable[bytes] = ()) -> None:
    """Publish through the producer's own publisher; `raw` messages go out as they are."""
    producer = Producer(producer_config(KafkaSettings(bootstrap_servers=bootstrap)))
    publisher = TickPublisher(producer, topic)
    for tick in ticks:
        publisher.publish(tick)
    for message in raw:
        producer.produce(topic, key=b"BTC-USD", value=message)
    assert publisher.flush(30) == 0, "the broker did not acknowledge every tick"


@contextmanager
def running_consumer(
    bootstrap: str, topic: str, group: str, db: Database[Document], **overrides: object
) -> Iterator[threading.Thread]:
    """The consumer of `topic`; its side outputs go to `<topic>.late` and `<topic>.dlq`."""
    settings = ConsumerSettings.model_validate(
        {
            "group_id": group,
            "flush_interval_ms": 100,
            "late_topic": f"{topic}.late",
            "dead_letter_topic": f"{topic}.dlq",
            **overrides,
        }
    )
    kafka = KafkaSettings(bootstrap_servers=bootstrap, ticks_topic=topic)
    consumer = build_consumer(kafka, settings, db)
    stop = threading.Event()
    errors: list[BaseException] = []

    def target() -> None:
        try:
            consumer.run(topic, stop)
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)

    thread = threading.Thread(target=target, name="consumer", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive(), "the consumer did not stop"
    assert not errors, f"the consumer failed: {errors[0]!r}"


def flushes_written() -> float:
    """Flushes this process's consumers have written so far (each even when it held nothing)."""
    return REGISTRY.get_sample_value("consumer_flush_seconds_count") or 0.0


def messages_consumed() -> float:
    """Messages this process's consumers have read from their topics so far."""
    return REGISTRY.get_sample_value("consumer_messages_consumed_total") or 0.0


def read_topic(bootstrap: str, topic: str, count: int, timeout_s: float = 30.0) -> list[Message]:
    """The first `count` messages of `topic`, from the beginning."""
    reader = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{topic}-{time.monotonic_ns()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    reader.subscribe([topic])
    messages: list[Message] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(messages) < count and time.monotonic() < deadline:
            message = reader.poll(0.2)
            if message is not None and message.error() is None:
                messages.append(message)
    finally:
        reader.close()
    return messages


def headers_of(message: Message) -> dict[str, str]:
    headers = message.headers() or []
    pairs = headers.items() if isinstance(headers, dict) else headers
    return {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in pairs}
