"""Reading the alerts the alerter stores (coinstream_common.alerts), newest raised first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.database import Database

from coinstream_common.alerts import ALERTS_COLLECTION, AlertState
from coinstream_common.mongo import Document

# The outbox flags are the alerter's bookkeeping, not part of an alert.
_PUBLIC = {
    "published_active": 0,
    "published_resolved": 0,
    "notified_active": 0,
    "notified_resolved": 0,
}


@dataclass(frozen=True)
class AlertFilter:
    state: AlertState | None = None
    source: str | None = None
    symbol: str | None = None
    since: datetime | None = None  # raised at or after


class AlertReader:
    def __init__(self, db: Database[Document]) -> None:
        self._alerts = db[ALERTS_COLLECTION]

    def page(
        self, where: AlertFilter, after: tuple[datetime, str] | None, limit: int
    ) -> list[Document]:
        """Up to `limit` alerts, newest raised first (ties by id), after the cursor's one."""
        conditions: list[dict[str, Any]] = [
            {field: value}
            for field, value in (
                ("state", where.state),
                ("source", where.source),
                ("symbol", where.symbol),
            )
            if value is not None
        ]
        if where.since is not None:
            conditions.append({"raised_at": {"$gte": where.since}})
        if after is not None:
            raised, alert_id = after
            conditions.append(
                {
                    "$or": [
                        {"raised_at": {"$lt": raised}},
                        {"raised_at": raised, "_id": {"$lt": alert_id}},
                    ]
                }
            )
        found = self._alerts.find({"$and": conditions} if conditions else {}, _PUBLIC)
        return list(found.sort([("raised_at", DESCENDING), ("_id", DESCENDING)]).limit(limit))

    def around(self, source: str, symbol: str, resolved_since: datetime) -> list[Document]:
        """Alerts on the series, or on the whole pipeline (no symbol), that are active or
        were resolved at or after `resolved_since`."""
        on_series = {"$or": [{"source": source, "symbol": symbol}, {"symbol": None}]}
        current = {"$or": [{"state": "active"}, {"resolved_at": {"$gte": resolved_since}}]}
        return list(self._alerts.find({"$and": [on_series, current]}, _PUBLIC))


def public_alert(document: Document) -> Document:
    """An alert document as the API shows it: `id` for `_id`, bookkeeping left out."""
    return {"id": document["_id"]} | {k: v for k, v in document.items() if k != "_id"}
