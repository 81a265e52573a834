"""The lifespan owns the Mongo client, the query cache and the stream poller; every route
gets these and the settings through the `Annotated` dependencies below, the one place that
reads the app's untyped `state`. The getters are `async` because FastAPI runs a plain `def`
dependency in a worker thread: a hop per dependency per request, for a lookup."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from pymongo.errors import PyMongoError

from api.alerts import AlertReader
from api.cache import QueryCache
from api.repository import CandleReader
from api.settings import ApiSettings, StreamSettings
from api.stream import StreamHub
from coinstream_common.mongo import connect, database
from coinstream_common.settings import MongoSettings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: ApiSettings = app.state.settings
    mongo: MongoSettings = app.state.mongo_settings
    client = connect(
        mongo, "coinstream-api", reply_timeout_ms=round(settings.query_timeout_s * 1000)
    )
    reader = CandleReader(database(client, mongo))
    alerts = AlertReader(database(client, mongo))
    # An unreachable database is no reason not to start (readiness says so, and checks
    # the layout again); a store in the old layout is (candle_store.refuse_legacy_layout).
    with contextlib.suppress(PyMongoError):
        reader.check_layout()
    cache = QueryCache(settings.cache_ttl_s, settings.cache_max_stale_s, settings.cache_max_entries)
    hub = StreamHub(reader, alerts, app.state.stream_settings)
    app.state.reader, app.state.cache, app.state.hub = reader, cache, hub
    app.state.alerts = alerts
    poller = asyncio.create_task(hub.run(), name="stream-poller")
    try:
        yield
    finally:
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
        cache.close()
        client.close()


async def get_reader(request: Request) -> CandleReader:
    reader: CandleReader = request.app.state.reader
    return reader


async def get_alerts(request: Request) -> AlertReader:
    alerts: AlertReader = request.app.state.alerts
    return alerts


async def get_cache(request: Request) -> QueryCache:
    cache: QueryCache = request.app.state.cache
    return cache


async def get_hub(request: Request) -> StreamHub:
    hub: StreamHub = request.app.state.hub
    return hub


async def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def get_stream_settings(request: Request) -> StreamSettings:
    settings: StreamSettings = request.app.state.stream_settings
    return settings


ReaderDep = Annotated[CandleReader, Depends(get_reader)]
AlertsDep = Annotated[AlertReader, Depends(get_alerts)]
CacheDep = Annotated[QueryCache, Depends(get_cache)]
HubDep = Annotated[StreamHub, Depends(get_hub)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
StreamSettingsDep = Annotated[StreamSettings, Depends(get_stream_settings)]
