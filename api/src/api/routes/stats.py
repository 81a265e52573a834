"""Rolling-window statistics, folded from candles."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException

from api.deps import CacheDep, ReaderDep
from api.models import ErrorMessage, Stats
from api.params import SourceDep, SymbolQuery
from api.repository import CandleReader
from api.stats import StatsWindow, fold_window

router = APIRouter(prefix="/v1", tags=["stats"])


def window_stats(
    reader: CandleReader, source: str, symbol: str, window: StatsWindow
) -> Stats | None:
    end = datetime.now(UTC)
    start = end - window.duration
    folded = fold_window(reader.stats_rows(source, symbol, window.interval, start))
    if folded is None:
        return None
    return Stats(
        source=source,
        symbol=symbol,
        window=window,
        interval=window.interval,
        start=start,
        end=end,
        **asdict(folded),
    )


@router.get("/stats", responses={404: {"model": ErrorMessage}})
def stats(
    reader: ReaderDep,
    cache: CacheDep,
    source: SourceDep,
    symbol: SymbolQuery,
    window: StatsWindow = StatsWindow.H24,
) -> Stats:
    """Open, last, change %, high, low, volume, VWAP and counts over the window up to now.

    Folded from candles that start inside the window (1m candles; 1h for 7d), so the
    window's edge is as fine as those candles.
    """
    result = cache.get(
        ("stats", source, symbol, window), lambda: window_stats(reader, source, symbol, window)
    )
    if result is None:
        raise HTTPException(
            status_code=404, detail=f"no candles for {source} {symbol} in the last {window}"
        )
    return result
