"""The producer: read checkpoints, start every source (failing fast), run their feeds,
serve deliveries and save checkpoints; on stop, flush everything that is in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from confluent_kafka import KafkaException

from coinstream_common.ticks import now_ms
from producer.checkpoint_store import CheckpointStore
from producer.checkpoints import Checkpoint, StreamKey
from producer.clock import Clock, SystemClock
from producer.feed import Feed, Outlet
from producer.progress import CursorTracker
from producer.publisher import TickPublisher, raise_if_fatal
from producer.sources.base import Source

log = logging.getLogger(__name__)
T = TypeVar("T")
CHECKPOINT_RETRY_S = 5.0


@dataclass(frozen=True)
class AppOptions:
    backfill_ms: int = 24 * 3600 * 1000
    shutdown_timeout_s: float = 10.0
    delivery_interval_s: float = 0.1


class ProducerApp:
    def __init__(
        self,
        publisher: TickPublisher,
        store: CheckpointStore,
        options: AppOptions,
        *,
        clock: Clock | None = None,
        now: Callable[[], int] = now_ms,
    ) -> None:
        self._publisher = publisher
        self._store = store
        self._options = options
        self._clock = clock or SystemClock()
        self._now = now

    async def run(self, sources: Sequence[Source], stop: asyncio.Event) -> None:
        """Run until `stop` is set; raise SourceConfigError if a source cannot work, and
        CheckpointTopicError if the checkpoint topic is missing or made wrong."""
        try:
            saved = await _until_stopped(self._load_checkpoints(), stop)
            tracker, feeds = self._feeds(sources, saved)
            for feed in feeds:
                await _until_stopped(feed.start(), stop)
        except _Stopped:
            return
        tasks = [asyncio.create_task(feed.run(), name=feed.source.name) for feed in feeds]
        tasks.append(asyncio.create_task(self._serve(tracker), name="deliveries"))
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([*tasks, stopping], return_when=asyncio.FIRST_COMPLETED)
        for task in [*tasks, stopping]:
            task.cancel()
        await asyncio.gather(*tasks, stopping, return_exceptions=True)
        self._drain(tracker)
        for task in done - {stopping}:
            # Feeds and the delivery loop only end by failing.
            if (error := task.exception()) is not None:
                raise error

    def _feeds(
        self, sources: Sequence[Source], saved: dict[StreamKey, Checkpoint]
    ) -> tuple[CursorTracker, list[Feed]]:
        tracker = CursorTracker(saved)
        outlet = Outlet(self._publisher, tracker)
        options = self._options
        return tracker, [
            Feed(s, outlet, backfill_ms=options.backfill_ms, clock=self._clock, now=self._now)
            for s in sources
        ]

    async def _load_checkpoints(self) -> dict[StreamKey, Checkpoint]:
        """Wait for the brokers to answer; a checkpoint topic that is missing or made wrong
        raises CheckpointTopicError, which no wait would mend."""
        while True:
            try:
                await asyncio.to_thread(self._store.check_topic)
                saved = await asyncio.to_thread(self._store.load)
            except (KafkaException, TimeoutError) as error:
                log.warning("checkpoints not readable; retrying", extra={"error": str(error)})
                await self._clock.sleep(CHECKPOINT_RETRY_S)
                continue
            log.info("checkpoints loaded", extra={"streams": len(saved)})
            return saved

    async def _serve(self, tracker: CursorTracker) -> None:
        while True:
            self._publisher.serve_deliveries()
            raise_if_fatal(self._publisher)
            self._save(tracker)
            await self._clock.sleep(self._options.delivery_interval_s)

    def _save(self, tracker: CursorTracker) -> None:
        for key, checkpoint in tracker.settled():
            self._store.save(key, checkpoint)
        self._store.offer()

    def _drain(self, tracker: CursorTracker) -> None:
        """Deliver what is in flight, then checkpoint what it settled, then deliver that."""
        timeout = self._options.shutdown_timeout_s
        self._publisher.flush(timeout)
        self._save(tracker)
        undelivered = self._publisher.flush(timeout)
        log.info(
            "producer stopped",
            extra={
                "undelivered": undelivered,
                "unsettled_batches": tracker.unsettled,
                "unsaved_checkpoints": self._store.unsaved,
            },
        )


class _Stopped(Exception):
    """`stop` was set while the producer was still starting."""


async def _until_stopped(work: Coroutine[Any, Any, T], stop: asyncio.Event) -> T:
    """Await `work` unless `stop` is set first; then cancel it and raise _Stopped."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait([task, stopping], return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    raise _Stopped
