"""A partition's clock, read off the log itself: what idle close measures idleness by.

Pure: no Kafka, no clock (wall times come in as arguments).

A series idle for a while lets its windows close without waiting for its next tick. Timed
on the consumer's wall clock, "idle" depends on when the consumer happens to read: after
a restart, a pause for a database outage or while it works off a backlog, a series whose
next ticks are still unread looks idle, and those ticks would be judged late. Timed by the
log (the largest ingest time read from the partition), it depends only on the messages
read before, so a replay decides as the first reading did.

The wall clock runs the log clock on only while the consumer has read everything: then an
unread tick can only be one published since, whose ingest time is at least that wall time
less its delivery delay (`DELIVERY_MARGIN_MS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from consumer.state import NEVER

# How long a tick may take from the producer's clock to the consumer (publish, replication,
# fetch) without its series being judged idle early: wall time advances the log clock
# this much less than it passed.
DELIVERY_MARGIN_MS: Final = 1_000
NOT_AT_END: Final = -2  # below every position, -1 (nothing read) included


@dataclass(slots=True)
class PartitionClock:
    now_ms: int = NEVER  # the largest ingest time read, or run on from it at wall speed
    # Where the partition's end was last reached: the consumer's position there, the wall
    # time, and the log clock then.
    end_position: int = NOT_AT_END
    end_wall_ms: int = NEVER
    end_log_ms: int = NEVER

    def read(self, ingest_time: int) -> None:
        # Once per tick: compiled, a compare and a store, where max() is a generic call.
        if ingest_time > self.now_ms:  # noqa: PLR1730
            self.now_ms = ingest_time

    def reached_end(self, position: int, wall_ms: int) -> None:
        """The broker has nothing after `position` (the next offset to read) for now."""
        self.end_position, self.end_wall_ms, self.end_log_ms = position, wall_ms, self.now_ms

    def left_end(self) -> None:
        """Reading stopped (paused): until the end is reached again, wall time says nothing."""
        self.end_position = NOT_AT_END

    def run_on(self, position: int, read_all_at_ms: int) -> None:
        """Advance at wall speed if nothing was read since the end was reached, up to
        `read_all_at_ms`, the last wall time at which every fetched message had been read."""
        if position != self.end_position or self.end_log_ms == NEVER:
            return
        ran_on = self.end_log_ms + (read_all_at_ms - self.end_wall_ms) - DELIVERY_MARGIN_MS
        self.now_ms = max(self.now_ms, ran_on)
