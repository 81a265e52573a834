"""A recorded-looking market, published at a steady pace by the producer's own publisher.

For runs that must see the same topic whatever happens to the brokers: the ticks are fixed
before they are published (tests/support/market.py: out of order, some late, no re-sent
copies, so each event id is in the topic once if delivery is exactly once), and published
by TickPublisher, as the producer publishes, in chunks over a given number of seconds.

The market's ten minutes end at :20 of a wall-clock minute: a consumer that has read to
the end runs its log clock on by wall time, and its last minute's windows close only
45 s later, long after every run compared has stopped (see live_market.ends_now).
"""

from __future__ import annotations

import threading
import time

from confluent_kafka import Producer

from coinstream_common.settings import KafkaSettings
from coinstream_common.ticks import Tick, now_ms
from producer.publisher import TickPublisher, producer_config
from tests.support.market import market_ticks
from tests.support.waiting import wait_until

SPAN_MS = 10 * 60_000
ENDS_AT_MS = 20_000  # into its minute
CHUNK_EVERY_S = 0.05


def paced_ticks(count: int, symbols: list[str]) -> list[Tick]:
    """`count` ticks of a market whose last ten minutes ended less than two minutes ago."""
    end = now_ms() // 60_000 * 60_000 - 60_000 + ENDS_AT_MS
    ticks = market_ticks(
        count, symbols=symbols, start_ms=end - SPAN_MS, span_ms=SPAN_MS, duplicate_share=0
    )
    assert len({t.event_id for t in ticks}) == len(ticks)
    return ticks


class PacedPublisher(threading.Thread):
    """Publishes `ticks` over `seconds` in the background; `finish` waits until every one
    is acknowledged. `published` counts the ticks handed to the publisher so far."""

    def __init__(self, ticks: list[Tick], bootstrap: str, topic: str, seconds: float) -> None:
        super().__init__(name="paced-market", daemon=True)
        kafka = KafkaSettings(bootstrap_servers=bootstrap)
        self.publisher = TickPublisher(Producer(producer_config(kafka)), topic)
        self._ticks, self._seconds = ticks, seconds
        self.published = 0
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            chunk = max(1, int(len(self._ticks) * CHUNK_EVERY_S / self._seconds))
            started = time.monotonic()
            for n, start in enumerate(range(0, len(self._ticks), chunk)):
                # On a schedule, so the pace holds however long each chunk takes.
                time.sleep(max(0.0, started + n * CHUNK_EVERY_S - time.monotonic()))
                self.publisher.publish_all(self._ticks[start : start + chunk])
                self.published = min(start + chunk, len(self._ticks))
                self.publisher.serve_deliveries()
            assert self.publisher.flush(120) == 0, "ticks left unacknowledged"
        except BaseException as error:  # noqa: BLE001 - raised again by finish()
            self._error = error

    def wait_published(self, share: float, timeout_s: float = 60.0) -> None:
        """Until `share` of the ticks have been handed over."""
        wanted = share * len(self._ticks)
        wait_until(
            lambda: self.published,
            lambda published: published >= wanted or not self.is_alive(),
            what=f"{wanted:.0f} ticks published",
            timeout_s=timeout_s,
            interval_s=0.05,
        )

    def finish(self, timeout_s: float = 180.0) -> None:
        self.join(timeout_s)
        assert not self.is_alive(), "still publishing"
        if self._error is not None:
            raise self._error
