"""Configuration from the environment: sources, symbols, CoinGecko plans and keys."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from producer.settings import ProducerSettings
from producer.sources.coingecko_settings import CoinGeckoSettings
from producer.sources.exchange_settings import BinanceSettings, KrakenSettings


def test_several_sources_each_with_several_symbols(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRODUCER_SOURCES", "coinbase, kraken,binance")
    monkeypatch.setenv("KRAKEN_SYMBOLS", "BTC-USD,ETH-EUR")
    monkeypatch.setenv("BINANCE_BASE_URL", "https://data-api.binance.vision")
    assert ProducerSettings().source_names == ["coinbase", "kraken", "binance"]
    assert KrakenSettings().symbol_list == ["BTC-USD", "ETH-EUR"]
    assert KrakenSettings().requests_per_second <= 1  # Kraken's public limit is about 1/s
    assert str(BinanceSettings().base_url) == "https://data-api.binance.vision/"


@pytest.mark.parametrize(
    ("settings", "variable", "value"),
    [
        (ProducerSettings, "PRODUCER_SOURCES", "coinbase,bitstamp"),
        (ProducerSettings, "PRODUCER_SOURCES", ""),
        (ProducerSettings, "PRODUCER_BACKFILL_HOURS", "48"),
        (KrakenSettings, "KRAKEN_SYMBOLS", "XBTUSD"),
        (BinanceSettings, "BINANCE_REQUESTS_PER_SECOND", "0"),
    ],
)
def test_bad_values_are_refused_at_startup(
    monkeypatch: pytest.MonkeyPatch, settings: type[BaseSettings], variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError):
        settings()


def test_coingecko_plans_choose_host_header_and_budget() -> None:
    keyless = CoinGeckoSettings()
    assert (keyless.url, keyless.key_header) == ("https://api.coingecko.com/api/v3", {})
    # At most 5 calls in any minute with a burst of one: under the lowest published limit.
    assert keyless.requests_per_s * 60 + 1 <= 5
    pro = CoinGeckoSettings(plan="pro", api_key="CG-pro")
    assert pro.url == "https://pro-api.coingecko.com/api/v3"
    assert pro.key_header == {"x-cg-pro-api-key": "CG-pro"}
    assert "CG-pro" not in repr(pro)  # the key is a secret


@pytest.mark.parametrize(("plan", "key"), [("demo", None), ("keyless", "CG-key")])
def test_a_key_without_its_plan_or_a_plan_without_its_key_is_refused(
    plan: str, key: str | None
) -> None:
    with pytest.raises(ValidationError, match="COINGECKO_API_KEY"):
        CoinGeckoSettings(plan=plan, api_key=key)


def test_a_blank_key_from_compose_means_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COINGECKO_API_KEY", "")
    assert CoinGeckoSettings().api_key is None
