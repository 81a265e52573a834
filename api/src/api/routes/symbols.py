"""The (source, symbol) pairs that have candles."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import ReadsDep
from api.models import SymbolList
from api.queries import NOT_MODIFIED
from api.symbols import SymbolsQuery

router = APIRouter(prefix="/v1", tags=["symbols"])


@router.get("/symbols", response_model=SymbolList, responses=NOT_MODIFIED)
async def symbols(request: Request, reads: ReadsDep) -> Response:
    """Each pair with the first and last candle start of its finest interval."""
    return await reads.answer(request, SymbolsQuery(reads.settings.source_names))
