"""CoinGecko `/simple/price`: one request for all coins, a quote tick per coin that moved.

Keyless, demo and pro plans differ only in host and key header (see settings). An
unknown coin id is absent from the answer: at startup that is a configuration error.
History comes from `/coins/{id}/market_chart?days=1`: 5-minute points.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from coinstream_common.ticks import now_ms
from producer.http import SourceHttp
from producer.sources.base import PollResult, SourceConfigError, validate_all
from producer.sources.coingecko_payloads import (
    SOURCE_NAME,
    parse_market_chart,
    parse_simple_price,
)
from producer.sources.parsing import expect_dict, integer


class CoinGeckoSource:
    name = SOURCE_NAME
    supports_history = True

    def __init__(
        self,
        http: SourceHttp,
        *,
        coin_symbols: Mapping[str, str],
        vs_currency: str,
        poll_interval_s: float,
        now: Callable[[], int] = now_ms,
    ) -> None:
        self.poll_interval_s = poll_interval_s
        self._http = http
        self._coin_symbols = dict(coin_symbols)
        self._vs = vs_currency
        self._now = now
        # A quote whose source time has not moved is the same quote again: not a new tick.
        self._last_time: dict[str, int] = {}
        # The startup check's answer serves as the first poll: keyless calls are scarce.
        self._unpolled: object | None = None

    @property
    def streams(self) -> Sequence[str]:
        return list(self._coin_symbols.values())

    async def start(self, cursors: Mapping[str, str]) -> None:
        payload = await self._fetch()
        quotes = expect_dict(payload, "simple/price")
        missing = [coin for coin in self._coin_symbols if not isinstance(quotes.get(coin), dict)]
        if missing:
            raise SourceConfigError(
                "unknown_coin", f"CoinGecko knows no coin id {', '.join(missing)}"
            )
        for symbol, cursor in cursors.items():
            if (moment := integer(cursor)) is not None:
                self._last_time[symbol] = moment
        self._unpolled = payload

    async def poll(self) -> PollResult:
        payload, self._unpolled = self._unpolled, None
        if payload is None:
            payload = await self._fetch()
        candidates = parse_simple_price(payload, self._coin_symbols, self._vs, self._now())
        result = validate_all(candidates)
        result.ticks = [t for t in result.ticks if t.event_time > self._last_time.get(t.symbol, 0)]
        for tick in result.ticks:
            self._last_time[tick.symbol] = tick.event_time
            result.cursors[tick.symbol] = str(tick.event_time)
        return result

    async def history(self, stream: str, since_ms: int, until_ms: int) -> PollResult:
        coin = next(c for c, s in self._coin_symbols.items() if s == stream)
        response = await self._http.get_json(
            f"/coins/{coin}/market_chart", {"vs_currency": self._vs, "days": 1}
        )
        return validate_all(parse_market_chart(response.payload, stream, since_ms, until_ms))

    async def _fetch(self) -> object:
        params = {
            "ids": ",".join(self._coin_symbols),
            "vs_currencies": self._vs,
            "include_24hr_vol": "true",
            "include_24hr_change": "true",
            "include_last_updated_at": "true",
            "precision": "full",
        }
        return (await self._http.get_json("/simple/price", params)).payload
