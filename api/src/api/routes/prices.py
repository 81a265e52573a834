"""The latest price: the close of the newest candle of the finest interval."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.models import ErrorMessage, LatestPrice
from api.params import SourceQuery, SymbolQuery, valid_source
from api.prices import LatestPriceQuery
from api.queries import answer

router = APIRouter(prefix="/v1", tags=["prices"])


@router.get("/prices/latest", response_model=LatestPrice, responses={404: {"model": ErrorMessage}})
async def latest_price(request: Request, source: SourceQuery, symbol: SymbolQuery) -> Response:
    """The newest price and how old it is, so a client can tell live data from stale."""
    source = valid_source(request.app.state.settings, source)
    query = LatestPriceQuery(source, symbol)
    return await answer(request, query, f"no candles for {source} {symbol}")
