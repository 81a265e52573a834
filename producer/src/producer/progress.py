"""When a cursor may be checkpointed: once every tick fetched before it is acknowledged.

Each poll's ticks form a Batch with the cursors the source reached. Per source, batches
settle in any order (a failed delivery is resent later), but a checkpoint advances only
over the oldest batches that have all settled. A checkpoint saved later than strictly
needed only means a few trades fetched again after a crash, with the same event ids;
one saved too early would lose trades.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from producer.checkpoints import Checkpoint, StreamKey
from producer.publisher import Batch


@dataclass(frozen=True, slots=True)
class _Pending:
    batch: Batch
    cursors: Mapping[str, str]
    backfilled: frozenset[str]


class CursorTracker:
    def __init__(self, saved: Mapping[StreamKey, Checkpoint]) -> None:
        self._state: dict[StreamKey, Checkpoint] = dict(saved)
        self._pending: dict[str, deque[_Pending]] = {}

    def checkpoint(self, key: StreamKey) -> Checkpoint:
        return self._state.get(key, Checkpoint())

    def open(
        self,
        source: str,
        size: int,
        cursors: Mapping[str, str] | None = None,
        backfilled: Iterable[str] = (),
    ) -> Batch:
        """A batch of `size` ticks that takes the source to `cursors` (and ends backfills)."""
        batch = Batch(size)
        pending = _Pending(batch, dict(cursors or {}), frozenset(backfilled))
        self._pending.setdefault(source, deque()).append(pending)
        return batch

    def settled(self) -> list[tuple[StreamKey, Checkpoint]]:
        """Checkpoints moved by batches that settled since the last call, newest per stream."""
        changed: dict[StreamKey, Checkpoint] = {}
        for source, queue in self._pending.items():
            while queue and queue[0].batch.settled:
                done = queue.popleft()
                for stream in done.cursors.keys() | done.backfilled:
                    key = (source, stream)
                    before = self.checkpoint(key)
                    after = before.merged(done.cursors.get(stream), stream in done.backfilled)
                    if after != before:
                        self._state[key] = changed[key] = after
        return list(changed.items())

    @property
    def unsettled(self) -> int:
        return sum(len(queue) for queue in self._pending.values())
