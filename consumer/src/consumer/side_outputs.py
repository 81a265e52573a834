"""Messages the consumer passes on instead of applying: dead letters and late ticks.

Both keep the original bytes, key, partition and offset, with the reason in headers,
so nothing that arrived is lost and each can be replayed or inspected.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from confluent_kafka import KafkaError, Message, Producer

from coinstream_common.intervals import Interval
from consumer import metrics

log = logging.getLogger(__name__)


class SideOutputs:
    def __init__(self, producer: Producer, *, late_topic: str, dead_letter_topic: str) -> None:
        self._producer = producer
        self._late_topic = late_topic
        self._dead_letter_topic = dead_letter_topic
        self.failures = 0
        # Resolved once: labels() took 1.6 µs per call, and a late tick made one per interval.
        self._late_counters = {i: metrics.TICKS_LATE.labels(i.value) for i in Interval}

    def dead_letter(self, message: Message, field: str, reason: str) -> None:
        metrics.DEAD_LETTERED.labels(field).inc()
        log.warning(
            "dead-lettered",
            extra={"reason": reason, "partition": message.partition(), "offset": message.offset()},
        )
        self._send(self._dead_letter_topic, message, {"reason": reason, "field": field})

    def late(self, message: Message, intervals: Sequence[Interval], watermark: int) -> None:
        for interval in intervals:
            self._late_counters[interval].inc()
        headers = {
            "reason": "late",
            "intervals": ",".join(i.value for i in intervals),
            "watermark": str(watermark),
        }
        self._send(self._late_topic, message, headers)

    def _send(self, topic: str, message: Message, headers: dict[str, str]) -> None:
        origin = {
            "source_topic": message.topic() or "",
            "source_partition": str(message.partition()),
            "source_offset": str(message.offset()),
        }
        self._producer.produce(
            topic,
            key=message.key(),
            value=message.value(),
            headers=list((headers | origin).items()),
            on_delivery=self._on_delivery,
        )

    def flush(self, timeout_s: float) -> bool:
        """Wait for every side output to be acknowledged; False if some were not (yet)."""
        remaining: int = self._producer.flush(timeout_s)
        failed, self.failures = self.failures, 0
        return remaining == 0 and failed == 0

    def _on_delivery(self, error: KafkaError | None, message: Message) -> None:
        if error is not None:
            self.failures += 1
            log.error(
                "side output not delivered", extra={"topic": message.topic(), "error": str(error)}
            )
