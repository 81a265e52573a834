"""The latest price: the close of the newest candle of the finest interval."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException

from api.deps import CacheDep, ReaderDep
from api.models import ErrorMessage, LatestPrice
from api.params import SourceDep, SymbolQuery

router = APIRouter(prefix="/v1", tags=["prices"])


@router.get("/prices/latest", responses={404: {"model": ErrorMessage}})
def latest_price(
    reader: ReaderDep, cache: CacheDep, source: SourceDep, symbol: SymbolQuery
) -> LatestPrice:
    """The newest price and how old it is, so a client can tell live data from stale."""
    newest = cache.get(("price", source, symbol), lambda: reader.newest_finest(source, symbol))
    if newest is None:
        raise HTTPException(status_code=404, detail=f"no candles for {source} {symbol}")
    interval, candle = newest
    time = candle["last_event_time"]
    return LatestPrice(
        source=source,
        symbol=symbol,
        price=candle["close"],
        time=time,
        age_s=max(0.0, (datetime.now(UTC) - time).total_seconds()),
        interval=interval,
    )
