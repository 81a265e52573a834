"""The consumer's Mongo side: candles (shared repository), series snapshots, raw ticks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields

import msgspec
from pymongo import ASCENDING, ReplaceOne
from pymongo.collection import Collection
from pymongo.database import Database

from coinstream_common.candle_store import CandleRepository, refuse_legacy_layout
from coinstream_common.candles import Candle
from coinstream_common.mongo import Document, write_in_commands
from consumer.dedup import dedup_since
from consumer.handover import decode_handover, encode_handover, handed_over
from consumer.raw_ticks import RawTickRepository, refuse_legacy_raw
from consumer.series import Series, SeriesFlush, WindowRules
from consumer.state import SeriesSnapshot

STATES_COLLECTION = "consumer_state"
# Open candles as one binary value: FerretDB converts each value of a document it writes,
# and a snapshot is rewritten at every flush (see coinstream_common.candle_buckets).
_CANDLES_ENCODER = msgspec.msgpack.Encoder()
_CANDLES_DECODER = msgspec.msgpack.Decoder(list[Document])
_ENCODED_FIELDS = {"_id", "open_candles", "handover"}


class SeriesSnapshotRepository:
    """`consumer_state`: one document per series, written after that series' candles."""

    def __init__(self, db: Database[Document]) -> None:
        self._states: Collection[Document] = db[STATES_COLLECTION]

    def ensure_indexes(self) -> None:
        # Restore reads a partition's snapshots. Creating it now also makes the collection
        # exist before the first flush, so no write creates a collection mid-run.
        self._states.create_index([("partition", ASCENDING)], name="partition")

    def save_many(self, snapshots: Sequence[SeriesSnapshot]) -> None:
        write_in_commands(
            self._states,
            [ReplaceOne({"_id": s.key}, _document(s), upsert=True) for s in snapshots],
        )

    def for_partitions(self, partitions: Iterable[int]) -> list[SeriesSnapshot]:
        """A scan of one small collection: a document per series."""
        return [
            SeriesSnapshot(
                **{k: v for k, v in doc.items() if k not in _ENCODED_FIELDS},
                open_candles=tuple(
                    Candle.model_validate(c) for c in _open_candles(doc["open_candles"])
                ),
                handover=decode_handover(doc["handover"]) if doc.get("handover") else None,
            )
            for doc in self._states.find({"partition": {"$in": list(partitions)}})
        ]


def _document(snapshot: SeriesSnapshot) -> Document:
    """The snapshot as stored, its open candles as one MessagePack value, and its handover
    (if any) as one compressed value."""
    scalars = {f.name: getattr(snapshot, f.name) for f in fields(snapshot)}
    candles = [c.model_dump(mode="python") for c in snapshot.open_candles]
    handover = snapshot.handover and encode_handover(snapshot.handover)
    return {
        "_id": snapshot.key,
        **scalars,
        "open_candles": _CANDLES_ENCODER.encode(candles),
        "handover": handover,
    }


def _open_candles(stored: bytes | list[Document]) -> list[Document]:
    """A snapshot saved before open candles were binary holds them as documents."""
    return _CANDLES_DECODER.decode(stored) if isinstance(stored, bytes) else stored


class ConsumerStore:
    """Everything the consumer reads and writes, in the order its correctness needs."""

    def __init__(self, db: Database[Document]) -> None:
        self.candles = CandleRepository(db)
        self.snapshots = SeriesSnapshotRepository(db)
        self.raw = RawTickRepository(db)

    def prepare(self) -> None:
        """Refuse a store of the old candle layout; create what the writes need."""
        refuse_legacy_layout(self.candles.buckets.database)
        refuse_legacy_raw(self.candles.buckets.database)
        self.candles.ensure_collections()
        self.snapshots.ensure_indexes()

    def restore_partitions(self, partitions: Iterable[int], rules: WindowRules) -> list[Series]:
        """Every series of these partitions, with ids read from raw ticks."""
        return self.restore(self.snapshots.for_partitions(partitions), {}, rules)

    def restore(
        self, snapshots: Sequence[SeriesSnapshot], reading: Mapping[int, int], rules: WindowRules
    ) -> list[Series]:
        """The series of these snapshots as they left them, open windows included: no read
        of the candle store, whose size grows with history. The event ids of their dedup
        horizon come from their handover if their partition's replay starts where it was
        written (offset `reading`), else from one read of the other partitions' raw ticks."""
        by_partition: dict[int, list[SeriesSnapshot]] = {}
        for snapshot in snapshots:
            by_partition.setdefault(snapshot.partition, []).append(snapshot)
        raw_since = {
            p: dedup_since(min(s.max_ingest_time for s in group), rules.dedup_window_ms)
            for p, group in by_partition.items()
            if not (p in reading and handed_over(group, reading[p]))
        }
        seen = self.raw.recent_event_ids(raw_since) if raw_since else {}
        return [
            Series.restored(
                snapshot,
                list(snapshot.open_candles),
                seen.get((snapshot.source, snapshot.symbol), {}),
                rules,
                snapshot.handover.ids
                if snapshot.handover is not None and snapshot.partition not in raw_since
                else None,
            )
            for snapshot in snapshots
        ]

    def restore_unsaved(
        self, source: str, symbol: str, partition: int, ingest_ms: int, rules: WindowRules
    ) -> Series:
        """A series with no saved state, met at a tick ingested at `ingest_ms`: new, or
        written to only before a crash. Its candles are not read: all its ticks come again
        (the commit is never past its first). Of its stored ids, only those the dedup rule
        can still match are read: its largest ingest time will be at least `ingest_ms`."""
        snapshot = SeriesSnapshot.empty(source, symbol, partition)
        since = dedup_since(ingest_ms, rules.dedup_window_ms)
        seen = self.raw.recent_event_ids({partition: since}, (source, symbol))
        return Series.restored(snapshot, [], seen.get((source, symbol), {}), rules)

    def write(self, flushes: Sequence[SeriesFlush]) -> None:
        """Raw ticks, then candles, then snapshots: a snapshot never runs ahead of its candles."""
        self.raw.insert_many([f.raw for f in flushes if f.raw is not None])
        self.candles.upsert_many([c for f in flushes for c in (*f.new, *f.existing)])
        self.snapshots.save_many([f.snapshot for f in flushes])
