"""Run the producer: `python -m producer`. Exit status 2 means a configuration error."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import httpx
from confluent_kafka import Producer
from pydantic import ValidationError

from coinstream_common.logs import configure_logging
from coinstream_common.metrics import serve_metrics
from coinstream_common.settings import KafkaSettings, LogSettings, MetricsSettings
from producer.app import AppOptions, ProducerApp
from producer.build import SourceFactory, build_sources
from producer.checkpoint_store import CheckpointStore
from producer.checkpoint_topic import CheckpointTopicError
from producer.clock import SystemClock
from producer.publisher import TickPublisher, producer_config
from producer.recorder import TickRecorder
from producer.settings import HttpRetrySettings, ProducerSettings
from producer.sources.base import SourceConfigError

log = logging.getLogger("producer")
CONFIG_ERROR_EXIT = 2


async def main() -> int:
    configure_logging(LogSettings().level)
    try:
        await run_producer()
    except ValidationError as error:
        log.critical(
            "configuration error: the producer cannot start",
            extra={"reason": "invalid_settings", "detail": str(error)},
        )
        return CONFIG_ERROR_EXIT
    except SourceConfigError as error:
        log.critical(
            "configuration error: the producer cannot start",
            extra={"reason": error.reason, "detail": error.detail},
        )
        return CONFIG_ERROR_EXIT
    except CheckpointTopicError as error:
        log.critical(
            "configuration error: the producer cannot start",
            extra={"reason": error.reason, "topic": error.topic, "detail": error.detail},
        )
        return CONFIG_ERROR_EXIT
    return 0


async def run_producer() -> None:
    settings, kafka = ProducerSettings(), KafkaSettings()
    serve_metrics(MetricsSettings())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    producer = Producer(
        producer_config(
            kafka,
            capacity=settings.buffer_max_ticks,
            delivery_timeout_ms=settings.delivery_timeout_ms,
        )
    )
    publisher = TickPublisher(producer, kafka.ticks_topic, capacity=settings.buffer_max_ticks)
    store = CheckpointStore(
        producer,
        kafka.client_config(),
        settings.checkpoint_topic,
        namespace=kafka.ticks_topic,
        replication_factor=kafka.replication_factor,
    )
    options = AppOptions(
        backfill_ms=int(settings.backfill_hours * 3600 * 1000),
        shutdown_timeout_s=settings.shutdown_timeout_s,
    )
    recorder = TickRecorder(settings.record_path) if settings.record_path else None
    clock = SystemClock()
    headers = {"User-Agent": settings.user_agent, "Accept": "application/json"}
    try:
        async with httpx.AsyncClient(headers=headers, timeout=settings.http_timeout_s) as client:
            sources = build_sources(
                settings, SourceFactory(client, clock, HttpRetrySettings()), recorder
            )
            log.info(
                "producer starting",
                extra={"sources": [s.name for s in sources], "topic": kafka.ticks_topic},
            )
            await ProducerApp(publisher, store, options, clock=clock).run(sources, stop)
    finally:
        if recorder is not None:
            recorder.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
