"""A market published as a producer publishes it: history first, then live ticks.

The history is a recorded-looking stream (out of order, late ticks, re-sent copies) of the
last hours, published as fast as a replay. The live part follows on the wall clock: busy
series trade several times a second, stamped with their ingest time as they are
published, and one sparse series, on the partition of a busy one, ticks only every 20 to
60 s, sometimes well after its event time. Quiet series are what idle close and restores
get wrong, so this is what consumers are compared on.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from confluent_kafka import Producer

from coinstream_common.ticks import Tick, encode_tick, make_tick, now_ms, trade_event_id
from producer.sources.simulated import SimulatedSource
from tests.support.market import encoded, market_ticks

SPARSE_SOURCE = "kraken"
PUBLISH_EVERY_S = 0.05


@dataclass(frozen=True)
class MarketPlan:
    symbols: list[str]
    history_ticks: int
    history_span_ms: int
    history_seconds: float  # published over this long
    live_seconds: float
    live_trades_per_second: float = 20.0  # per busy symbol
    seed: int = 7


def ends_now() -> bool:
    """Whether the stream may end now: from :15 to :25 of a wall-clock minute.

    Why: once read to the end, a consumer's log clock runs on at wall speed, and idle
    close makes a window final when that clock passes its end plus the lateness (5 s).
    The runs a test compares stop 10-30 s after the last tick, at different moments. Ended
    in this band, the last ticks' windows (their events up to 15 s before, for the sparse
    series) close only 40 s or more after the last tick, the ones before them within 5 s:
    no run stops between, and every run agrees on which windows are final. (A cold run
    once differed on the `final` of the last minute of one series.)
    """
    return 15_000 <= now_ms() % 60_000 < 25_000


def sparse_tick(symbol: str, n: int, rng: random.Random) -> Tick:
    """The sparse series' next tick: ingested now, its event up to 15 s before."""
    ingest = now_ms()
    return make_tick(
        event_id=trade_event_id(SPARSE_SOURCE, symbol, n),
        source=SPARSE_SOURCE,
        symbol=symbol,
        kind="trade",
        price=round(rng.uniform(90.0, 110.0), 2),
        size=1.0,
        event_time=ingest - rng.randrange(15_000),
        ingest_time=ingest,
    )


def _publish(plan: MarketPlan, bootstrap: str, topic: str) -> None:
    producer = Producer(
        {"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5}
    )
    history = encoded(
        market_ticks(
            plan.history_ticks,
            symbols=plan.symbols,
            start_ms=now_ms() - plan.history_span_ms,
            span_ms=plan.history_span_ms,
            seed=plan.seed,
        )
    )
    chunk = max(1, int(len(history) * PUBLISH_EVERY_S / plan.history_seconds))
    for i in range(0, len(history), chunk):
        for key, value in history[i : i + chunk]:
            producer.produce(topic, key=key, value=value)
        producer.poll(0)
        time.sleep(PUBLISH_EVERY_S)  # the history's pace, over `history_seconds`

    live = SimulatedSource(
        plan.symbols,
        seed=plan.seed,
        trades_per_second=plan.live_trades_per_second,
        poll_interval_s=PUBLISH_EVERY_S,
    )
    rng = random.Random(plan.seed)
    sparse_symbol, sparse_count = plan.symbols[0], 0
    started = time.monotonic()
    next_sparse = started + rng.uniform(20, 60)
    while True:
        ending = time.monotonic() - started + PUBLISH_EVERY_S >= plan.live_seconds and ends_now()
        ticks = live.trades_until(now_ms()).ticks
        # The sparse series ticks on its schedule, and once more as the stream ends, so that
        # every series ends the stream with a fresh tick.
        if time.monotonic() >= next_sparse or ending:
            ticks.append(sparse_tick(sparse_symbol, sparse_count, rng))
            sparse_count += 1
            next_sparse = time.monotonic() + rng.uniform(20, 60)
        for tick in ticks:
            producer.produce(topic, key=tick.symbol.encode(), value=encode_tick(tick))
        producer.poll(0)
        if ending:
            break
        time.sleep(PUBLISH_EVERY_S)  # the live market's pace, on the wall clock
    assert producer.flush(30) == 0, "the broker did not acknowledge every tick"


class MarketPublisher(threading.Thread):
    """Publishes `plan` in the background; `finish` waits for the end of the stream."""

    def __init__(self, plan: MarketPlan, bootstrap: str, topic: str) -> None:
        super().__init__(name="market", daemon=True)
        self._args = plan, bootstrap, topic
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            _publish(*self._args)
        except BaseException as error:  # noqa: BLE001 - raised again by finish()
            self._error = error

    def finish(self, timeout_s: float = 120.0) -> None:
        self.join(timeout_s)
        assert not self.is_alive(), "the market is still publishing"
        if self._error is not None:
            raise self._error
