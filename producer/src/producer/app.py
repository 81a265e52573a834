"""The producer's loop: poll every source on its own schedule and publish what it returns."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from producer import metrics
from producer.publisher import TickPublisher
from producer.sources.base import Source, SourceError

log = logging.getLogger(__name__)
DELIVERY_POLL_S = 0.1
MAX_BACKOFF_S = 300.0


async def _sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def run_source(source: Source, publisher: TickPublisher, stop: asyncio.Event) -> None:
    failures = 0
    while not stop.is_set():
        started = time.perf_counter()
        try:
            result = await source.poll()
        except SourceError as error:
            failures += 1
            delay = min(source.poll_interval_s * 2**failures, MAX_BACKOFF_S)
            metrics.POLLS.labels(source.name, error.reason).inc()
            log.warning(
                "poll failed",
                extra={
                    "source": source.name,
                    "reason": error.reason,
                    "detail": error.detail,
                    "retry_in_s": delay,
                },
            )
            await _sleep_unless_stopped(stop, delay)
            continue
        metrics.SOURCE_LATENCY.labels(source.name).observe(time.perf_counter() - started)
        metrics.POLLS.labels(source.name, "ok").inc()
        failures = 0
        for invalid in result.rejected:
            metrics.TICKS_REJECTED.labels(source.name, invalid.field).inc()
            log.warning("tick rejected", extra={"source": source.name, "reason": str(invalid)})
        for tick in result.ticks:
            publisher.publish(tick)
        await _sleep_unless_stopped(stop, source.poll_interval_s)


async def serve_deliveries(publisher: TickPublisher, stop: asyncio.Event) -> None:
    while not stop.is_set():
        publisher.serve_deliveries()
        await _sleep_unless_stopped(stop, DELIVERY_POLL_S)


async def run(sources: list[Source], publisher: TickPublisher, stop: asyncio.Event) -> None:
    async with asyncio.TaskGroup() as group:
        group.create_task(serve_deliveries(publisher, stop))
        for source in sources:
            group.create_task(run_source(source, publisher, stop))
