"""The latest price: the close of the newest candle of the finest interval."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import ReadsDep
from api.models import ErrorMessage, LatestPrice
from api.params import SourceQuery, SymbolQuery
from api.prices import LatestPriceQuery
from api.queries import NOT_MODIFIED

router = APIRouter(prefix="/v1", tags=["prices"])


@router.get(
    "/prices/latest",
    response_model=LatestPrice,
    responses={**NOT_MODIFIED, 404: {"model": ErrorMessage}},
)
async def latest_price(
    request: Request, reads: ReadsDep, source: SourceQuery, symbol: SymbolQuery
) -> Response:
    """The newest price and how old it is, so a client can tell live data from stale."""
    query = LatestPriceQuery(reads.source(source), symbol)
    return await reads.answer(request, query, not_found=f"no candles for {source} {symbol}")
