"""A page of candles: the query a request to /v1/candles resolves to, its checks, and its
encoded body (see queries.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson

from api.encoded import Encoded
from api.pagination import encode_cursor
from api.params import invalid
from api.repository import CandleReader
from api.settings import ApiSettings
from coinstream_common.intervals import Interval

DEFAULT_RANGE = timedelta(hours=24)


@dataclass(frozen=True)
class CandleQuery:
    """A request's parameters; also its cache key, so "now" is resolved only when loading."""

    source: str
    symbol: str
    interval: Interval
    start: datetime | None
    end: datetime | None
    after: datetime | None
    limit: int

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        end = self.end or now
        return self.start or end - DEFAULT_RANGE, end

    def check(self, settings: ApiSettings) -> None:
        """The window is not empty and not wider than the server allows (end may be now)."""
        start, end = self.window(datetime.now(UTC))
        if start >= end:
            raise invalid(
                "start", "start must be before end (end defaults to now)", start.isoformat()
            )
        spanned = (end - start) / timedelta(milliseconds=self.interval.millis)
        if spanned > settings.max_range_candles:
            raise invalid(
                "end",
                f"start to end spans {spanned:.0f} {self.interval} candles; "
                f"at most {settings.max_range_candles} per request",
                end.isoformat(),
            )

    def load(self, reader: CandleReader) -> Encoded:
        """The page as JSON bytes, plain and gzipped: rows go from Mongo to orjson without
        a model per row."""
        start, end = self.window(datetime.now(UTC))
        rows = reader.page(
            self.source,
            self.symbol,
            self.interval,
            start=start,
            end=end,
            after=self.after,
            limit=self.limit + 1,
        )
        more = len(rows) > self.limit
        page = {
            "source": self.source,
            "symbol": self.symbol,
            "interval": self.interval.value,
            "start": start,
            "end": end,
            "candles": rows[: self.limit],
            "next_cursor": encode_cursor(rows[self.limit - 1]["start"]) if more else None,
        }
        return Encoded.of(orjson.dumps(page, option=orjson.OPT_UTC_Z))
