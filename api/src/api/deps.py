"""The lifespan owns the Mongo client, the query cache and the stream poller; every route
gets these and the settings through the `Annotated` dependencies below, the one place that
reads the app's untyped `state`. The getters are `async` because FastAPI runs a plain `def`
dependency in a worker thread: a hop per dependency per request, for a lookup."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from pymongo.errors import PyMongoError

from api.alerts import AlertReader
from api.cache import QueryCache
from api.params import SourceQuery, valid_source
from api.queries import CachedReads
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
    app.state.reads = CachedReads(settings, cache, reader)
    app.state.reader, app.state.alerts, app.state.hub = reader, alerts, hub
    poller = asyncio.create_task(hub.run(), name="stream-poller")
    try:
        yield
    finally:
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
        cache.close()
        client.close()


def _state(name: str) -> Callable[[Request], Coroutine[Any, Any, Any]]:
    """A dependency that returns the app's `state.<name>`; the `Annotated` alias that uses
    it names its type."""

    async def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    get.__name__ = f"get_{name}"
    return get


ReadsDep = Annotated[CachedReads, Depends(_state("reads"))]
ReaderDep = Annotated[CandleReader, Depends(_state("reader"))]
AlertsDep = Annotated[AlertReader, Depends(_state("alerts"))]
HubDep = Annotated[StreamHub, Depends(_state("hub"))]
SettingsDep = Annotated[ApiSettings, Depends(_state("settings"))]
StreamSettingsDep = Annotated[StreamSettings, Depends(_state("stream_settings"))]


async def checked_source(settings: SettingsDep, source: SourceQuery) -> str:
    return valid_source(settings, source)


SourceDep = Annotated[str, Depends(checked_source)]
