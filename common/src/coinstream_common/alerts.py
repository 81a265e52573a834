"""The alert as the alerter publishes it on the `alerts` topic and stores it in Mongo.

One record per alert; its `state` says where it is in its life (raised: "active", then
"resolved"). A message on the topic is the record as that transition left it, so a
reader keeps the last message of each id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

import msgspec

from coinstream_common.epoch import to_datetime, to_epoch_ms

ALERTS_COLLECTION: Final = "alerts"
ALERTS_TOPIC: Final = "alerts"

AlertState = Literal["active", "resolved"]


class AlertRecord(msgspec.Struct, frozen=True, kw_only=True):
    """Times are UTC epoch milliseconds; values are the rule's measure (docs/alerts.md)."""

    id: str
    rule: str
    kind: str
    subject: str
    source: str | None = None
    symbol: str | None = None
    state: AlertState
    raised_at: int
    resolved_at: int | None = None
    threshold: float
    raise_value: float
    resolve_value: float | None = None


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(AlertRecord)
# Fields kept in Mongo as dates, so the database reads like the candles' does.
_TIMES = ("raised_at", "resolved_at")


def encode_alert(record: AlertRecord) -> bytes:
    return _ENCODER.encode(record)


def decode_alert(raw: bytes) -> AlertRecord:
    return _DECODER.decode(raw)


def alert_document(record: AlertRecord) -> dict[str, Any]:
    document = msgspec.structs.asdict(record)
    document["_id"] = document.pop("id")
    for field in _TIMES:
        if document[field] is not None:
            document[field] = to_datetime(document[field])
    return document


def alert_from_document(document: dict[str, Any]) -> AlertRecord:
    fields = {k: v for k, v in document.items() if k in AlertRecord.__struct_fields__}
    for field in _TIMES:
        if isinstance(fields.get(field), datetime):
            fields[field] = to_epoch_ms(fields[field])
    return AlertRecord(id=document["_id"], **fields)
