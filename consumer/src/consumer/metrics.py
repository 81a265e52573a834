"""Prometheus metrics of the consumer."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

MESSAGES_CONSUMED = Counter("consumer_messages_consumed", "Messages read from the ticks topic")
TICKS_APPLIED = Counter("consumer_ticks_applied", "Ticks folded into at least one window")
TICKS_INVALID = Counter("consumer_ticks_invalid", "Messages rejected by validation", ["field"])
TICKS_LATE = Counter("consumer_ticks_late", "Ticks dropped from a final window", ["interval"])
CANDLES_WRITTEN = Counter("consumer_candles_written", "Candle documents upserted")
FLUSH_SECONDS = Histogram("consumer_flush_seconds", "Time to write candles and commit offsets")
WRITE_FAILURES = Counter("consumer_write_failures", "Failed attempts to write candles to Mongo")
