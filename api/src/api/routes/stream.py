"""Server-Sent Events: live candles, prices and alerts, resumable with Last-Event-ID."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

import orjson
from fastapi import APIRouter, Header
from fastapi.sse import EventSourceResponse, ServerSentEvent

from api.deps import AlertsDep, HubDep, ReaderDep, SettingsDep, SourceDep, StreamSettingsDep
from api.params import SymbolQuery
from api.stream import StreamEvent, StreamKey, snapshot
from coinstream_common.intervals import Interval

router = APIRouter(prefix="/v1", tags=["stream"])
LastEventId = Annotated[
    str | None,
    Header(
        alias="Last-Event-ID",
        pattern=r"^\d{1,14}-\d{1,12}$",
        description="Id of the last event received; the stream resumes after it",
    ),
]


def to_sse(event: StreamEvent) -> ServerSentEvent:
    data = orjson.dumps(event.data, option=orjson.OPT_UTC_Z).decode()
    return ServerSentEvent(raw_data=data, event=event.kind, id=event.id)


@router.get("/stream", response_class=EventSourceResponse)
async def stream(
    hub: HubDep,
    reader: ReaderDep,
    alerts: AlertsDep,
    settings: SettingsDep,
    stream_settings: StreamSettingsDep,
    source: SourceDep,
    symbol: SymbolQuery,
    interval: Interval = Interval.M1,
    last_event_id: LastEventId = None,
) -> AsyncIterator[ServerSentEvent]:
    """`candle` events (id `<start ms>-<count>`, full snapshots: apply as upserts by start),
    `price` events and `alert` events (an alert on the series or the whole pipeline, as
    `/v1/alerts` shows it, when raised or resolved: apply as upserts by its id), beginning
    with the current state, or with every candle since Last-Event-ID; a `: heartbeat`
    comment when nothing happened for a while."""
    key = StreamKey(source, symbol, interval)
    with hub.subscribe(key) as queue:
        events = await asyncio.to_thread(
            snapshot, reader, alerts, key, last_event_id, settings.max_limit
        )
        for event in events:
            yield to_sse(event)
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), stream_settings.heartbeat_s)
            except TimeoutError:
                yield ServerSentEvent(comment="heartbeat")
                continue
            yield to_sse(event)
