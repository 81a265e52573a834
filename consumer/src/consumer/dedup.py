"""A series' dedup memory: the event ids it has seen lately, to recognise a re-sent tick.

Pure: no Kafka, no Mongo, no clock. A tick is a duplicate, and changes nothing, when its
event id was seen at another offset in a tick ingested in the dedup bucket of the largest
ingest time so far or in the bucket before (buckets: the dedup window's multiples of
epoch time). Ids of older buckets are forgotten.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import final

from consumer.state import NEVER

SeenIds = dict[str, tuple[int, int]]  # event id -> (offset, ingest time), as restored


def dedup_since(max_ingest_time: int, dedup_window_ms: int) -> int:
    """The earliest ingest time whose ids can still make a duplicate: the start of the
    dedup bucket before the one of the largest ingest time."""
    return (max_ingest_time // dedup_window_ms - 1) * dedup_window_ms


@final
class DedupMemory:
    def __init__(self, window_ms: int) -> None:
        self.window_ms = window_ms
        # Event ids by the dedup bucket of their first tick's ingest time. Sets, not dicts:
        # a probe for a new id (nearly every tick) reads one table, where a dict of str
        # reads three places, and the ids of the current and previous bucket are all it
        # needs.
        self.buckets: dict[int, set[str]] = {}
        self.bucket = NEVER  # of the largest ingest time
        self.current: set[str] = set()  # buckets[bucket]
        self.previous: set[str] = set()  # buckets[bucket - 1]
        # Offsets of the restored ids: a replayed tick that meets its own id is no duplicate.
        self.restored_offsets: dict[str, int] = {}
        self.restored_until = -1

    def restore(
        self,
        seen: SeenIds,
        handed_over: Mapping[int, Collection[str]] | None,
        max_ingest_time: int,
    ) -> None:
        """`seen`: ids read from raw ticks, with their offsets; `handed_over`: ids by bucket
        from a handover the replay starts at, so with no offset to replay."""
        for event_id, (offset, ingest) in seen.items():
            self.buckets.setdefault(ingest // self.window_ms, set()).add(event_id)
            self.restored_offsets[event_id] = offset
            self.restored_until = max(self.restored_until, offset)
        for bucket, ids in (handed_over or {}).items():
            self.buckets.setdefault(bucket, set()).update(ids)
        self._advance(max_ingest_time // self.window_ms)

    def is_duplicate(self, event_id: str, offset: int, ingest_time: int) -> bool:
        """Whether the id was seen at another offset; a new id is recorded in its bucket."""
        bucket = ingest_time // self.window_ms
        if bucket > self.bucket:
            self._advance(bucket)
        if event_id in self.current or event_id in self.previous:
            # Offsets only grow, but a tick replayed after a restore may meet its own id.
            return self.restored_offsets.get(event_id, -1) != offset
        if bucket == self.bucket:
            self.current.add(event_id)
        elif bucket == self.bucket - 1:
            self.previous.add(event_id)
        return False

    def replayed_through(self, offset: int) -> None:
        """Every tick up to `offset` was applied: past every restored id, their offsets go."""
        if offset > self.restored_until:
            self.restored_offsets.clear()

    def handover_ids(self) -> dict[int, tuple[str, ...]]:
        """The ids by bucket, as copies: a handover is written on the writer's thread."""
        return {bucket: tuple(ids) for bucket, ids in self.buckets.items() if ids}

    def _advance(self, bucket: int) -> None:
        """The largest ingest time entered `bucket`: ids of older buckets are forgotten."""
        buckets = self.buckets
        for old in [b for b in buckets if b < bucket - 1]:
            del buckets[old]
        self.bucket = bucket
        self.current = buckets.setdefault(bucket, set())
        self.previous = buckets.setdefault(bucket - 1, set())
