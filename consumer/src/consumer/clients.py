"""The consumer's Kafka client settings, and the consumer put together as it runs."""

from __future__ import annotations

from typing import Any

from confluent_kafka import Consumer, Producer
from pymongo.database import Database

from coinstream_common.mongo import Document
from coinstream_common.settings import KafkaSettings, topic_reader_config
from consumer.app import CandleConsumer
from consumer.settings import ConsumerSettings
from consumer.side_outputs import SideOutputs
from consumer.storage import ConsumerStore


def consumer_config(kafka: KafkaSettings, settings: ConsumerSettings) -> dict[str, Any]:
    return topic_reader_config(kafka, settings.group_id, settings.session_timeout_ms) | {
        # The end of a partition, reached, is what lets wall time run its log clock on
        # (consumer/partition_clock.py).
        "enable.partition.eof": True,
    }


def side_output_config(kafka: KafkaSettings) -> dict[str, Any]:
    return kafka.client_config() | {
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        # Only failures need a callback; one per late tick cost a Python call each.
        "delivery.report.only.error": True,
    }


def build_consumer(
    kafka: KafkaSettings, settings: ConsumerSettings, db: Database[Document]
) -> CandleConsumer:
    """The consumer with its Kafka clients and its store, as `python -m consumer` runs it."""
    store = ConsumerStore(db)
    store.prepare()
    side_outputs = SideOutputs(
        Producer(side_output_config(kafka)),
        late_topic=settings.late_topic,
        dead_letter_topic=settings.dead_letter_topic,
    )
    return CandleConsumer(Consumer(consumer_config(kafka, settings)), store, side_outputs, settings)
