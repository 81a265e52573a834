"""The consumer's I/O shell: Kafka in, Mongo out, offsets committed only after the write."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from confluent_kafka import Consumer, KafkaError, Message, TopicPartition
from pymongo.errors import PyMongoError

from coinstream_common.mongo import CandleRepository
from coinstream_common.settings import KafkaSettings
from coinstream_common.ticks import InvalidTick, Tick, decode_tick
from consumer import metrics
from consumer.accumulator import to_epoch_ms
from consumer.aggregator import WindowAggregator
from consumer.settings import ConsumerSettings

log = logging.getLogger(__name__)
MAX_RETRY_DELAY_S = 10.0


def consumer_config(kafka: KafkaSettings, settings: ConsumerSettings) -> dict[str, Any]:
    return kafka.client_config() | {
        "group.id": settings.group_id,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        # librdkafka pauses fetching for 1 s whenever its queue fills; we never want that.
        "fetch.queue.backoff.ms": 0,
    }


class CandleConsumer:
    def __init__(
        self,
        consumer: Consumer,
        repository: CandleRepository,
        settings: ConsumerSettings,
    ) -> None:
        self._consumer = consumer
        self._repository = repository
        self._settings = settings
        self._intervals = settings.interval_set
        self._aggregator = WindowAggregator(self._intervals, settings.allowed_lateness_ms)
        # Next offset to commit per (topic, partition), covering everything handled so far.
        self._pending: dict[tuple[str, int], int] = {}

    def run(self, topic: str, stop: threading.Event) -> None:
        self._consumer.subscribe([topic], on_revoke=self._on_revoke)
        flush_every = self._settings.flush_interval_ms / 1000
        next_flush = time.monotonic() + flush_every
        try:
            while not stop.is_set():
                for message in self._consumer.consume(self._settings.batch_size, timeout=0.1):
                    self._handle(message)
                if time.monotonic() >= next_flush:
                    self._flush(stop)
                    next_flush = time.monotonic() + flush_every
            self._flush(stop)
        finally:
            self._consumer.close()

    def _handle(self, message: Message) -> None:
        error = message.error()
        if error is not None:
            if error.code() != KafkaError._PARTITION_EOF:
                log.warning("kafka error", extra={"error": str(error)})
            return
        metrics.MESSAGES_CONSUMED.inc()
        topic, partition, offset = message.topic(), message.partition(), message.offset()
        if topic is None or partition is None or offset is None:
            return  # only error events lack these, and those were handled above
        self._pending[(topic, partition)] = offset + 1
        try:
            tick = decode_tick(message.value() or b"")
        except InvalidTick as invalid:
            metrics.TICKS_INVALID.labels(invalid.field).inc()
            log.warning(
                "invalid tick",
                extra={
                    "reason": str(invalid),
                    "partition": partition,
                    "offset": offset,
                },
            )
            return
        self._apply(tick)

    def _apply(self, tick: Tick) -> None:
        if not self._aggregator.has_series(tick.source, tick.symbol):
            self._restore(tick.source, tick.symbol)
        late = self._aggregator.apply(tick)
        for interval in late:
            metrics.TICKS_LATE.labels(interval.value).inc()
        if len(late) < len(self._intervals):
            metrics.TICKS_APPLIED.inc()

    def _restore(self, source: str, symbol: str) -> None:
        """Pick up a series where the stored candles left it (after a restart or rebalance)."""
        newest = self._repository.latest(source, symbol, self._intervals[0])
        max_event_time = None if newest is None else to_epoch_ms(newest.last_event_time)
        open_candles = self._repository.find_open(source, symbol)
        self._aggregator.restore(source, symbol, open_candles, max_event_time)

    def _flush(self, stop: threading.Event) -> None:
        started = time.perf_counter()
        candles = self._aggregator.drain()
        delay = 0.5
        while True:
            try:
                self._repository.upsert_many(candles)
                break
            except PyMongoError as error:
                metrics.WRITE_FAILURES.inc()
                log.warning(
                    "candle write failed, retrying",
                    extra={"error": str(error), "retry_in_s": delay},
                )
                if stop.wait(delay):
                    raise
                delay = min(delay * 2, MAX_RETRY_DELAY_S)
        metrics.CANDLES_WRITTEN.inc(len(candles))
        if self._pending:
            offsets = [TopicPartition(t, p, o) for (t, p), o in self._pending.items()]
            self._consumer.commit(offsets=offsets, asynchronous=False)
            self._pending.clear()
        metrics.FLUSH_SECONDS.observe(time.perf_counter() - started)

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Write and commit what is held before the partitions move to another consumer."""
        del consumer, partitions
        self._flush(threading.Event())
        self._aggregator = WindowAggregator(self._intervals, self._settings.allowed_lateness_ms)
