"""Rolling-window statistics, folded from candles."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import CacheDep, ReaderDep, SettingsDep
from api.models import ErrorMessage, Stats
from api.params import SourceDep, SymbolQuery
from api.queries import NOT_MODIFIED, answer
from api.stats import StatsQuery, StatsWindow

router = APIRouter(prefix="/v1", tags=["stats"])


@router.get(
    "/stats", response_model=Stats, responses={**NOT_MODIFIED, 404: {"model": ErrorMessage}}
)
async def stats(
    request: Request,
    settings: SettingsDep,
    cache: CacheDep,
    reader: ReaderDep,
    source: SourceDep,
    symbol: SymbolQuery,
    window: StatsWindow = StatsWindow.H24,
) -> Response:
    """Open, last, change %, high, low, volume, VWAP and counts over the window up to now.

    Folded from candles that start inside the window (1m candles; 1h for 7d), so the
    window's edge is as fine as those candles.
    """
    return await answer(
        request,
        StatsQuery(source, symbol, window),
        settings=settings,
        cache=cache,
        reader=reader,
        not_found=f"no candles for {source} {symbol} in the last {window}",
    )
