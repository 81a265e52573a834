"""Alerts raised by the alerter, active or resolved, one page at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.alerts import AlertFilter, public_alert
from api.deps import AlertsDep, SettingsDep
from api.models import AlertOut, AlertPage
from api.pagination import InvalidCursor, decode_keyed_cursor, encode_cursor
from api.params import LimitQuery, Moment, invalid, page_limit, valid_source
from coinstream_common.ticks import SOURCE_PATTERN, SYMBOL_PATTERN

router = APIRouter(prefix="/v1", tags=["alerts"])


@router.get("/alerts", response_model=AlertPage)
def alerts(
    settings: SettingsDep,
    reader: AlertsDep,
    state: Literal["active", "resolved"] | None = None,
    source: Annotated[str | None, Query(pattern=SOURCE_PATTERN)] = None,
    symbol: Annotated[str | None, Query(pattern=SYMBOL_PATTERN)] = None,
    since: Annotated[Moment | None, Query(description="Raised at or after")] = None,
    limit: LimitQuery = None,
    cursor: Annotated[
        str | None, Query(max_length=300, description="`next_cursor` of the previous page")
    ] = None,
) -> AlertPage:
    """Alerts newest raised first; `state` picks active or resolved ones (default both)."""
    limit = page_limit(settings, limit)
    if source is not None:
        source = valid_source(settings, source)
    after = _after(cursor) if cursor is not None else None
    rows = reader.page(AlertFilter(state, source, symbol, since), after, limit)
    found = [AlertOut(**public_alert(row)) for row in rows]
    last = found[-1] if len(found) == limit else None
    return AlertPage(
        alerts=found, next_cursor=encode_cursor(last.raised_at, last.id) if last else None
    )


def _after(cursor: str) -> tuple[datetime, str]:
    try:
        raised, alert_id = decode_keyed_cursor(cursor)
    except InvalidCursor as error:
        raise invalid("cursor", str(error), cursor) from None
    if alert_id is None:  # a candle page's cursor
        raise invalid("cursor", "cursor is not one this API returned", cursor)
    return raised, alert_id
