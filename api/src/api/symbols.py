"""The query behind /v1/symbols: each (source, symbol) pair that has candles."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from api.encoded import Encoded
from api.repository import CandleReader
from api.settings import ApiSettings


@dataclass(frozen=True)
class SymbolsQuery:
    sources: tuple[str, ...]

    def check(self, settings: ApiSettings) -> None:
        """Nothing here depends on the time."""

    def load(self, reader: CandleReader) -> Encoded:
        found = []
        for source, symbol in reader.pairs(self.sources):
            newest = reader.newest_finest(source, symbol)
            if newest is None:
                continue
            interval, candle = newest
            found.append(
                {
                    "source": source,
                    "symbol": symbol,
                    "interval": interval.value,
                    "first_candle_start": reader.oldest_start(source, symbol, interval)
                    or candle["start"],
                    "last_candle_start": candle["start"],
                }
            )
        return Encoded.of(orjson.dumps({"symbols": found}, option=orjson.OPT_UTC_Z))
