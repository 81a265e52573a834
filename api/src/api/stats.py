"""Rolling-window statistics folded from candles: the fold is pure, the query reads the
candles it folds (see queries.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import orjson

from api.encoded import Encoded
from api.repository import CandleReader
from api.settings import ApiSettings
from coinstream_common.intervals import Interval


class StatsWindow(StrEnum):
    H1 = "1h"
    H24 = "24h"
    D7 = "7d"

    @property
    def duration(self) -> timedelta:
        return {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}[
            self.value
        ]

    @property
    def interval(self) -> Interval:
        """The candles a window is folded from: fine enough, and at most 1440 of them."""
        return Interval.H1 if self is StatsWindow.D7 else Interval.M1


@dataclass(frozen=True)
class WindowStats:
    open: float
    last: float
    change_pct: float
    high: float
    low: float
    volume: float
    vwap: float | None
    count: int
    trade_count: int
    candles: int


def fold_window(rows: Sequence[Mapping[str, Any]]) -> WindowStats | None:
    """Stats over candles given oldest first; None when there are none."""
    if not rows:
        return None
    first, last = rows[0], rows[-1]
    volume = sum(row["volume"] for row in rows)
    notional = sum(row["notional"] for row in rows)
    return WindowStats(
        open=first["open"],
        last=last["close"],
        change_pct=(last["close"] - first["open"]) / first["open"] * 100.0,
        high=max(row["high"] for row in rows),
        low=min(row["low"] for row in rows),
        volume=volume,
        vwap=notional / volume if volume > 0 else None,
        count=sum(row["count"] for row in rows),
        trade_count=sum(row["trade_count"] for row in rows),
        candles=len(rows),
    )


@dataclass(frozen=True)
class StatsQuery:
    """The query behind /v1/stats: the window up to now, folded when it loads."""

    source: str
    symbol: str
    window: StatsWindow

    def check(self, settings: ApiSettings) -> None:
        """Nothing here depends on the time: the window always ends now."""

    def load(self, reader: CandleReader) -> Encoded | None:
        end = datetime.now(UTC)
        start = end - self.window.duration
        interval = self.window.interval
        folded = fold_window(reader.stats_rows(self.source, self.symbol, interval, start))
        if folded is None:
            return None
        body = {
            "source": self.source,
            "symbol": self.symbol,
            "window": self.window.value,
            "interval": interval.value,
            "start": start,
            "end": end,
            **asdict(folded),
        }
        return Encoded.of(orjson.dumps(body, option=orjson.OPT_UTC_Z))
