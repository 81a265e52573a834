"""Rolling-window statistics, folded from candles."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import ReadsDep
from api.models import ErrorMessage, Stats
from api.params import SourceQuery, SymbolQuery
from api.queries import NOT_MODIFIED
from api.stats import StatsQuery, StatsWindow

router = APIRouter(prefix="/v1", tags=["stats"])


@router.get(
    "/stats", response_model=Stats, responses={**NOT_MODIFIED, 404: {"model": ErrorMessage}}
)
async def stats(
    request: Request,
    reads: ReadsDep,
    source: SourceQuery,
    symbol: SymbolQuery,
    window: StatsWindow = StatsWindow.H24,
) -> Response:
    """Open, last, change %, high, low, volume, VWAP and counts over the window up to now.

    Folded from candles that start inside the window (1m candles; 1h for 7d), so the
    window's edge is as fine as those candles.
    """
    query = StatsQuery(reads.source(source), symbol, window)
    not_found = f"no candles for {source} {symbol} in the last {window}"
    return await reads.answer(request, query, not_found=not_found)
