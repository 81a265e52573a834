"""The checkpoint topic: checked and read whole at startup, appended to after.

Records are written with the producer that publishes the ticks. Checkpoints that the
client cannot take right now (its queue is full while the broker is away) are kept, the
newest per key, and offered again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient

from producer import metrics
from producer.checkpoint_topic import check_checkpoint_topic
from producer.checkpoints import (
    BadCheckpoint,
    Checkpoint,
    StreamKey,
    decode_checkpoint,
    encode_checkpoint,
    parse_record_key,
    record_key,
)

log = logging.getLogger(__name__)


class CheckpointStore:
    def __init__(
        self,
        producer: Producer,
        client_config: dict[str, Any],
        topic: str,
        namespace: str,
        *,
        replication_factor: int,
    ) -> None:
        self._producer = producer
        self._client_config = client_config
        self._topic = topic
        self._namespace = namespace
        self._replication_factor = replication_factor
        self._unsaved: dict[StreamKey, Checkpoint] = {}

    def check_topic(self, timeout_s: float = 30.0) -> None:
        """Raise CheckpointTopicError if the topic is missing, has fewer replicas than the
        replication factor, or is not compacted; KafkaException if no broker answers."""
        admin = AdminClient(self._client_config)
        check_checkpoint_topic(admin, self._topic, self._replication_factor, timeout_s)

    def load(self, timeout_s: float = 30.0) -> dict[StreamKey, Checkpoint]:
        """The latest checkpoint of every stream of this namespace."""
        consumer = Consumer(
            self._client_config | {"group.id": f"{self._topic}-reader", "enable.auto.commit": False}
        )
        try:
            metadata = consumer.list_topics(self._topic, timeout=timeout_s).topics[self._topic]
            ends = {}
            for partition in metadata.partitions:
                _, high = consumer.get_watermark_offsets(
                    TopicPartition(self._topic, partition), timeout=timeout_s
                )
                if high > 0:
                    ends[partition] = high
            consumer.assign([TopicPartition(self._topic, p, OFFSET_BEGINNING) for p in ends])
            return self._read_until(consumer, ends, timeout_s)
        finally:
            consumer.close()

    def _read_until(
        self, consumer: Consumer, ends: dict[int, int], timeout_s: float
    ) -> dict[StreamKey, Checkpoint]:
        found: dict[StreamKey, Checkpoint] = {}
        deadline = time.monotonic() + timeout_s
        while not self._reached(consumer, ends):
            if time.monotonic() > deadline:
                raise TimeoutError(f"checkpoint topic {self._topic} not read in {timeout_s}s")
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                raise KafkaException(message.error())
            key = parse_record_key(message.key() or b"", self._namespace)
            value = message.value()
            if key is None:
                continue
            if value is None:  # a tombstone: the checkpoint was deleted
                found.pop(key, None)
                continue
            try:
                found[key] = decode_checkpoint(value)
            except BadCheckpoint as error:
                log.warning("checkpoint ignored", extra={"key": key, "reason": str(error)})
        return found

    def _reached(self, consumer: Consumer, ends: dict[int, int]) -> bool:
        # Positions, not the offsets of messages seen: compaction leaves gaps in offsets.
        positions = consumer.position([TopicPartition(self._topic, p) for p in ends])
        return all(tp.offset >= ends[tp.partition] for tp in positions)

    def save(self, key: StreamKey, checkpoint: Checkpoint) -> None:
        self._unsaved[key] = checkpoint
        self.offer()

    def offer(self) -> None:
        """Hand the unsaved checkpoints to the client, as far as its queue takes them."""
        for key, checkpoint in list(self._unsaved.items()):
            try:
                self._producer.produce(
                    self._topic,
                    key=record_key(self._namespace, key),
                    value=encode_checkpoint(checkpoint),
                    on_delivery=self._on_delivery(key, checkpoint),
                )
            except BufferError:
                return
            del self._unsaved[key]

    @property
    def unsaved(self) -> int:
        return len(self._unsaved)

    def _on_delivery(
        self, key: StreamKey, checkpoint: Checkpoint
    ) -> Callable[[KafkaError | None, Message], None]:
        def delivered(error: KafkaError | None, _message: Message) -> None:
            if error is None:
                metrics.CHECKPOINTS_SAVED.labels(key[0]).inc()
                return
            log.warning(
                "checkpoint not delivered; will resend", extra={"error": str(error), "key": key}
            )
            # Unless a newer checkpoint of the stream is already waiting.
            self._unsaved.setdefault(key, checkpoint)

        return delivered
