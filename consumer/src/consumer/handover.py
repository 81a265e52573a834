"""A series' dedup memory, handed over in its last snapshot by a stop or a revoke.

Why: a restore needs the event ids of the dedup horizon (up to two dedup windows of
ticks). Read from raw ticks, that is every raw document of the horizon, one per partition
and flush: on FerretDB about 0.2 ms each, and with ticks at 200 a second the read grew to
seconds under load (a soak's consumer restart stalled 6 s, docs/operations.md). A stop or
a revoke writes everything it holds, then commits: its snapshots can carry the ids too,
and the next owner reads them in the handful of documents it reads anyway.

When they are enough: the handover was written at `position`, the partition's next offset
then, and is used only when the replay starts there (`covers`). Then every tick before
the replay is in the handover's ids, and every tick after it is read again and recorded
as it is applied. A commit that failed (the replay starts earlier), or a later run that
flushed (its snapshots replace these, without ids), falls back to the raw ticks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import msgspec
import zstandard

# Far below the 16 MB document limit with the rest of a snapshot: a series whose ids do
# not fit (about 300,000 ticks of a single series in its horizon) hands nothing over.
MAX_HANDOVER_BYTES = 8 * 1024 * 1024
_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(tuple[int, dict[int, list[str]]])


@dataclass(frozen=True, slots=True)
class DedupHandover:
    position: int  # the partition's next offset when it was written
    ids: Mapping[int, Collection[str]]  # event ids by dedup bucket (ingest time // window)

    def covers(self, reading: int) -> bool:
        """Whether a replay starting at offset `reading` can rely on these ids alone."""
        return self.position == reading


class HandsOver(Protocol):
    """A series snapshot (consumer.state imports this module, so not named here)."""

    @property
    def handover(self) -> DedupHandover | None: ...


def handed_over(snapshots: Sequence[HandsOver], reading: int) -> bool:
    """Whether every series of a partition handed its ids over where its replay starts."""
    return bool(snapshots) and all(
        s.handover is not None and s.handover.covers(reading) for s in snapshots
    )


def encode_handover(handover: DedupHandover) -> bytes | None:
    """Compressed MessagePack (ids share long prefixes: about 8x smaller); None when too
    large to store, which only costs the next owner a read of the raw ticks."""
    packed = zstandard.compress(_ENCODER.encode((handover.position, handover.ids)), 1)
    return packed if len(packed) <= MAX_HANDOVER_BYTES else None


def decode_handover(stored: bytes) -> DedupHandover:
    position, ids = _DECODER.decode(zstandard.decompress(stored))
    return DedupHandover(position, ids)
