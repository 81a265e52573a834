"""Live updates for /v1/stream: one poller shared by every connected client.

MongoDB's change streams need a replica set and FerretDB has none, so the poller reads
the two newest candles of each (source, symbol, interval) that someone watches, once per
`poll_s`, and sends each client the candles that changed (a late tick can still change
the previous window), the latest price, and the alerts on the series (or on the whole
pipeline) that were raised or resolved. Events are full snapshots keyed by candle start
or alert id, so a client applies them as upserts and a replay after a reconnect is
harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from api.alerts import AlertReader, public_alert
from api.metrics import STREAM_CLIENTS, STREAM_POLLS
from api.repository import INTERVALS_FINEST_FIRST, CandleReader
from api.settings import StreamSettings
from coinstream_common.epoch import to_datetime, to_epoch_ms
from coinstream_common.intervals import Interval
from coinstream_common.mongo import Document

log = logging.getLogger(__name__)
WATCHED_CANDLES = 2
# A resolve is noticed if it happened within this long before a poll: polls are seconds
# apart, and a poll that failed a few times in a row still catches up.
ALERTS_RESOLVED_LOOKBACK = timedelta(minutes=10)


@dataclass(frozen=True)
class StreamKey:
    source: str
    symbol: str
    interval: Interval


@dataclass(frozen=True)
class StreamEvent:
    kind: Literal["candle", "price", "alert"]
    data: dict[str, Any]
    id: str | None = None


def event_id(candle: Document) -> str:
    """`<start ms>-<tick count>`: a reconnecting client resumes from that start."""
    start_ms = to_epoch_ms(candle["start"])
    return f"{start_ms}-{candle['count']}"


def resume_start(last_event_id: str) -> datetime:
    return to_datetime(int(last_event_id.partition("-")[0]))


def candle_event(key: StreamKey, candle: Document) -> StreamEvent:
    data = {"source": key.source, "symbol": key.symbol, "interval": key.interval.value, **candle}
    return StreamEvent("candle", data, event_id(candle))


def price_event(key: StreamKey, candle: Document) -> StreamEvent:
    data = {"source": key.source, "symbol": key.symbol, "price": candle["close"]}
    return StreamEvent("price", data | {"time": candle["last_event_time"]})


def alert_event(alert: Document) -> StreamEvent:
    return StreamEvent("alert", public_alert(alert))


def snapshot(
    reader: CandleReader,
    alerts: AlertReader,
    key: StreamKey,
    last_event_id: str | None,
    limit: int,
) -> list[StreamEvent]:
    """What a client gets on connecting: the newest candles, or on a resume every candle
    from the window before the last one it saw (a late tick may have changed it); then
    the price, and the alerts active now."""
    if last_event_id is None:
        rows = reader.newest(key.source, key.symbol, key.interval, WATCHED_CANDLES)[::-1]
    else:
        since = resume_start(last_event_id) - timedelta(milliseconds=key.interval.millis)
        rows = reader.since(key.source, key.symbol, key.interval, since, limit)
    events = [candle_event(key, row) for row in rows]
    if newest := reader.newest_finest(key.source, key.symbol):
        events.append(price_event(key, newest[1]))
    now = datetime.now(UTC)
    return events + [alert_event(a) for a in alerts.around(key.source, key.symbol, now)]


def changed_candles(seen: dict[datetime, Document], rows: list[Document]) -> list[Document]:
    """The rows (newest first) that differ from what was last sent, oldest first; updates `seen`."""
    changed = [row for row in rows if seen.get(row["start"]) != row]
    seen.clear()
    seen.update((row["start"], row) for row in rows)
    return changed[::-1]


class StreamHub:
    def __init__(self, reader: CandleReader, alerts: AlertReader, settings: StreamSettings) -> None:
        self._reader, self._alerts = reader, alerts
        self._settings = settings
        self._queues: dict[StreamKey, set[asyncio.Queue[StreamEvent]]] = defaultdict(set)
        self._seen: dict[StreamKey, dict[datetime, Document]] = {}
        self._prices: dict[StreamKey, tuple[float, datetime]] = {}
        self._alert_states: dict[StreamKey, dict[str, str]] = {}

    @contextlib.contextmanager
    def subscribe(self, key: StreamKey) -> Iterator[asyncio.Queue[StreamEvent]]:
        queue: asyncio.Queue[StreamEvent] = asyncio.Queue(self._settings.queue_size)
        self._queues[key].add(queue)
        STREAM_CLIENTS.inc()
        try:
            yield queue
        finally:
            STREAM_CLIENTS.dec()
            self._queues[key].discard(queue)
            if not self._queues[key]:
                del self._queues[key]
                self._seen.pop(key, None)
                self._prices.pop(key, None)
                self._alert_states.pop(key, None)

    async def run(self) -> None:
        while True:
            await self.poll_once()
            await asyncio.sleep(self._settings.poll_s)

    async def poll_once(self) -> None:
        for key in list(self._queues):
            try:
                events = await asyncio.to_thread(self._changes, key)
            except Exception:
                STREAM_POLLS.labels("error").inc()
                log.warning("stream poll failed", exc_info=True, extra={"key": str(key)})
                continue
            STREAM_POLLS.labels("ok").inc()
            for queue in self._queues.get(key, ()):
                for event in events:
                    _put_dropping_oldest(queue, event)

    def _changes(self, key: StreamKey) -> list[StreamEvent]:
        rows = self._reader.newest(key.source, key.symbol, key.interval, WATCHED_CANDLES)
        # A first poll sends what a new client's snapshot may have missed; repeats are harmless.
        seen = self._seen.setdefault(key, {})
        events = [candle_event(key, row) for row in changed_candles(seen, rows)]
        finest = rows[0] if rows and key.interval is INTERVALS_FINEST_FIRST[0] else None
        if finest is None and (newest := self._reader.newest_finest(key.source, key.symbol)):
            finest = newest[1]
        if finest is not None:
            price = (finest["close"], finest["last_event_time"])
            if self._prices.get(key) != price:
                self._prices[key] = price
                events.append(price_event(key, finest))
        return events + self._changed_alerts(key)

    def _changed_alerts(self, key: StreamKey) -> list[StreamEvent]:
        since = datetime.now(UTC) - ALERTS_RESOLVED_LOOKBACK
        alerts = self._alerts.around(key.source, key.symbol, since)
        seen = self._alert_states.setdefault(key, {})
        changed = [alert_event(a) for a in alerts if seen.get(a["_id"]) != a["state"]]
        seen.clear()
        seen.update((a["_id"], a["state"]) for a in alerts)
        return changed


def _put_dropping_oldest(queue: asyncio.Queue[StreamEvent], event: StreamEvent) -> None:
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(event)
