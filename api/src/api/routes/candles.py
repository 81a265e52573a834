"""Candle history, one page at a time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import ReadsDep
from api.models import CandlePage
from api.pages import CandleQuery
from api.pagination import InvalidCursor, decode_cursor
from api.params import LimitQuery, Moment, SourceQuery, SymbolQuery, invalid, page_limit
from api.queries import NOT_MODIFIED
from coinstream_common.intervals import Interval

router = APIRouter(prefix="/v1", tags=["candles"])


@router.get("/candles", response_model=CandlePage, responses=NOT_MODIFIED)
async def candles(
    request: Request,
    reads: ReadsDep,
    source: SourceQuery,
    symbol: SymbolQuery,
    limit: LimitQuery = None,
    interval: Interval = Interval.M1,
    start: Annotated[Moment | None, Query(description="Inclusive; default end - 24h")] = None,
    end: Annotated[Moment | None, Query(description="Exclusive; default now")] = None,
    cursor: Annotated[
        str | None, Query(max_length=40, description="`next_cursor` of the previous page")
    ] = None,
) -> Response:
    """Candles whose window starts in [start, end), oldest first, `limit` at a time."""
    source = reads.source(source)
    limit = page_limit(reads.settings, limit)
    try:
        after = decode_cursor(cursor) if cursor is not None else None
    except InvalidCursor as error:
        raise invalid("cursor", str(error), cursor) from None
    query = CandleQuery(source, symbol, interval, start, end, after, limit)
    return await reads.answer(request, query)
