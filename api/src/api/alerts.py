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
