"""Prometheus metrics of the consumer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from prometheus_client import Counter, Gauge, Histogram

if TYPE_CHECKING:
    from consumer.series import SeriesFlush

MESSAGES_CONSUMED = Counter("consumer_messages_consumed", "Messages read from the ticks topic")
TICKS_APPLIED = Counter("consumer_ticks_applied", "Ticks folded into at least one window")
TICKS_LATE = Counter("consumer_ticks_late", "Ticks dropped from a final window", ["interval"])
TICKS_DUPLICATE = Counter("consumer_ticks_duplicate", "Ticks whose event id was already applied")
DEAD_LETTERED = Counter(
    "consumer_messages_dead_lettered", "Messages sent to the dead-letter topic", ["field"]
)
WINDOWS_FLUSHED = Counter("consumer_windows_flushed", "Candle documents written", ["final"])
FLUSH_SECONDS = Histogram(
    "consumer_flush_seconds",
    "Time to write a flush and commit its offsets",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WRITE_FAILURES = Counter("consumer_write_failures", "Failed attempts to write a flush to Mongo")
DATABASE_STALLED = Gauge(
    "consumer_database_stalled",
    "1 while the last attempt to write a flush timed out (the database does not answer)",
)
COMMIT_FAILURES = Counter("consumer_commit_failures", "Offset commits the broker refused")
LAG = Gauge("consumer_lag", "Messages behind the partition's end", ["partition"])
WATERMARK_DELAY = Gauge(
    "consumer_watermark_delay_seconds",
    "Wall clock minus the series' watermark",
    ["source", "symbol"],
)
RAW_PERIODS_DROPPED = Counter(
    "consumer_raw_periods_dropped", "Raw tick collections (partition and period) dropped"
)


def record_flush(flushes: Sequence[SeriesFlush], now: float, lags: Mapping[int, int]) -> None:
    candles = [c for f in flushes for c in (*f.new, *f.existing)]
    final = sum(c.final for c in candles)
    WINDOWS_FLUSHED.labels("true").inc(final)
    WINDOWS_FLUSHED.labels("false").inc(len(candles) - final)
    for flush in flushes:
        snapshot = flush.snapshot
        WATERMARK_DELAY.labels(snapshot.source, snapshot.symbol).set(
            max(0.0, now - snapshot.watermark / 1000)
        )
    for partition, lag in lags.items():
        LAG.labels(str(partition)).set(lag)
