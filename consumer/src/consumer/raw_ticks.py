"""Raw ticks as they arrived: a collection per partition and period of ingest time.

Why not one collection: FerretDB pushes no range down to SQL, so every query of a single
raw collection reads all of it, and it holds the whole retention (a week by default). A
restore then took longer with every hour kept, and each retention pass stalled the
consumer while it scanned. Split by partition and by 10 minutes of ingest time, a restore
reads only the periods its dedup horizon reaches, and retention drops whole collections:
both cost what they need, whatever is kept. Each document holds a partition's ticks of
one flush (`raw_document`), and goes to the period of its largest ingest time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from pymongo.database import Database
from pymongo.errors import BulkWriteError

from coinstream_common.mongo import Document
from consumer.dedup import SeenIds
from consumer.state import RawBatch, raw_document, unpack

RAW_PERIOD_MS = 10 * 60_000
# Keeps a document far below the 16 MB limit when a catching-up flush is large
# (about 30 bytes a tick compressed, and 8 for its offset).
MAX_TICKS_PER_DOCUMENT = 50_000
LEGACY_RAW_COLLECTION = "ticks_raw"
_NAME = re.compile(r"^ticks_raw_p(\d+)_(\d+)$")
_DUPLICATE_KEY = 11000


def raw_collection_name(partition: int, ingest_ms: int) -> str:
    """Where a batch whose largest ingest time is `ingest_ms` is kept."""
    return f"ticks_raw_p{partition}_{ingest_ms // RAW_PERIOD_MS * RAW_PERIOD_MS}"


def raw_period_of(name: str) -> tuple[int, int] | None:
    """(partition, period start) of a raw collection's name; None for any other name."""
    match = _NAME.match(name)
    return (int(match[1]), int(match[2])) if match else None


def periods_reaching(
    periods: Mapping[str, tuple[int, int]], since_ingest_ms: Mapping[int, int]
) -> list[str]:
    """The periods that can hold a batch ingested at or after its partition's time."""
    return [
        name
        for name, (partition, start) in periods.items()
        if partition in since_ingest_ms and start + RAW_PERIOD_MS > since_ingest_ms[partition]
    ]


def periods_before(periods: Mapping[str, tuple[int, int]], cutoffs: Mapping[int, int]) -> list[str]:
    """The periods that hold only batches ingested before their partition's cutoff."""
    return [
        name
        for name, (partition, start) in periods.items()
        if partition in cutoffs and start + RAW_PERIOD_MS <= cutoffs[partition]
    ]


class LegacyRawLayout(RuntimeError):
    """The store keeps raw ticks in the one collection of before."""


def refuse_legacy_raw(db: Database[Document]) -> None:
    """A restore that missed the ids kept in the old collection would count duplicates as
    new ticks: refuse to start instead. One look, with no filter."""
    if db[LEGACY_RAW_COLLECTION].find_one({}, {"_id": True}) is not None:
        raise LegacyRawLayout(
            f"database {db.name!r} holds raw ticks in the old single `ticks_raw` collection; "
            "run `python -m consumer.migrate` once to move them into periods"
            " (docs/operations.md, 'Raw tick periods')"
        )


class RawTickRepository:
    def __init__(self, db: Database[Document]) -> None:
        self._db = db

    def periods(self) -> dict[str, tuple[int, int]]:
        """Every raw collection: name -> (partition, period start)."""
        names = self._db.list_collection_names()
        return {name: period for name in names if (period := raw_period_of(name)) is not None}

    def insert_many(self, batches: Sequence[RawBatch]) -> None:
        """A document per partition (and per MAX_TICKS_PER_DOCUMENT ticks). Idempotent: a
        document already stored (a replay) is skipped."""
        by_collection: dict[str, list[Document]] = {}
        for partition, group in _by_partition(batches).items():
            for chunk in _chunks(group):
                document = raw_document(partition, chunk)
                name = raw_collection_name(partition, document["max_ingest_time"])
                by_collection.setdefault(name, []).append(document)
        for name, documents in by_collection.items():
            self.insert_documents(name, documents)

    def insert_documents(self, name: str, documents: list[Document]) -> None:
        try:
            self._db[name].insert_many(documents, ordered=False)
        except BulkWriteError as error:
            if any(e["code"] != _DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise

    def recent_event_ids(
        self, since_ingest_ms: Mapping[int, int], series: tuple[str, str] | None = None
    ) -> dict[tuple[str, str], SeenIds]:
        """Per series: event id -> (offset, ingest time), for ticks ingested since the time
        given for their partition. Reads only the periods that can hold them."""
        documents = (
            doc
            for name in periods_reaching(self.periods(), since_ingest_ms)
            for doc in self._db[name].find()
        )
        out: dict[tuple[str, str], SeenIds] = {}
        for doc in documents:
            since = since_ingest_ms[doc["partition"]]
            if doc["max_ingest_time"] < since:
                continue
            for offset, tick in unpack(doc):
                key = (tick["source"], tick["symbol"])
                if tick["ingest_time"] < since or (series is not None and key != series):
                    continue
                seen = out.setdefault(key, {})
                known = seen.get(tick["event_id"])
                # A replay may have stored a tick twice: its first offset wins.
                if known is None or offset < known[0]:
                    seen[tick["event_id"]] = (offset, tick["ingest_time"])
        return out

    def drop_ingested_before(self, cutoffs: Mapping[int, int]) -> int:
        """Retention: drop, in each partition, the periods wholly before its cutoff.
        Returns how many were dropped."""
        names = periods_before(self.periods(), cutoffs)
        for name in names:
            self._db.drop_collection(name)
        return len(names)

    def documents(self) -> Iterator[Document]:
        """Every stored batch, period by period: for checks and the migration."""
        for name in sorted(self.periods()):
            yield from self._db[name].find()


def _by_partition(batches: Sequence[RawBatch]) -> dict[int, list[RawBatch]]:
    out: dict[int, list[RawBatch]] = {}
    for batch in batches:
        out.setdefault(batch.partition, []).append(batch)
    return out


def _chunks(batches: list[RawBatch]) -> Iterator[list[RawBatch]]:
    """Whole batches, at most MAX_TICKS_PER_DOCUMENT ticks a chunk unless one holds more."""
    chunk: list[RawBatch] = []
    ticks = 0
    for batch in batches:
        if chunk and ticks + len(batch.offsets) > MAX_TICKS_PER_DOCUMENT:
            yield chunk
            chunk, ticks = [], 0
        chunk.append(batch)
        ticks += len(batch.offsets)
    if chunk:
        yield chunk
