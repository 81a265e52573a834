"""One source's life in the producer: start it, backfill what has no history, poll forever.

A configuration error at start is fatal (SourceConfigError propagates); any other
failure is counted, logged with the source and reason, and tried again later.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from coinstream_common.ticks import now_ms
from producer import metrics
from producer.clock import Clock
from producer.progress import CursorTracker
from producer.publisher import TickPublisher
from producer.sources.base import PollResult, Source, SourceError

log = logging.getLogger(__name__)
STARTUP_RETRY_S = 5.0
# A full buffer is checked again this often. The feed serves the delivery reports itself
# meanwhile: waiting for the app's delivery loop (every 0.1 s) made a replay flat out
# stall in 0.1 s steps, and its rate depend on how the two loops happened to line up.
ROOM_CHECK_S = 0.005


class Outlet:
    """Where polled ticks go: rejects counted and logged, the rest published as one batch."""

    def __init__(self, publisher: TickPublisher, tracker: CursorTracker) -> None:
        self.publisher = publisher
        self.tracker = tracker

    def hand_over(self, source: str, result: PollResult, backfilled: Iterable[str] = ()) -> None:
        for invalid in result.rejected:
            metrics.TICKS_REJECTED.labels(source, invalid.field).inc()
            log.warning(
                "tick rejected",
                extra={"source": source, "field": invalid.field, "reason": invalid.reason},
            )
        batch = self.tracker.open(source, len(result.ticks), result.cursors, backfilled)
        self.publisher.publish_all(result.ticks, batch, result.encoded)


class Feed:
    def __init__(
        self,
        source: Source,
        outlet: Outlet,
        *,
        backfill_ms: int,
        clock: Clock,
        now: Callable[[], int] = now_ms,
    ) -> None:
        self.source = source
        self._outlet = outlet
        self._backfill_ms = backfill_ms
        self._clock = clock
        self._now = now

    async def start(self) -> None:
        name, tracker = self.source.name, self._outlet.tracker
        cursors = {
            stream: cursor
            for stream in self.source.streams
            if (cursor := tracker.checkpoint((name, stream)).cursor) is not None
        }
        while True:
            try:
                await self.source.start(cursors)
            except SourceError as error:
                if not error.retryable:
                    raise
                self._log("source not started; retrying", error)
                await self._clock.sleep(max(STARTUP_RETRY_S, error.retry_after_s or 0.0))
                continue
            log.info("source started", extra={"source": name, "resumed": sorted(cursors)})
            return

    async def run(self) -> None:
        """Backfill, then poll until cancelled."""
        await self._backfill()
        while True:
            await self._wait_for_room()
            await self._clock.sleep(await self._poll_once())

    async def _poll_once(self) -> float:
        """Poll and hand over; return how long to wait before the next poll."""
        name, interval = self.source.name, self.source.poll_interval_s
        started = time.perf_counter()
        try:
            result = await self.source.poll()
        except SourceError as error:
            metrics.POLLS.labels(name, error.reason).inc()
            self._log("poll failed", error)
            return max(interval, error.retry_after_s or 0.0)
        metrics.SOURCE_LATENCY.labels(name).observe(time.perf_counter() - started)
        metrics.POLLS.labels(name, "ok").inc()
        self._outlet.hand_over(name, result)
        return interval

    async def _backfill(self) -> None:
        if self._backfill_ms <= 0 or not self.source.supports_history:
            return
        name = self.source.name
        until = self._now()
        for stream in self.source.streams:
            if self._outlet.tracker.checkpoint((name, stream)).backfilled:
                continue
            try:
                result = await self.source.history(stream, until - self._backfill_ms, until)
            except SourceError as error:
                # No marker is saved, so the next start tries again.
                self._log("backfill failed", error, stream)
                continue
            self._outlet.hand_over(name, result, backfilled=[stream])
            log.info(
                "backfill published",
                extra={"source": name, "symbol": stream, "ticks": len(result.ticks)},
            )

    async def _wait_for_room(self) -> None:
        if self._outlet.publisher.has_room():
            return
        log.warning("buffer full; polling paused", extra={"source": self.source.name})
        publisher = self._outlet.publisher
        while True:
            publisher.serve_deliveries()
            if publisher.has_room():
                break
            await self._clock.sleep(ROOM_CHECK_S)
        log.info("polling resumed", extra={"source": self.source.name})

    def _log(self, message: str, error: SourceError, stream: str | None = None) -> None:
        log.log(
            logging.WARNING if error.retryable else logging.ERROR,
            message,
            extra={
                "source": self.source.name,
                "symbol": stream,
                "reason": error.reason,
                "detail": error.detail,
            },
        )
