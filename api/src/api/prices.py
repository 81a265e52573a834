"""The query behind /v1/prices/latest: the close of the newest candle of the finest
interval, and how old it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from api.encoded import Reply
from api.http_caching import entity_tag
from api.repository import CandleReader
from api.settings import ApiSettings


@dataclass(frozen=True, slots=True)
class AgedPrice:
    """The body with its age left out: the age is the one field that changes between two
    requests that share a load, so it is filled in per response between the encoded parts
    before and after it.

    Its ETag is then of the body each response carries, computed per response (the body
    is a few hundred bytes): two responses share a tag only if they are byte for byte the
    same, which the age makes rare, so a conditional request nearly always gets the new
    price and its age (a 200). A tag of the load alone would claim a body that was never
    sent."""

    time: datetime
    before_age: bytes
    after_age: bytes

    def reply(self, gzip_accepted: bool) -> Reply:  # noqa: ARG002 - too small to gzip
        age_s = max(0.0, (datetime.now(UTC) - self.time).total_seconds())
        body = self.before_age + orjson.dumps(age_s) + self.after_age
        return Reply.json(body, entity_tag(body))


@dataclass(frozen=True)
class LatestPriceQuery:
    source: str
    symbol: str

    def check(self, settings: ApiSettings) -> None:
        """Nothing here depends on the time."""

    def load(self, reader: CandleReader) -> AgedPrice | None:
        newest = reader.newest_finest(self.source, self.symbol)
        if newest is None:
            return None
        interval, candle = newest
        fields = {
            "source": self.source,
            "symbol": self.symbol,
            "price": candle["close"],
            "time": candle["last_event_time"],
        }
        before_age = orjson.dumps(fields, option=orjson.OPT_UTC_Z)[:-1] + b',"age_s":'
        after_age = b',"interval":' + orjson.dumps(interval.value) + b"}"
        return AgedPrice(candle["last_event_time"], before_age, after_age)
