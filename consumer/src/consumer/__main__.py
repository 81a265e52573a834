"""Run the consumer: `python -m consumer`."""

from __future__ import annotations

import logging
import signal
import threading

from confluent_kafka import Consumer

from coinstream_common.logs import configure_logging
from coinstream_common.metrics import serve_metrics
from coinstream_common.mongo import CandleRepository, connect, database
from coinstream_common.settings import KafkaSettings, LogSettings, MetricsSettings, MongoSettings
from consumer.app import CandleConsumer, consumer_config
from consumer.settings import ConsumerSettings


def main() -> None:
    configure_logging(LogSettings().level)
    kafka, mongo, settings = KafkaSettings(), MongoSettings(), ConsumerSettings()
    serve_metrics(MetricsSettings())
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    client = connect(mongo, app_name="coinstream-consumer")
    repository = CandleRepository(database(client, mongo))
    repository.ensure_indexes()
    consumer = Consumer(consumer_config(kafka, settings))
    logging.getLogger(__name__).info(
        "consumer starting",
        extra={
            "topic": kafka.ticks_topic,
            "group": settings.group_id,
            "intervals": settings.intervals,
        },
    )
    try:
        CandleConsumer(consumer, repository, settings).run(kafka.ticks_topic, stop)
    finally:
        client.close()


if __name__ == "__main__":
    main()
