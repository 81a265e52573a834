"""CoinGecko answers, parsed. Pure: JSON in, candidate quote ticks out.

/simple/price: {"bitcoin": {"usd": 67187.33, "usd_24h_vol": 3.1e10, "usd_24h_change": 3.63,
"last_updated_at": 1711356300}} (seconds); an unknown id is simply absent (a 200 with
`{}`), and `usd_24h_change` may be null for a stale coin. /coins/{id}/market_chart:
{"prices": [[ms, price], ...], "market_caps": [...], "total_volumes": [[ms, v], ...]}.
"""

from __future__ import annotations

from collections.abc import Mapping

from coinstream_common.ticks import quote_event_id
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
