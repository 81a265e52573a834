"""Producer settings, one class per concern, from the environment."""

from __future__ import annotations

import re

from pydantic import Field, HttpUrl, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coinstream_common.ticks import SYMBOL_PATTERN

KNOWN_SOURCES = ("simulated", "coingecko")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class ProducerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRODUCER_")

    # Comma-separated source names; `simulated` runs without internet.
    sources: str = "coingecko"
    user_agent: str = "coinstream/0.1 (+https://github.com/coinstream/coinstream)"
    http_timeout_s: float = Field(default=10.0, gt=0)

    @field_validator("sources")
    @classmethod
    def _known_sources(cls, value: str) -> str:
        names = _split(value)
        unknown = sorted(set(names) - set(KNOWN_SOURCES))
        if not names or unknown:
            raise ValueError(f"unknown or no sources {unknown or value!r}; known: {KNOWN_SOURCES}")
        return value

    @property
    def source_names(self) -> list[str]:
        return _split(self.sources)


class SimulatedSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIMULATED_")

    symbols: str = "BTC-USD"
    seed: int = 42
    trades_per_second: float = Field(default=5.0, gt=0, le=10_000)
    poll_interval_s: float = Field(default=0.25, gt=0)

    @field_validator("symbols")
    @classmethod
    def _valid_symbols(cls, value: str) -> str:
        bad = [s for s in _split(value) if not re.fullmatch(SYMBOL_PATTERN, s)]
        if bad or not _split(value):
            raise ValueError(f"symbols must look like BTC-USD, got {bad or value!r}")
        return value

    @property
    def symbol_list(self) -> list[str]:
        return _split(self.symbols)


class CoinGeckoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COINGECKO_")

    base_url: HttpUrl = HttpUrl("https://api.coingecko.com/api/v3")
    # coin id = symbol pairs; the symbol is what the rest of the pipeline sees.
    coins: str = "bitcoin=BTC-USD,ethereum=ETH-USD"
    vs_currency: str = "usd"
    # Keyless and demo plans refresh /simple/price once a minute; polling faster returns the same.
    poll_interval_s: float = Field(default=60.0, ge=10)

    @field_validator("coins")
    @classmethod
    def _valid_coins(cls, value: str) -> str:
        for item in _split(value):
            coin, _, symbol = item.partition("=")
            if not coin.strip() or not re.fullmatch(SYMBOL_PATTERN, symbol.strip()):
                raise ValueError(
                    f"coins must be id=SYMBOL pairs like bitcoin=BTC-USD, got {item!r}"
                )
        return value

    @property
    def coin_symbols(self) -> dict[str, str]:
        pairs = (item.partition("=") for item in _split(self.coins))
        return {coin.strip(): symbol.strip() for coin, _, symbol in pairs}
