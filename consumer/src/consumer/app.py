"""The consumer's I/O shell: Kafka in, Mongo out, offsets committed only after the write.

The design and the argument for why candles come out right after any crash are in
docs/consumer.md.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from confluent_kafka import Consumer, KafkaError, Message, TopicPartition
from pymongo.errors import PyMongoError

from coinstream_common.epoch import to_epoch_ms
from coinstream_common.ticks import DECODE_ERRORS, TICK_DECODER, Tick, as_invalid_tick
from consumer import metrics
from consumer.aggregator import Aggregator
from consumer.handover import handed_over
from consumer.series import ON_TIME, Series
from consumer.settings import ConsumerSettings
from consumer.side_outputs import SideOutputs
from consumer.state import NEVER, SeriesSnapshot
from consumer.storage import ConsumerStore
from consumer.writer import FlushJob, FlushWriter

log = logging.getLogger(__name__)


def retention_cutoff(now_ms: int, newest_ingest_ms: int, retention_ms: int) -> int:
    """Raw batches ingested before this go: the retention period before the newest tick's
    ingest time, and never later than before now. Counting from the wall clock alone would
    drop, on a restart, the batches of ticks ingested long ago (a replay of old data)
    that dedup still needs: restore reads them to recognise a re-sent tick."""
    return min(now_ms, newest_ingest_ms) - retention_ms


class CandleConsumer:
    def __init__(
        self,
        consumer: Consumer,
        store: ConsumerStore,
        side_outputs: SideOutputs,
        settings: ConsumerSettings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._consumer = consumer
        self._store = store
        self._side = side_outputs
        self._settings = settings
        self._clock = clock
        self._aggregator = Aggregator(
            settings.interval_set,
            lateness_ms=settings.allowed_lateness_ms,
            dedup_window_ms=settings.dedup_window_ms,
            idle_timeout_ms=settings.idle_timeout_ms,
        )
        # Next offset to commit per partition: everything before it is handled.
        self._positions: dict[int, int] = {}
        self._topic = ""
        self._next_retention = clock() + settings.raw_retention_every_s
        self._stop = threading.Event()
        # Partitions whose series were restored since this consumer got them, and the
        # snapshots read beside one of them, restored when their partition is first read.
        self._restored: set[int] = set()
        self._prefetched: dict[int, list[SeriesSnapshot]] = {}
        # The last wall time (ms) at which every message fetched so far had been handled.
        self._read_all_at_ms = 0
        # A paused partition is not read to its end, whatever it was before.
        self._writer = FlushWriter(consumer, store, side_outputs, self._aggregator.left_end)

    def run(self, topic: str, stop: threading.Event) -> None:
        self._topic, self._stop = topic, stop
        self._writer.topic, self._writer.stop = topic, stop
        self._consumer.subscribe(
            [topic], on_assign=self._on_assign, on_revoke=self._on_revoke, on_lost=self._on_lost
        )
        interval = self._settings.flush_interval_ms / 1000
        last_flush, unflushed = time.monotonic(), 0
        writer = self._writer
        try:
            while not stop.is_set():
                asked_at_ms = int(self._clock() * 1000)
                messages = self._consumer.consume(self._settings.batch_size, timeout=0.1)
                if len(messages) < self._settings.batch_size:
                    self._read_all_at_ms = asked_at_ms  # the queue was emptied
                if messages:
                    self._handle(messages)
                    unflushed += len(messages)
                writer.collect(self._positions, wait=False)
                writer.retry(self._positions)
                # The next flush waits for the last write, so a slow server gets fewer,
                # larger writes; past max_unflushed pending messages, folding waits too.
                if time.monotonic() - last_flush >= interval and (
                    not writer.busy or unflushed >= self._settings.max_unflushed
                ):
                    self._settle()
                    self._flush()
                    last_flush, unflushed = time.monotonic(), 0
            self._settle()
            self._flush(hold=False)  # a stop writes everything it holds
            self._settle()
        finally:
            try:
                self._consumer.close()  # revokes, which flushes on the writer
            finally:
                writer.close()

    def _handle(self, messages: list[Message]) -> None:
        applied = duplicates = 0
        # Locals: this loop runs once per message.
        positions, restored = self._positions, self._restored
        series_of, n_intervals = self._aggregator.get, len(self._aggregator.intervals)
        decode = TICK_DECODER.decode
        for message in messages:
            if message.error() is not None:
                self._kafka_error(message)
                continue
            partition, offset = message.partition() or 0, message.offset() or 0
            if partition not in restored:
                self._restore_partition(partition, offset)
            positions[partition] = offset + 1
            value = message.value() or b""
            try:
                tick = decode(value)
            except DECODE_ERRORS as error:
                invalid = as_invalid_tick(error)
                self._side.dead_letter(message, invalid.field, str(invalid))
                continue
            series = series_of(tick.source, tick.symbol) or self._restore_unsaved(
                tick, partition, offset
            )
            if tick.backfill:
                self._load_history(series, tick)
            verdict = series.apply(tick, offset, value)
            if verdict is ON_TIME:
                applied += 1
            elif verdict.duplicate:
                duplicates += 1
            else:
                self._side.late(message, verdict.late, series.watermark)
                applied += len(verdict.late) < n_intervals
        metrics.MESSAGES_CONSUMED.inc(len(messages))
        metrics.TICKS_APPLIED.inc(applied)
        metrics.TICKS_DUPLICATE.inc(duplicates)

    def _kafka_error(self, message: Message) -> None:
        error = message.error()
        if error is None:
            return
        if error.code() == KafkaError._PARTITION_EOF:
            partition = message.partition() or 0
            if partition not in self._restored:
                # Its quiet series' windows close too.
                self._restore_partition(partition, message.offset() or 0)
            self._aggregator.clock(partition).reached_end(
                self._positions.get(partition, -1), int(self._clock() * 1000)
            )
        else:
            log.warning("kafka error", extra={"error": str(error)})

    def _restore_partition(self, partition: int, reading: int) -> None:
        """Pick up every series of a newly owned partition where its saved state left it,
        as offset `reading` is read. The snapshots of every other partition owned and not
        yet read are fetched with its own, in one read: a restart or a rebalance hands
        over several partitions at once."""
        began = time.monotonic()
        if partition not in self._prefetched:
            owned = {tp.partition for tp in self._consumer.assignment()} | {partition}
            waiting = owned - self._restored
            self._prefetched = {p: [] for p in waiting}
            for snapshot in self._store.snapshots.for_partitions(waiting):
                self._prefetched[snapshot.partition].append(snapshot)
        snapshots = self._prefetched.pop(partition)
        restored = self._store.restore(snapshots, {partition: reading}, self._aggregator.rules)
        for series in restored:
            self._aggregator.adopt(series, reading)
        self._restored.add(partition)
        log.info(
            "partition restored",
            extra={
                "partition": partition,
                "series": len(restored),
                "windows": sum(len(s.book.windows) for s in restored),
                "ids_from": "handover" if handed_over(snapshots, reading) else "raw ticks",
                "read_s": round(time.monotonic() - began, 3),
            },
        )

    def _restore_unsaved(self, tick: Tick, partition: int, offset: int) -> Series:
        """A series the partition's saved state does not know: new, or unsaved before a crash."""
        series = self._store.restore_unsaved(
            tick.source, tick.symbol, partition, tick.ingest_time, self._aggregator.rules
        )
        return self._aggregator.adopt(series, offset)

    def _load_history(self, series: Series, tick: Tick) -> None:
        """A backfill tick may land in final windows: fetch those before it is applied."""
        unknown = series.unknown_windows(tick)
        if not unknown:
            return
        self._settle()  # a window just made final may still be on its way to Mongo
        stored = self._store.candles.get_many(
            (series.source, series.symbol, interval, start) for interval, start in unknown
        )
        series.load(stored)
        found = {(c.interval, to_epoch_ms(c.start)) for c in stored}
        series.mark_absent([key for key in unknown if key not in found])

    def _settle(self) -> None:
        """Wait until the last flush is written and committed, retrying while Mongo fails."""
        self._writer.collect(self._positions, wait=True)
        self._writer.retry(self._positions)

    def _flush(self, partitions: set[int] | None = None, *, hold: bool = True) -> None:
        """Hand what changed to the writer, with the offsets its write will cover; with
        `hold`, series that hold back their history stay in memory (`Series.holds_back`).

        Called with no write in flight (the submit refuses otherwise), so retention's
        delete runs between writes, never beside one: SQLite (under FerretDB) has one
        writer at a time, and a second waits for it up to a 10 s busy timeout. Nothing is
        handed over while a failed write waits for its retry (only a stop gives up on it).
        """
        if self._writer.failed is not None:
            return
        now = self._clock()
        if now >= self._next_retention:
            self._apply_retention(now)
        self._aggregator.advance_idle(self._positions, self._read_all_at_ms)
        # A final flush (no hold: a stop or a revoke) hands each series' dedup memory over.
        handover = None if hold else self._positions
        flushes = self._aggregator.drain(partitions, hold=hold, handover=handover)
        held = self._aggregator.held_positions() if hold else {}
        positions = {
            p: min(o, held.get(p, o))
            for p, o in self._positions.items()
            if partitions is None or p in partitions
        }
        self._writer.submit(FlushJob(flushes, positions, now))

    def _apply_retention(self, now: float) -> None:
        """Per partition this consumer holds series of: one that has read nothing yet keeps
        its raw ticks, which the restore of its series is about to read."""
        newest: dict[int, int] = {}
        for series in self._aggregator:
            newest[series.partition] = max(
                newest.get(series.partition, NEVER), series.max_ingest_time
            )
        now_ms, retention_ms = int(now * 1000), self._settings.raw_retention_ms
        cutoffs = {
            partition: retention_cutoff(now_ms, ingest, retention_ms)
            for partition, ingest in newest.items()
            if ingest != NEVER
        }
        try:
            if cutoffs:
                began = time.monotonic()
                dropped = self._store.raw.drop_ingested_before(cutoffs)
                metrics.RAW_PERIODS_DROPPED.inc(dropped)
                took_s = round(time.monotonic() - began, 3)
                log.info("raw tick retention", extra={"dropped": dropped, "seconds": took_s})
        except PyMongoError as error:
            log.warning("raw tick retention failed", extra={"error": str(error)[:300]})
        if newest:
            self._next_retention = now + self._settings.raw_retention_every_s

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # A restart's time splits into joining the group (up to here) and restoring.
        log.info("partitions assigned", extra={"partitions": [tp.partition for tp in partitions]})
        # Restoring the new partitions reads what the write in flight may still be writing.
        self._writer.collect(self._positions, wait=True)
        if self._writer.failed is not None:
            consumer.pause(partitions)  # assigned while a write is failing: wait with the rest

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Write and commit what is held before the partitions move to another consumer."""
        del consumer
        revoked = {tp.partition for tp in partitions}
        try:
            self._writer.collect(self._positions, wait=True)
            if self._writer.failed is None:
                self._flush(revoked, hold=False)  # all written before the partitions move
                self._writer.collect(self._positions, wait=True)
        finally:
            self._forget(revoked)

    def _on_lost(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Lost, not revoked: another consumer may already own them, so commit nothing."""
        del consumer
        self._forget({tp.partition for tp in partitions})
        self._writer.collect(self._positions, wait=True)

    def _forget(self, partitions: set[int]) -> None:
        """Another consumer owns these now: hold and write nothing of theirs."""
        self._writer.drop(partitions)
        self._aggregator.forget(partitions)
        self._restored -= partitions
        self._prefetched = {p: s for p, s in self._prefetched.items() if p not in partitions}
        for partition in partitions:
            self._positions.pop(partition, None)
