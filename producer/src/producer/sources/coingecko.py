"""CoinGecko `/simple/price`: one request for all coins, a quote tick per coin that moved.

Response shape: {"bitcoin": {"usd": 67187.33, "usd_24h_vol": 3.1e10,
"usd_24h_change": 3.63, "last_updated_at": 1711356300}}. An unknown id is simply
absent (a 200 with `{}`), and `usd_24h_change` may be null for a stale coin. History
comes from `/coins/{id}/market_chart?days=1`: 5-minute points in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from coinstream_common.ticks import now_ms, quote_event_id
from producer.http import SourceHttp
from producer.sources.base import PollResult, SourceConfigError, validate_all
from producer.sources.parsing import expect_dict, expect_list, integer

SOURCE_NAME = "coingecko"


def parse_simple_price(
    payload: object, coin_symbols: Mapping[str, str], vs_currency: str, ingest_time: int
) -> list[dict[str, object]]:
    """Candidate ticks from a /simple/price body; raise SourceError if its shape is wrong."""
    quotes = expect_dict(payload, "simple/price")
    candidates: list[dict[str, object]] = []
    for coin, symbol in coin_symbols.items():
        quote = quotes.get(coin)
        if not isinstance(quote, dict):
            continue
        # Seconds from CoinGecko; anything but an int is left for validation to reject.
        updated_at = integer(quote.get("last_updated_at"))
        event_time = None if updated_at is None else updated_at * 1000
        candidates.append(
            {
                "event_id": quote_event_id(SOURCE_NAME, symbol, event_time),
                "source": SOURCE_NAME,
                "symbol": symbol,
                "kind": "quote",
                "price": quote.get(vs_currency),
                "event_time": event_time,
                "ingest_time": ingest_time,
                "volume_24h": quote.get(f"{vs_currency}_24h_vol"),
                "change_24h_pct": quote.get(f"{vs_currency}_24h_change"),
            }
        )
    return candidates


def parse_market_chart(
    payload: object, symbol: str, since_ms: int, until_ms: int
) -> list[dict[str, object]]:
    """Backfill quotes from a market_chart body: prices, with the rolling volume beside them."""
    chart = expect_dict(payload, "market_chart")
    prices = expect_list(chart.get("prices"), "market_chart.prices")
    volumes: dict[int | None, object] = {}
    for point in expect_list(chart.get("total_volumes", []), "market_chart.total_volumes"):
        if isinstance(point, list) and len(point) == 2:
            volumes[integer(point[0])] = point[1]
    candidates: list[dict[str, object]] = []
    for point in prices:
        if not isinstance(point, list) or len(point) != 2:
            continue
        moment = integer(point[0])
        if moment is not None and not since_ms <= moment < until_ms:
            continue
        candidates.append(
            {
                "event_id": quote_event_id(SOURCE_NAME, symbol, moment),
                "source": SOURCE_NAME,
                "symbol": symbol,
                "kind": "quote",
                "price": point[1],
                "event_time": moment,
                "ingest_time": until_ms,
                "backfill": True,
                "volume_24h": volumes.get(moment),
            }
        )
    return candidates


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
