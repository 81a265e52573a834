"""Candle history, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request, Response

from api.deps import CacheDep, ReaderDep, SettingsDep
from api.encoded import Encoded
from api.models import CandlePage
from api.pagination import InvalidCursor, decode_cursor, encode_cursor
from api.params import LimitDep, Moment, SourceDep, SymbolQuery, invalid
from api.repository import CandleReader
from api.settings import ApiSettings
from coinstream_common.intervals import Interval

router = APIRouter(prefix="/v1", tags=["candles"])
DEFAULT_RANGE = timedelta(hours=24)


@dataclass(frozen=True)
class CandleQuery:
    """A request's parameters; also its cache key, so "now" is resolved only when loading."""

    source: str
    symbol: str
    interval: Interval
    start: datetime | None
    end: datetime | None
    after: datetime | None
    limit: int

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        end = self.end or now
        return self.start or end - DEFAULT_RANGE, end


def check_window(query: CandleQuery, settings: ApiSettings) -> None:
    start, end = query.window(datetime.now(UTC))
    if start >= end:
        raise invalid("start", "start must be before end (end defaults to now)", start.isoformat())
    spanned = (end - start) / timedelta(milliseconds=query.interval.millis)
    if spanned > settings.max_range_candles:
        raise invalid(
            "end",
            f"start to end spans {spanned:.0f} {query.interval} candles; "
            f"at most {settings.max_range_candles} per request",
            end.isoformat(),
        )


def render_page(reader: CandleReader, query: CandleQuery) -> Encoded:
    """The page as JSON bytes, plain and gzipped: rows go from Mongo to orjson without a
    model per row."""
    start, end = query.window(datetime.now(UTC))
    rows = reader.page(
        query.source,
        query.symbol,
        query.interval,
        start=start,
        end=end,
        after=query.after,
        limit=query.limit + 1,
    )
    more = len(rows) > query.limit
    page = {
        "source": query.source,
        "symbol": query.symbol,
        "interval": query.interval.value,
        "start": start,
        "end": end,
        "candles": rows[: query.limit],
        "next_cursor": encode_cursor(rows[query.limit - 1]["start"]) if more else None,
    }
    return Encoded.of(orjson.dumps(page, option=orjson.OPT_UTC_Z))


@router.get("/candles", response_model=CandlePage)
async def candles(
    request: Request,
    reader: ReaderDep,
    cache: CacheDep,
    settings: SettingsDep,
    source: SourceDep,
    symbol: SymbolQuery,
    limit: LimitDep,
    interval: Interval = Interval.M1,
    start: Annotated[Moment | None, Query(description="Inclusive; default end - 24h")] = None,
    end: Annotated[Moment | None, Query(description="Exclusive; default now")] = None,
    cursor: Annotated[
        str | None, Query(max_length=40, description="`next_cursor` of the previous page")
    ] = None,
) -> Response:
    """Candles whose window starts in [start, end), oldest first, `limit` at a time."""
    try:
        after = decode_cursor(cursor) if cursor is not None else None
    except InvalidCursor as error:
        raise invalid("cursor", str(error), cursor) from None
    query = CandleQuery(source, symbol, interval, start, end, after, limit)
    check_window(query, settings)
    # async, so a cached page is answered on the event loop; the query runs in a thread.
    page = await cache.get_async(query, lambda: render_page(reader, query))
    return page.response(request.headers.get("accept-encoding"), "application/json")
