"""The (source, symbol) pairs that have candles."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import CacheDep, ReaderDep, SettingsDep
from api.models import SymbolList
from api.queries import NOT_MODIFIED, answer
from api.symbols import SymbolsQuery

router = APIRouter(prefix="/v1", tags=["symbols"])


@router.get("/symbols", response_model=SymbolList, responses=NOT_MODIFIED)
async def symbols(
    request: Request, settings: SettingsDep, cache: CacheDep, reader: ReaderDep
) -> Response:
    """Each pair with the first and last candle start of its finest interval."""
    query = SymbolsQuery(settings.source_names)
    return await answer(request, query, settings=settings, cache=cache, reader=reader)
