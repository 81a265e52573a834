"""One producer process, in the test's event loop: ProducerApp on its own Kafka producer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from confluent_kafka import Producer

from coinstream_common.settings import KafkaSettings
from producer.app import AppOptions, ProducerApp
from producer.checkpoint_store import CheckpointStore
from producer.clock import SystemClock
from producer.publisher import TickPublisher, producer_config
from producer.sources.base import Source

OPTIONS = AppOptions(backfill_ms=24 * 3600 * 1000, shutdown_timeout_s=10, delivery_interval_s=0.05)


class ProducerRun:
    def __init__(
        self,
        bootstrap: str,
        topic: str,
        checkpoints: str,
        options: AppOptions = OPTIONS,
        *,
        replication_factor: int = 1,
    ) -> None:
        kafka = KafkaSettings(
            bootstrap_servers=bootstrap, ticks_topic=topic, replication_factor=replication_factor
        )
        producer = Producer(producer_config(kafka) | {"reconnect.backoff.max.ms": 500})
        self.publisher = TickPublisher(producer, topic)
        store = CheckpointStore(
            producer,
            kafka.client_config(),
            checkpoints,
            namespace=topic,
            replication_factor=kafka.replication_factor,
        )
        self.app = ProducerApp(self.publisher, store, options, clock=SystemClock())
        self.stop = asyncio.Event()

    def start(self, sources: Sequence[Source]) -> asyncio.Task[None]:
        return asyncio.create_task(self.app.run(sources, self.stop))
