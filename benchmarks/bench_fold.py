"""The consumer's per-tick core alone: decode, apply and drain, with no Kafka and no Mongo.

The ticks of `bench_consumer` (10 symbols, some out of order, some late, some re-sent),
fewer of them at the same rate per symbol, are folded as `CandleConsumer._handle` folds
a batch: each message decoded, applied to its series, and every DRAIN_EVERY messages the
idle check and a drain, whose candles are built as for a write. The garbage collector is
set as `python -m consumer` sets it. A pass folds every tick into a fresh aggregator and is
timed in CPU time, which other processes on a shared machine disturb less than wall time;
the median of PASSES passes after a warm-up is reported, so that one process gives one
figure to pair against another build's (`make setup` of another checkout, then its
`.venv/bin/python` running this file).

Prints `BENCH fold msgs_per_s=<n> us_per_msg=<n>`.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coinstream_common.ticks import TICK_DECODER  # noqa: E402
from consumer.__main__ import GC_THRESHOLDS  # noqa: E402
from consumer.aggregator import Aggregator  # noqa: E402
from consumer.settings import ConsumerSettings  # noqa: E402
from tests.support.market import encoded, market_ticks  # noqa: E402

TICKS = int(os.environ.get("BENCH_FOLD_TICKS", "200000"))
SYMBOLS = [f"B{i}-USD" for i in range(10)]
START_MS = 1_711_353_600_000
# bench_consumer's rate: a million ticks over six hours.
SPAN_MS = TICKS * 6 * 3_600_000 // 1_000_000
PARTITIONS = 3
# About what the consumer folds between two flushes when it reads a backlog.
DRAIN_EVERY = 20_000
PASSES = 5


def fold(messages: list[tuple[int, bytes]]) -> float:
    """CPU seconds to fold every message, of (partition, value), into a fresh aggregator."""
    settings = ConsumerSettings()
    aggregator = Aggregator(
        settings.interval_set,
        lateness_ms=settings.allowed_lateness_ms,
        dedup_window_ms=settings.dedup_window_ms,
        idle_timeout_ms=settings.idle_timeout_ms,
    )
    decode, series_of = TICK_DECODER.decode, aggregator.get
    began = time.process_time()
    for offset, (partition, value) in enumerate(messages):
        tick = decode(value)
        series = series_of(tick.source, tick.symbol) or aggregator.new_series(
            tick.source, tick.symbol, partition, offset
        )
        series.apply(tick, offset, value)
        if offset % DRAIN_EVERY == DRAIN_EVERY - 1:
            aggregator.advance_idle({}, read_all_at_ms=0)
            aggregator.drain()
    aggregator.drain()
    return time.process_time() - began


def main() -> None:
    ticks = market_ticks(TICKS, symbols=SYMBOLS, start_ms=START_MS, span_ms=SPAN_MS)
    messages = [(SYMBOLS.index(key.decode()) % PARTITIONS, value) for key, value in encoded(ticks)]
    gc.set_threshold(*GC_THRESHOLDS)
    fold(messages)  # warm-up
    seconds = statistics.median(fold(messages) for _ in range(PASSES))
    rate = len(messages) / seconds
    print(f"BENCH fold msgs_per_s={rate:.0f} us_per_msg={seconds / len(messages) * 1e6:.3f}")


if __name__ == "__main__":
    main()
