"""CoinGecko `/simple/price`: one request for all coins, a quote tick per coin that moved.

Response shape: {"bitcoin": {"usd": 67187.33, "usd_24h_vol": 3.1e10,
"usd_24h_change": 3.63, "last_updated_at": 1711356300}}. An unknown id is simply
absent (a 200 with `{}`), and `usd_24h_change` may be null for a stale coin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx

from coinstream_common.ticks import now_ms, quote_event_id
from producer.sources.base import PollResult, SourceError, validate_all

SOURCE_NAME = "coingecko"


def parse_simple_price(
    payload: object,
    coin_symbols: Mapping[str, str],
    vs_currency: str,
    ingest_time: int,
) -> list[dict[str, object]]:
    """Candidate ticks from a /simple/price body; raise SourceError if its shape is wrong."""
    if not isinstance(payload, dict):
        raise SourceError("bad_payload", f"expected an object, got {type(payload).__name__}")
    candidates: list[dict[str, object]] = []
    for coin, symbol in coin_symbols.items():
        quote = payload.get(coin)
        if not isinstance(quote, dict):
            continue
        updated_at = quote.get("last_updated_at")
        # Seconds from CoinGecko; anything but an int is left for validation to reject.
        event_time: object = updated_at
        if isinstance(updated_at, int) and not isinstance(updated_at, bool):
            event_time = updated_at * 1000
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


class CoinGeckoSource:
    name = SOURCE_NAME

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        coin_symbols: Mapping[str, str],
        vs_currency: str,
        poll_interval_s: float,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.poll_interval_s = poll_interval_s
        self._client = client
        self._url = base_url.rstrip("/") + "/simple/price"
        self._coin_symbols = dict(coin_symbols)
        self._vs = vs_currency
        self._clock = clock
        # A quote whose source time has not moved is the same quote again: not a new tick.
        self._last_event_id: dict[str, str] = {}

    async def poll(self) -> PollResult:
        params = {
            "ids": ",".join(self._coin_symbols),
            "vs_currencies": self._vs,
            "include_24hr_vol": "true",
            "include_24hr_change": "true",
            "include_last_updated_at": "true",
            "precision": "full",
        }
        try:
            response = await self._client.get(self._url, params=params)
        except httpx.TimeoutException as error:
            raise SourceError("timeout", str(error) or "request timed out") from error
        except httpx.TransportError as error:
            raise SourceError("connection", str(error) or type(error).__name__) from error
        if response.status_code != httpx.codes.OK:
            raise SourceError(f"http_{response.status_code}", response.text[:200])
        try:
            payload = response.json()
        except ValueError as error:
            raise SourceError("bad_json", response.text[:200]) from error
        result = validate_all(
            parse_simple_price(payload, self._coin_symbols, self._vs, self._clock())
        )
        fresh = [t for t in result.ticks if self._last_event_id.get(t.symbol) != t.event_id]
        for tick in fresh:
            self._last_event_id[tick.symbol] = tick.event_id
        result.ticks = fresh
        return result
