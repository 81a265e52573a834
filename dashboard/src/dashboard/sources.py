"""Which source the dashboard opens on."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

INDEX_SOURCE = "index"
# A source whose newest candle started this long ago or less is live.
LIVE_WITHIN = timedelta(minutes=5)


def default_source(pairs: list[dict[str, Any]], configured: str, now: datetime) -> str:
    """The composite index when more than one source is live (one fair price beats any
    single feed); otherwise the configured default."""
    live = {
        row["source"]
        for row in pairs
        if row["source"] != INDEX_SOURCE
        and now - datetime.fromisoformat(row["last_candle_start"]) <= LIVE_WITHIN
    }
    has_index = any(row["source"] == INDEX_SOURCE for row in pairs)
    return INDEX_SOURCE if has_index and len(live) > 1 else configured
