"""The alerter's I/O shell for price rules: ticks in, alerts stored, published, committed;
and the composite index published as ticks (index_feed.py).

Per flush: store the events (idempotent writes, repository.py), publish what the outbox
holds, wait for the index ticks to be acknowledged, then commit the offsets, each with
its partition's newest message time as the commit's metadata, which tells a restart how
far back to read to rebuild the windows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial

from confluent_kafka import (
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)

from alerter import metrics
from alerter.index_feed import IndexFeed
from alerter.price_alerts import PriceAlerts
from alerter.repository import PUBLISHED, AlertRepository
from alerter.rules import PriceCrossRule, PriceMoveRule, PriceRule, Rule
from alerter.settings import AlerterSettings
from alerter.trigger import AlertEvent
from coinstream_common.alerts import AlertRecord, encode_alert
from coinstream_common.ticks import DECODE_ERRORS, TICK_DECODER

log = logging.getLogger(__name__)
KAFKA_TIMEOUT_S = 10.0
OUTBOX_BATCH = 1000


def price_rules(rules: Sequence[Rule]) -> list[PriceRule]:
    return [rule for rule in rules if isinstance(rule, PriceMoveRule | PriceCrossRule)]


class PriceAlerter:
    def __init__(
        self,
        consumer: Consumer,
        producer: Producer,
        repository: AlertRepository,
        rules: Sequence[Rule],
        settings: AlerterSettings,
        *,
        on_stored: Callable[[], None] = lambda: None,
        index: IndexFeed | None = None,
    ) -> None:
        self._consumer, self._producer = consumer, producer
        self._on_stored = on_stored
        self._index = index
        self._repository = repository
        self._rules = {rule.name: rule for rule in rules}
        self._price_rules = price_rules(rules)
        self._settings = settings
        longest = max(
            (r.window_s for r in self._price_rules if isinstance(r, PriceMoveRule)), default=0
        )
        # What a restart reads again must rebuild the windows and the index's prices.
        index_age_s = index.max_age_ms / 1000 if index is not None else 0
        self._warm_ms = round((max(2 * longest, index_age_s) + settings.warm_margin_s) * 1000)
        self._alerts = PriceAlerts(self._price_rules)
        self._topic = ""
        self._positions: dict[int, int] = {}  # next offset to commit, per partition
        self._stamps: dict[int, int] = {}  # newest message time read, per partition
        self._warm_until: dict[int, int] = {}  # offsets below are read again, not evaluated
        self._pending: list[AlertEvent] = []
        self._outbox_due = True

    def outbox_due(self) -> None:
        """Transitions were stored elsewhere (the health watch): publish at the next flush."""
        self._outbox_due = True

    def run(self, topic: str, stop: threading.Event) -> None:
        self._topic = topic
        self._consumer.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke)
        interval = self._settings.flush_interval_ms / 1000
        last_flush = time.monotonic()
        try:
            while not stop.is_set():
                messages = self._consumer.consume(self._settings.batch_size, timeout=0.1)
                if messages:
                    self._handle(messages)
                if time.monotonic() - last_flush >= interval:
                    self._flush()
                    last_flush = time.monotonic()
            self._flush()
        finally:
            self._consumer.close()
            self._producer.flush(KAFKA_TIMEOUT_S)

    def _handle(self, messages: list[Message]) -> None:
        observe, decode, index = self._alerts.observe, TICK_DECODER.decode, self._index
        warm_until = self._warm_until
        newest: dict[int, Message] = {}  # the last message read per partition, not warm
        invalid = 0
        for message in messages:
            error = message.error()
            if error is not None:
                if error.code() != KafkaError._PARTITION_EOF:
                    log.warning("kafka error", extra={"error": str(error)})
                continue
            partition, offset = message.partition() or 0, message.offset() or 0
            # Read again to rebuild windows: evaluated before, and committed already.
            warm = offset < warm_until.get(partition, 0)
            if not warm:
                newest[partition] = message
            try:
                tick = decode(message.value() or b"")
            except DECODE_ERRORS:
                invalid += 1  # the candle consumer dead-letters it; here it only counts
                continue
            if index is not None:
                index.take(tick, partition, offset, warm=warm)
            events = observe(
                tick.source, tick.symbol, tick.event_time, tick.price, offset, warm=warm
            )
            if events:
                self._pending += events
        for partition, message in newest.items():
            self._positions[partition] = (message.offset() or 0) + 1
            # The commit's metadata: how far back a restart reads (its partition's messages
            # are in produce order, so the last one's time is about the newest).
            self._stamps[partition] = max(self._stamps.get(partition, -1), message.timestamp()[1])
        metrics.TICKS_READ.inc(len(messages))
        metrics.TICKS_INVALID.inc(invalid)

    def _flush(self) -> None:
        began = time.monotonic()
        if self._pending:
            self._repository.store(self._pending, self._rules)
            for event in self._pending:
                metrics.EVENTS.labels(event.state).inc()
                log.info(
                    "alert raised" if event.state == "active" else "alert resolved",
                    extra={"alert_id": event.alert_id, "value": event.value, "at_ms": event.at_ms},
                )
            self._pending = []
            self._outbox_due = True
            self._on_stored()
        if self._outbox_due:
            self._publish_outbox()
        if self._index is not None and not self._index.delivered(KAFKA_TIMEOUT_S):
            log.warning("index ticks not acknowledged; offsets not committed yet")
        elif self._positions:
            offsets = [
                TopicPartition(self._topic, p, position, metadata=str(self._stamps.get(p, -1)))
                for p, position in self._positions.items()
            ]
            self._positions = {}
            try:
                self._consumer.commit(offsets=offsets, asynchronous=False)
            except KafkaException as error:
                # Read again by whoever owns the partition next: stored events are not
                # stored twice (repository.py), settled triggers skip their ticks.
                log.warning("offsets not committed", extra={"error": str(error)})
        metrics.FLUSH_SECONDS.observe(time.monotonic() - began)

    def _publish_outbox(self) -> None:
        records = self._repository.outbox(PUBLISHED, OUTBOX_BATCH)
        delivered: list[AlertRecord] = []
        for record in records:
            self._producer.produce(
                self._settings.topic,
                encode_alert(record),
                record.id,
                on_delivery=partial(_delivered, delivered, record),
            )
        left = self._producer.flush(KAFKA_TIMEOUT_S)
        self._repository.sent(PUBLISHED, delivered)
        # Anything not delivered, or beyond this batch, goes at the next flush.
        self._outbox_due = left > 0 or len(delivered) < len(records) or len(records) == OUTBOX_BATCH

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Resume every trigger from its last stored event, and read each partition again
        from far enough before its committed offset to rebuild the windows."""
        self._alerts = PriceAlerts(self._price_rules)
        self._alerts.restore(self._repository.last_events())
        if self._index is not None:
            self._index.reset()
        self._warm_until = {}
        committed = consumer.committed(partitions, timeout=KAFKA_TIMEOUT_S)
        lookups = [
            TopicPartition(tp.topic, tp.partition, int(tp.metadata) - self._warm_ms)
            for tp in committed
            if tp.offset >= 0 and tp.metadata and int(tp.metadata) >= 0
        ]
        found = consumer.offsets_for_times(lookups, timeout=KAFKA_TIMEOUT_S) if lookups else []
        starts = {tp.partition: tp.offset for tp in found if tp.offset >= 0}
        for tp in committed:
            if tp.offset >= 0:
                self._warm_until[tp.partition] = tp.offset
                tp.offset = min(starts.get(tp.partition, tp.offset), tp.offset)
        consumer.assign(committed)
        log.info(
            "partitions assigned",
            extra={
                "partitions": [tp.partition for tp in committed],
                # Messages read again before each committed offset, by partition.
                "read_again": {
                    str(p): until - starts.get(p, until) for p, until in self._warm_until.items()
                },
            },
        )

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Store and commit what was read before the partitions move on (or are lost: the
        commit then fails, and the next owner reads them again, which is safe)."""
        del consumer, partitions
        self._flush()


def _delivered(
    delivered: list[AlertRecord], record: AlertRecord, error: KafkaError | None, _: Message
) -> None:
    if error is None:
        delivered.append(record)
    else:
        log.warning(
            "alert not published; retried", extra={"alert_id": record.id, "error": str(error)}
        )
