"""Checkpoints: per (source, symbol), the source's cursor and whether backfill is done.

They live in a compacted Kafka topic, keyed `<ticks topic>/<source>/<symbol>`, so the
producer needs nothing but the broker it publishes to, and the latest record per key is
all that is kept. A symbol with no `backfilled` record has no history on that ticks topic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

StreamKey = tuple[str, str]  # (source, symbol)


class BadCheckpoint(ValueError):
    """A record in the checkpoint topic that is not a checkpoint."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    cursor: str | None = None
    backfilled: bool = False

    def merged(self, cursor: str | None, backfilled: bool) -> Checkpoint:
        return replace(self, cursor=cursor or self.cursor, backfilled=self.backfilled or backfilled)


def record_key(namespace: str, key: StreamKey) -> bytes:
    return "/".join((namespace, *key)).encode()


def parse_record_key(raw: bytes, namespace: str) -> StreamKey | None:
    """(source, symbol) of a record of this namespace; None for other namespaces."""
    parts = raw.decode(errors="replace").split("/")
    if len(parts) != 3 or parts[0] != namespace:
        return None
    return parts[1], parts[2]


def encode_checkpoint(checkpoint: Checkpoint) -> bytes:
    return json.dumps({"cursor": checkpoint.cursor, "backfilled": checkpoint.backfilled}).encode()


def decode_checkpoint(raw: bytes) -> Checkpoint:
    try:
        fields = json.loads(raw)
    except ValueError as error:
        raise BadCheckpoint(f"not JSON: {raw[:80]!r}") from error
    if not isinstance(fields, dict):
        raise BadCheckpoint(f"not an object: {raw[:80]!r}")
    cursor, backfilled = fields.get("cursor"), fields.get("backfilled", False)
    if not (cursor is None or isinstance(cursor, str)) or not isinstance(backfilled, bool):
        raise BadCheckpoint(f"wrong field types: {raw[:80]!r}")
    return Checkpoint(cursor, backfilled)
