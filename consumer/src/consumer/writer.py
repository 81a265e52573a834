"""Flushes written to Mongo on a thread of their own; offsets committed once written.

While one flush is written, the consumer folds the next messages, so the server's work
overlaps the consumer's. Order is kept by having one write in flight at most: the next
flush is drained only once the last is written, so a snapshot never overtakes the candles
it covers, and offsets are committed only after the write that covers them. A failed
write is retried on the consumer's thread, which consumes nothing meanwhile (see
docs/consumer.md).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from confluent_kafka import Consumer, KafkaException, TopicPartition
from pymongo.errors import PyMongoError

from consumer import metrics
from consumer.series import SeriesFlush
from consumer.side_outputs import SideOutputs
from consumer.storage import ConsumerStore

log = logging.getLogger(__name__)
MAX_RETRY_DELAY_S = 10.0
SIDE_OUTPUT_TIMEOUT_S = 30.0


class SideOutputsUnacknowledged(Exception):
    """The broker has not acknowledged every late or dead-letter record: nothing is written."""


WRITE_ERRORS = (PyMongoError, SideOutputsUnacknowledged)


@dataclass
class FlushJob:
    flushes: list[SeriesFlush]
    # Per partition, the next offset to commit once the flushes are written.
    positions: dict[int, int]
    drained_at: float  # wall clock, for the watermark-delay metric
    started: float = field(default_factory=time.perf_counter)


def partition_lags(consumer: Consumer, topic: str, positions: Mapping[int, int]) -> dict[int, int]:
    """Messages behind each partition's end, by the client's cached end offsets."""
    lags = {}
    for partition, position in positions.items():
        _, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), cached=True)
        if high >= 0:
            lags[partition] = max(0, high - position)
    return lags


class FlushWriter:
    def __init__(
        self,
        consumer: Consumer,
        store: ConsumerStore,
        side_outputs: SideOutputs,
        on_pause: Callable[[], None] = lambda: None,
    ) -> None:
        self._consumer = consumer
        self._on_pause = on_pause
        self._store = store
        self._side = side_outputs
        # Set by the consumer's run(), like its own.
        self.topic = ""
        self.stop = threading.Event()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mongo-writer")
        self._in_flight: tuple[FlushJob, Future[None]] | None = None
        # A job whose write failed: retried before anything else is written.
        self.failed: FlushJob | None = None
        self._gave_up = False  # on the failed job, to stop

    @property
    def busy(self) -> bool:
        return self._in_flight is not None and not self._in_flight[1].done()

    def submit(self, job: FlushJob) -> None:
        if self._in_flight is not None or self.failed is not None:
            raise RuntimeError("a flush is submitted only once the last one is written")
        self._in_flight = job, self._thread.submit(self._write, job.flushes)

    def collect(self, owned: Mapping[int, int], *, wait: bool) -> None:
        """Commit the write in flight if it succeeded (waiting for it if `wait`); a failure
        pauses consuming and leaves the job to `retry`. Only `owned` partitions commit."""
        if self._in_flight is None or not (wait or self._in_flight[1].done()):
            return
        job, future = self._in_flight
        self._in_flight = None
        error = future.exception()
        if error is None:
            self._complete(job, owned)
        elif isinstance(error, WRITE_ERRORS):
            self._failed(job, error)
        else:
            raise error

    def retry(self, owned: Mapping[int, int]) -> None:
        """Write the failed job until it succeeds, staying in the group meanwhile; give up
        when stopping: nothing of the job is committed, so the next start reads it again."""
        delay = 0.5
        while (job := self.failed) is not None:
            if self.stop.wait(delay):
                if not self._gave_up:
                    log.warning("stopping while writes fail; what they held is read again")
                self._gave_up = True
                return
            delay = min(delay * 2, MAX_RETRY_DELAY_S)
            self._keep_membership()
            try:
                self._write(job.flushes)
            except WRITE_ERRORS as error:
                self._failed(job, error, retry_in_s=delay)
                continue
            self.failed = None
            metrics.DATABASE_STALLED.set(0)
            self._consumer.resume(self._consumer.assignment())
            log.info("writes succeed again; consuming resumed")
            self._complete(job, owned)

    def drop(self, partitions: Collection[int]) -> None:
        """Another consumer owns these now: their share of a failed job is not ours to write."""
        if self.failed is not None:
            self.failed.flushes = [
                f for f in self.failed.flushes if f.snapshot.partition not in partitions
            ]

    def close(self) -> None:
        self._thread.shutdown(wait=True)

    def _write(self, flushes: list[SeriesFlush]) -> None:
        """Side outputs first, then the store: a snapshot then covers only ticks whose late
        and dead-letter records the broker holds, so a replay need not send those again
        (docs/consumer.md, "Effectively once")."""
        if not self._side.flush(SIDE_OUTPUT_TIMEOUT_S):
            raise SideOutputsUnacknowledged("side outputs unacknowledged; nothing written")
        self._store.write(flushes)

    def _failed(
        self,
        job: FlushJob,
        error: PyMongoError | SideOutputsUnacknowledged,
        retry_in_s: float = 0.5,
    ) -> None:
        metrics.WRITE_FAILURES.inc()
        # A timeout means the server holds the connection but does not answer: stalled.
        stalled = isinstance(error, PyMongoError) and error.timeout
        metrics.DATABASE_STALLED.set(int(stalled))
        log.warning(
            "database stalled: a write timed out; consuming paused until one succeeds"
            if stalled
            else "write failed; consuming paused until it succeeds",
            extra={"error": str(error)[:300], "retry_in_s": retry_in_s},
        )
        if self.failed is None:
            self._consumer.pause(self._consumer.assignment())
            self._on_pause()
        self.failed = job

    def _complete(self, job: FlushJob, owned: Mapping[int, int]) -> None:
        positions = {p: o for p, o in job.positions.items() if p in owned}
        if positions:
            self._commit(positions)
        elapsed = time.perf_counter() - job.started
        metrics.record_flush(
            job.flushes, job.drained_at, partition_lags(self._consumer, self.topic, owned)
        )
        metrics.FLUSH_SECONDS.observe(elapsed)
        log.debug(
            "flushed",
            extra={
                "seconds": round(elapsed, 3),
                "inserted": sum(len(f.new) for f in job.flushes),
                "replaced": sum(len(f.existing) for f in job.flushes),
                "raw_ticks": sum(len(f.raw.offsets) for f in job.flushes if f.raw is not None),
            },
        )

    def _commit(self, positions: Mapping[int, int]) -> None:
        """A failed commit is not fatal: what it covers is written, the next commit covers
        it too, and if none comes, the replay from the last one is skipped over (the
        crash case of docs/consumer.md), so no tick is lost or counted twice."""
        offsets = [TopicPartition(self.topic, p, o) for p, o in positions.items()]
        try:
            self._consumer.commit(offsets=offsets, asynchronous=False)
        except KafkaException as error:
            metrics.COMMIT_FAILURES.inc()
            log.warning("offset commit failed; the next one covers it", extra={"error": str(error)})

    def _keep_membership(self) -> None:
        """Serve rebalances while paused; a message that slips through is rewound, not lost."""
        message = self._consumer.poll(0)
        if message is not None and message.error() is None:
            self._consumer.seek(
                TopicPartition(
                    message.topic() or self.topic, message.partition() or 0, message.offset() or 0
                )
            )
