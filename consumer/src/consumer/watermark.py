"""A series' watermark: how far its event time is complete.

Pure: no Kafka, no clock (times come in as arguments). The watermark is the largest event
time seen less the allowed lateness, raised when the series is idle by its partition's log
clock (see `advance_idle`); it only rises, and only `_raise_to` moves it. A window is final
once the watermark reaches its end.
"""

from __future__ import annotations

from typing import final

from consumer.partition_clock import PartitionClock
from consumer.state import NEVER


@final
class Watermark:
    def __init__(
        self,
        lateness_ms: int,
        idle_timeout_ms: int,
        *,
        at: int = NEVER,
        max_event_time: int = NEVER,
        max_ingest_time: int = NEVER,
    ) -> None:
        self.lateness_ms = lateness_ms
        self.idle_timeout_ms = idle_timeout_ms
        self.at = at
        self.max_event_time = max_event_time
        self.max_ingest_time = max_ingest_time
        # The partition's, shared by its series (the aggregator hands it over on adoption).
        self.clock = PartitionClock()

    def ingested(self, ingest_time: int) -> None:
        """A tick of the series was read. Idleness is judged with every tick, not only at
        flushes, so that a verdict does not depend on when the consumer happened to flush;
        and before the tick counts, which ends the idleness."""
        clock = self.clock
        clock.read(ingest_time)
        # A busy series, nearly every tick, costs this compare rather than a call.
        if clock.now_ms - self.max_ingest_time >= self.idle_timeout_ms:
            self.advance_idle()
        if ingest_time > self.max_ingest_time:  # noqa: PLR1730 (as in `_raise_to`)
            self.max_ingest_time = ingest_time

    def saw_event(self, event_time: int) -> None:
        """A live tick was applied (history and duplicates do not move the watermark)."""
        if event_time > self.max_event_time:
            self.max_event_time = event_time
            self._raise_to(event_time - self.lateness_ms)

    def idle_ms(self) -> int:
        """How long the series has had no tick, by its partition's log clock."""
        return self.clock.now_ms - self.max_ingest_time

    def advance_idle(self) -> None:
        """A series idle by its partition's log clock lets its event time run on with that
        clock, so a quiet symbol's last windows still close (lateness after their end, once
        idle). The log clock, not the wall clock: see consumer/partition_clock.py."""
        idle = self.idle_ms()
        if idle >= self.idle_timeout_ms and self.max_event_time != NEVER:
            self._raise_to(self.max_event_time + idle - self.lateness_ms)

    def _raise_to(self, candidate: int) -> None:
        # Compiled, a compare and a store, where max() is a generic call.
        if candidate > self.at:  # noqa: PLR1730
            self.at = candidate
