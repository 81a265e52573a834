"""Where alerts are kept: the `alerts` collection (one document per alert, what the API
reads) and `alert_triggers` (one per rule and subject: its last event, what a restart
resumes from; docs/alerts.md, "Restart").

Writing an event twice changes nothing: a raise only inserts, a resolve only updates an
alert that is still active. So a restart that stores again what it had stored before its
crash neither duplicates an alert nor sends it out again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import get_args

import msgspec
from pymongo import ASCENDING, DESCENDING, ReplaceOne, UpdateOne
from pymongo.database import Database

from alerter.rules import Rule
from alerter.trigger import AlertEvent
from coinstream_common.alerts import (
    ALERTS_COLLECTION,
    AlertRecord,
    AlertState,
    alert_document,
)
from coinstream_common.alerts import alert_from_document as record_of
from coinstream_common.epoch import to_datetime
from coinstream_common.mongo import Document, write_in_commands

TRIGGERS_COLLECTION = "alert_triggers"
# Each transition is published on the topic, and sent to the webhook if one is set, once:
# a flag per outbox and transition ("published_active") says what is still to go. The
# outboxes are read again at every start.
PUBLISHED, NOTIFIED = "published", "notified"
STATES: tuple[AlertState, ...] = get_args(AlertState)


class AlertRepository:
    def __init__(self, db: Database[Document], outboxes: Sequence[str] = (PUBLISHED,)) -> None:
        self._outboxes = tuple(outboxes)
        self._alerts = db[ALERTS_COLLECTION]
        self._triggers = db[TRIGGERS_COLLECTION]

    def prepare(self) -> None:
        self._alerts.create_index([("state", ASCENDING), ("raised_at", DESCENDING)])

    def store(self, events: Sequence[AlertEvent], rules: Mapping[str, Rule]) -> None:
        """Store events in the order they happened; then each trigger's last one."""
        if not events:
            return
        writes = [_alert_write(event, rules[event.rule], self._outboxes) for event in events]
        # Ordered: an alert raised and resolved in one batch is inserted first.
        self._alerts.bulk_write(writes, ordered=True)
        last = {(event.rule, event.subject): event for event in events}
        write_in_commands(
            self._triggers,
            [
                ReplaceOne({"_id": f"{r}/{s}"}, _trigger_document(e), upsert=True)
                for (r, s), e in last.items()
            ],
        )

    def last_events(self) -> list[AlertEvent]:
        return [_event_of(document) for document in self._triggers.find()]

    def outbox(self, outbox: str, limit: int) -> list[AlertRecord]:
        """Transitions not gone out through `outbox` yet, oldest alert first: each as the
        alert was when it happened (a raise without the resolve that followed)."""
        due = [{f"{outbox}_{state}": False} for state in STATES]
        found = self._alerts.find({"$or": due}).sort("raised_at", ASCENDING).limit(limit)
        records = []
        for document in found:
            record = record_of(document)
            if document.get(f"{outbox}_active") is False:
                records.append(as_raised(record))
            if document.get(f"{outbox}_resolved") is False:
                records.append(record)
        return records

    def sent(self, outbox: str, records: Sequence[AlertRecord]) -> None:
        write_in_commands(
            self._alerts,
            [UpdateOne({"_id": r.id}, {"$set": {f"{outbox}_{r.state}": True}}) for r in records],
        )


def _alert_write(event: AlertEvent, rule: Rule, outboxes: tuple[str, ...]) -> UpdateOne:
    if event.state == "active":
        source, _, symbol = event.subject.partition("/")
        record = AlertRecord(
            id=event.alert_id,
            rule=event.rule,
            kind=rule.kind,
            subject=event.subject,
            source=source if symbol else None,
            symbol=symbol or None,
            state="active",
            raised_at=event.raised_at_ms,
            threshold=rule.raise_at,
            raise_value=event.value,
        )
        document = alert_document(record) | _due(outboxes, "active")
        return UpdateOne({"_id": event.alert_id}, {"$setOnInsert": document}, upsert=True)
    changes = {
        "state": "resolved",
        "resolved_at": to_datetime(event.at_ms),
        "resolve_value": event.value,
    }
    return UpdateOne(
        {"_id": event.alert_id, "state": "active"},
        {"$set": changes | _due(outboxes, "resolved")},
    )


def _due(outboxes: tuple[str, ...], state: str) -> Document:
    return {f"{outbox}_{state}": False for outbox in outboxes}


def as_raised(record: AlertRecord) -> AlertRecord:
    return msgspec.structs.replace(record, state="active", resolved_at=None, resolve_value=None)


def _trigger_document(event: AlertEvent) -> Document:
    return {
        "rule": event.rule,
        "subject": event.subject,
        "alert_id": event.alert_id,
        "state": event.state,
        "raised_at_ms": event.raised_at_ms,
        "at_ms": event.at_ms,
        "value": event.value,
        "offset": event.offset,
    }


def _event_of(document: Document) -> AlertEvent:
    return AlertEvent(
        document["alert_id"],
        document["rule"],
        document["subject"],
        document["state"],
        document["raised_at_ms"],
        document["at_ms"],
        document["value"],
        document["offset"],
    )
