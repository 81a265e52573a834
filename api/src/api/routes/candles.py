"""Candle history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import AwareDatetime

from api.deps import RepositoryDep, SettingsDep
from api.models import CandleOut, CandlePage
from coinstream_common.intervals import Interval
from coinstream_common.ticks import SOURCE_PATTERN, SYMBOL_PATTERN

router = APIRouter(prefix="/v1", tags=["candles"])
DEFAULT_RANGE = timedelta(hours=24)


@router.get("/candles")
def candles(
    repository: RepositoryDep,
    settings: SettingsDep,
    source: Annotated[str, Query(pattern=SOURCE_PATTERN, examples=["coingecko"])],
    symbol: Annotated[str, Query(pattern=SYMBOL_PATTERN, examples=["BTC-USD"])],
    interval: Interval = Interval.M1,
    start: Annotated[
        AwareDatetime | None, Query(description="Inclusive; default end - 24h")
    ] = None,
    end: Annotated[AwareDatetime | None, Query(description="Exclusive; default now")] = None,
    limit: Annotated[
        int | None, Query(ge=1, description="Default and maximum set by the server")
    ] = None,
) -> CandlePage:
    """Candles whose window starts in [start, end), oldest first."""
    end = end or datetime.now(UTC)
    start = start or end - DEFAULT_RANGE
    if start >= end:
        raise HTTPException(status_code=422, detail="start must be before end")
    if limit is not None and limit > settings.max_limit:
        raise HTTPException(status_code=422, detail=f"limit must be at most {settings.max_limit}")
    rows = repository.find_range(
        source, symbol, interval, start=start, end=end, limit=limit or settings.default_limit
    )
    return CandlePage(
        source=source,
        symbol=symbol,
        interval=interval,
        candles=[CandleOut.model_validate(row, from_attributes=True) for row in rows],
    )
