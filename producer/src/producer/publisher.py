"""Publishes ticks to Kafka: idempotent, acks=all, keyed by symbol, every delivery checked."""

from __future__ import annotations

import logging
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from coinstream_common.settings import KafkaSettings
from coinstream_common.ticks import Tick, encode_tick
from producer import metrics

log = logging.getLogger(__name__)


def producer_config(kafka: KafkaSettings) -> dict[str, Any]:
    return kafka.client_config() | {
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 20,
        "compression.type": "lz4",
    }


class TickPublisher:
    def __init__(self, producer: Producer, topic: str) -> None:
        self._producer = producer
        self._topic = topic

    def publish(self, tick: Tick) -> None:
        self._producer.produce(
            self._topic,
            key=tick.symbol.encode(),
            value=encode_tick(tick),
            on_delivery=self._on_delivery,
        )
        metrics.TICKS_PUBLISHED.labels(tick.source).inc()
        self.serve_deliveries()

    def serve_deliveries(self) -> None:
        """Run delivery callbacks that are due, without waiting."""
        self._producer.poll(0)
        metrics.BUFFER_DEPTH.set(len(self._producer))

    def flush(self, timeout_s: float) -> int:
        """Wait for outstanding deliveries; return how many are still unacknowledged."""
        remaining: int = self._producer.flush(timeout_s)
        metrics.BUFFER_DEPTH.set(remaining)
        return remaining

    @staticmethod
    def _on_delivery(error: KafkaError | None, message: Message) -> None:
        if error is None:
            metrics.TICKS_DELIVERED.inc()
            return
        metrics.DELIVERY_FAILURES.inc()
        log.error(
            "tick not delivered",
            extra={"error": str(error), "key": (message.key() or b"").decode(errors="replace")},
        )
