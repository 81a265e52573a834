"""The latest price: the close of the newest candle of the finest interval."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import CacheDep, ReaderDep, SettingsDep
from api.models import ErrorMessage, LatestPrice
from api.params import SourceDep, SymbolQuery
from api.prices import LatestPriceQuery
from api.queries import NOT_MODIFIED, answer

router = APIRouter(prefix="/v1", tags=["prices"])


@router.get(
    "/prices/latest",
    response_model=LatestPrice,
    responses={**NOT_MODIFIED, 404: {"model": ErrorMessage}},
)
async def latest_price(
    request: Request,
    settings: SettingsDep,
    cache: CacheDep,
    reader: ReaderDep,
    source: SourceDep,
    symbol: SymbolQuery,
) -> Response:
    """The newest price and how old it is, so a client can tell live data from stale."""
    return await answer(
        request,
        LatestPriceQuery(source, symbol),
        settings=settings,
        cache=cache,
        reader=reader,
        not_found=f"no candles for {source} {symbol}",
    )
