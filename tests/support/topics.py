"""Creating tick and checkpoint topics, and reading a whole topic back to check what was
published."""

from __future__ import annotations

import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Message, TopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from coinstream_common.ticks import Tick, decode_tick
from devstack.topics import TopicPlan, ensure_topics


def create_tick_topics(bootstrap: str, name: str, partitions: int) -> None:
    """A ticks topic with its `.late` and `.dlq` side topics, as the consumer expects."""
    _create(bootstrap, [NewTopic(name, partitions, 1), *_side_topics(name)])


def create_checkpoint_topic(
    bootstrap: str, name: str, replication_factor: int = 1, min_insync_replicas: int = 1
) -> None:
    """The producer's checkpoint topic, made as `make run` and the topics service make it."""
    plan = TopicPlan({name: 1}, replication_factor, min_insync_replicas, frozenset({name}))
    ensure_topics(bootstrap, plan)


def create_topic(bootstrap: str, name: str, partitions: int = 1) -> None:
    _create(bootstrap, [NewTopic(name, partitions, 1)])


def create_side_topics(bootstrap: str, prefix: str) -> None:
    """`<prefix>.late` and `<prefix>.dlq`: side topics for a second consumer of a topic."""
    _create(bootstrap, _side_topics(prefix))


def _side_topics(prefix: str) -> list[NewTopic]:
    return [NewTopic(f"{prefix}.late", 1, 1), NewTopic(f"{prefix}.dlq", 1, 1)]


def _create(bootstrap: str, topics: list[NewTopic]) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})  # kept alive until the results
    for future in admin.create_topics(topics).values():
        future.result(timeout=30)


def read_messages(bootstrap: str, topic: str, timeout_s: float = 30.0) -> list[Message]:
    """Every message in the topic, up to its end offsets as they are now."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
        }
    )
    try:
        partitions = consumer.list_topics(topic, timeout=timeout_s).topics[topic].partitions
        ends = {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout_s)[1]
            for p in partitions
        }
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in ends])
        messages: list[Message] = []
        seen = dict.fromkeys(ends, 0)
        deadline = time.monotonic() + timeout_s
        while any(seen[p] < ends[p] for p in ends):
            if time.monotonic() > deadline:
                raise TimeoutError(f"read {len(messages)} of {sum(ends.values())} from {topic}")
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                raise KafkaException(message.error())
            seen[message.partition()] = (message.offset() or 0) + 1
            messages.append(message)
        return messages
    finally:
        consumer.close()


def read_topic(bootstrap: str, topic: str, timeout_s: float = 30.0) -> list[bytes]:
    """Every value in the topic, up to its end offsets as they are now."""
    return [message.value() or b"" for message in read_messages(bootstrap, topic, timeout_s)]


def read_ticks(bootstrap: str, topic: str, timeout_s: float = 30.0) -> list[Tick]:
    return [decode_tick(value) for value in read_topic(bootstrap, topic, timeout_s)]
