"""The (source, symbol) pairs that have candles."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CacheDep, ReaderDep, SettingsDep
from api.models import SymbolList, SymbolOut
from api.repository import CandleReader

router = APIRouter(prefix="/v1", tags=["symbols"])


def list_symbols(reader: CandleReader, sources: tuple[str, ...]) -> SymbolList:
    found = []
    for source, symbol in reader.pairs(sources):
        newest = reader.newest_finest(source, symbol)
        if newest is None:
            continue
        interval, candle = newest
        found.append(
            SymbolOut(
                source=source,
                symbol=symbol,
                interval=interval,
                first_candle_start=reader.oldest_start(source, symbol, interval) or candle["start"],
                last_candle_start=candle["start"],
            )
        )
    return SymbolList(symbols=found)


@router.get("/symbols")
def symbols(reader: ReaderDep, cache: CacheDep, settings: SettingsDep) -> SymbolList:
    """Each pair with the first and last candle start of its finest interval."""
    return cache.get(("symbols",), lambda: list_symbols(reader, settings.source_names))
