"""Run the consumer: `python -m consumer`."""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
import time

from confluent_kafka.admin import AdminClient

from coinstream_common.logs import configure_logging
from coinstream_common.metrics import serve_metrics
from coinstream_common.mongo import connect, database
from coinstream_common.settings import KafkaSettings, LogSettings, MetricsSettings, MongoSettings
from coinstream_common.shutdown import exit_after_grace
from consumer.clients import build_consumer
from consumer.settings import ConsumerSettings

log = logging.getLogger("consumer")
TOPIC_CHECK_TIMEOUT_S = 30.0
# The per-message path allocates tracked objects on every tick (each Kafka message is
# one), so Python's default (a young-generation collection every 700) collected every
# few hundred ticks. At 50,000 the collector still took 6-8 % of the consumer's thread
# (py-spy --native), inside consume(): each collection walks the batches alive then.
# At 500,000: 242k msgs/s against 211k, median of 3 paired runs of 1M ticks.
GC_THRESHOLDS = (500_000, 50, 100)


def missing_topics(kafka: KafkaSettings, topics: list[str]) -> list[str]:
    existing = AdminClient(kafka.client_config()).list_topics(timeout=TOPIC_CHECK_TIMEOUT_S).topics
    return [t for t in topics if t not in existing]


def request_stop(stop: threading.Event, requested: list[float]) -> None:
    """A stop writes and commits what the consumer holds, unless a stalled database makes
    that take longer than the grace: what was not committed is read again at next start."""
    if not stop.is_set():
        requested.append(time.monotonic())
        stop.set()
        exit_after_grace()


def main() -> int:
    configure_logging(LogSettings().level)
    gc.set_threshold(*GC_THRESHOLDS)
    kafka, mongo, settings = KafkaSettings(), MongoSettings(), ConsumerSettings()
    topics = [kafka.ticks_topic, settings.late_topic, settings.dead_letter_topic]
    if missing := missing_topics(kafka, topics):
        log.error(
            "topics missing; create them first (compose's topics service does)",
            extra={"missing": missing},
        )
        return 2
    serve_metrics(MetricsSettings())
    stop = threading.Event()
    requested: list[float] = []  # when the stop was asked for, logged with its end
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: request_stop(stop, requested))

    client = connect(mongo, "coinstream-consumer", operation_timeout_ms=settings.db_timeout_ms)
    consumer = build_consumer(kafka, settings, database(client, mongo))
    log.info(
        "consumer starting",
        extra={
            "topic": kafka.ticks_topic,
            "group": settings.group_id,
            "intervals": settings.intervals,
        },
    )
    try:
        consumer.run(kafka.ticks_topic, stop)
    finally:
        client.close()
    # A restart's time splits into this stop, the start, joining and restoring.
    took_s = time.monotonic() - requested[0] if requested else 0.0
    log.info("consumer stopped", extra={"stop_s": round(took_s, 3)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
