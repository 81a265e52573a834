"""Publishes ticks to Kafka: idempotent, acks=all, keyed by symbol, every delivery checked.

The Kafka client's queue holds what is on its way (bounded by `capacity`); a tick the
queue cannot take, or one whose delivery failed, waits in our own queue of the same
bound and is sent again. Only what fits in neither is dropped, and that is counted and
logged. Each tick may belong to a Batch, which learns when all its ticks are settled.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Sequence
from functools import partial
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from coinstream_common.settings import KafkaSettings
from coinstream_common.ticks import Tick, decode_tick, encode_tick
from producer import metrics

log = logging.getLogger(__name__)


def producer_config(
    kafka: KafkaSettings, *, capacity: int = 100_000, delivery_timeout_ms: int = 300_000
) -> dict[str, Any]:
    return kafka.client_config() | {
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 20,
        "compression.type": "lz4",
        "queue.buffering.max.messages": capacity,
        # How long the client retries a tick before reporting it undelivered (then we resend).
        "message.timeout.ms": delivery_timeout_ms,
    }


class Batch:
    """Ticks handed over together; settled once each is delivered or dropped."""

    __slots__ = ("unsettled",)

    def __init__(self, size: int) -> None:
        self.unsettled = size

    @property
    def settled(self) -> bool:
        return self.unsettled == 0


class TickPublisher:
    def __init__(self, producer: Producer, topic: str, *, capacity: int = 100_000) -> None:
        self._producer = producer
        self._topic = topic
        self._capacity = capacity
        # Encoded ticks the client's queue could not take, or whose delivery failed.
        self._waiting: deque[tuple[bytes, bytes, Batch | None]] = deque()
        self._acknowledged = 0  # since the metric was last updated
        # Our own count: the client's len() also counts queued events (logs, errors).
        self._in_flight = 0
        self.fatal: KafkaError | None = None

    @property
    def depth(self) -> int:
        """Ticks not yet acknowledged: in the client's queue or in flight, and ours waiting."""
        return self._in_flight + len(self._waiting)

    def has_room(self, share: float = 0.5) -> bool:
        """Whether sources should fetch more; below `share` of capacity, so a poll's ticks fit."""
        return self.depth < self._capacity * share

    def publish(self, tick: Tick, batch: Batch | None = None) -> None:
        self.publish_all((tick,), batch)

    def publish_all(
        self,
        ticks: Sequence[Tick],
        batch: Batch | None = None,
        encoded: Sequence[bytes] | None = None,
    ) -> None:
        """Hand ticks over in their order; metrics are counted per call, not per tick.
        `encoded`, when a source holds the ticks' JSON already (a recording), is published
        as it is: the consumer validates those bytes as it would ours.

        The loop is the producer's hot path (replay and backfill go through it flat out):
        one delivery callback serves the whole call (a failed tick is resent from the
        message the report carries), and the client's method is looked up once, instead
        of a partial() and a method call per tick."""
        for source, count in Counter(t.source for t in ticks).items():
            metrics.TICKS_PUBLISHED.labels(source).inc(count)
        for source, count in Counter(t.source for t in ticks if t.backfill).items():
            metrics.TICKS_BACKFILLED.labels(source).inc(count)
        produce, topic = self._producer.produce, self._topic
        on_delivery = partial(self._delivered, batch)
        sent = 0
        values = map(encode_tick, ticks) if encoded is None else encoded
        for tick, value in zip(ticks, values, strict=True):
            key = tick.symbol.encode()
            # Behind ticks already waiting, to keep each symbol's order.
            if not self._waiting:
                try:
                    produce(topic, value, key, on_delivery=on_delivery)
                except BufferError:
                    pass
                else:
                    sent += 1
                    continue
            self._wait(key, value, batch, tick.source)
        self._in_flight += sent

    def serve_deliveries(self) -> None:
        """Run due delivery callbacks, then resend what waits, without blocking."""
        self._producer.poll(0)
        while self._waiting and self._resend(*self._waiting[0]):
            self._waiting.popleft()
        metrics.TICKS_DELIVERED.inc(self._acknowledged)
        self._acknowledged = 0
        metrics.BUFFER_DEPTH.set(self.depth)

    def flush(self, timeout_s: float) -> int:
        """Wait for outstanding deliveries (ticks, and any other record this client sent);
        return how many ticks are still unacknowledged."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.serve_deliveries()
            left = deadline - time.monotonic()
            if left <= 0 or (self._producer.flush(min(left, 0.5)) == 0 and not self._waiting):
                break
        self.serve_deliveries()
        return self.depth

    def _resend(self, key: bytes, value: bytes, batch: Batch | None) -> bool:
        try:
            self._producer.produce(
                self._topic, value, key, on_delivery=partial(self._delivered, batch)
            )
        except BufferError:
            return False
        self._in_flight += 1
        return True

    def _wait(self, key: bytes, value: bytes, batch: Batch | None, source: str) -> None:
        if len(self._waiting) < self._capacity:
            self._waiting.append((key, value, batch))
            return
        metrics.TICKS_DROPPED.labels(source).inc()
        log.error(
            "tick dropped: buffer full",
            extra={
                "source": source,
                "event_id": decode_tick(value).event_id,
                "capacity": self._capacity,
            },
        )
        if batch is not None:
            batch.unsettled -= 1

    def _delivered(self, batch: Batch | None, error: KafkaError | None, message: Message) -> None:
        self._in_flight -= 1
        if error is None:
            self._acknowledged += 1
            if batch is not None:
                batch.unsettled -= 1
            return
        metrics.DELIVERY_FAILURES.inc()
        if error.fatal():
            self.fatal = error
        # Ours, as publish_all encoded them (never None); only the failure path reads them.
        key, value = message.key() or b"", message.value() or b""
        tick = decode_tick(value)
        log.warning(
            "tick not delivered; will resend",
            extra={"error": str(error), "event_id": tick.event_id, "fatal": error.fatal()},
        )
        self._wait(key, value, batch, tick.source)


def raise_if_fatal(publisher: TickPublisher) -> None:
    """A fatal client error (the idempotent producer's state is lost): the process must restart."""
    if publisher.fatal is not None:
        raise KafkaException(publisher.fatal)
