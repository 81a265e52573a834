"""Connecting to Mongo, and writing in bulk safely on every server we support.

Only operations that MongoDB 7 and FerretDB both support are used (candle_store.py says
which, for candles).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import MongoClient, ReplaceOne, UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database

from coinstream_common.settings import MongoSettings

Document = dict[str, Any]
# Updates sent in one command at most. FerretDB 1.x keeps each matched statement's query
# open, and a pooled connection with it, until the whole command returns: at its pool
# size (100 on SQLite, 50 by default on PostgreSQL) one command waits forever for itself,
# and every request behind it (docs/operations.md). devstack's build is patched; this
# keeps an unpatched server safe too, with room left for concurrent readers.
MAX_UPDATES_PER_COMMAND = 40


def write_in_commands(
    collection: Collection[Document], requests: Sequence[UpdateOne | ReplaceOne[Document]]
) -> None:
    """Unordered bulk updates, in commands of `MAX_UPDATES_PER_COMMAND` at most."""
    for first in range(0, len(requests), MAX_UPDATES_PER_COMMAND):
        chunk = requests[first : first + MAX_UPDATES_PER_COMMAND]
        collection.bulk_write(list(chunk), ordered=False)


def connect(
    settings: MongoSettings,
    app_name: str,
    *,
    reply_timeout_ms: int | None = None,
    operation_timeout_ms: int | None = None,
) -> MongoClient[Document]:
    """A client whose every wait is bounded. `reply_timeout_ms` bounds each reply (a socket
    timeout), which suits the API, whose `distinct` FerretDB refuses with the `maxTimeMS`
    that `operation_timeout_ms` (pymongo's `timeoutMS`) adds; that one bounds a whole
    operation, retries included, which suits the consumer's writes."""
    return MongoClient(
        settings.uri,
        tz_aware=True,
        appname=app_name,
        serverSelectionTimeoutMS=settings.timeout_ms,
        connectTimeoutMS=settings.timeout_ms,
        socketTimeoutMS=reply_timeout_ms,
        timeoutMS=operation_timeout_ms,
    )


def database(client: MongoClient[Document], settings: MongoSettings) -> Database[Document]:
    return client[settings.database]
