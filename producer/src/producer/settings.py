"""Producer settings, one class per concern, from the environment."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, HttpUrl, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coinstream_common.ticks import SYMBOL_PATTERN

KNOWN_SOURCES = ("simulated", "coingecko", "coinbase", "kraken", "binance", "replay")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _check_symbols(value: str) -> str:
    bad = [s for s in _split(value) if not re.fullmatch(SYMBOL_PATTERN, s)]
    if bad or not _split(value):
        raise ValueError(f"symbols must look like BTC-USD, got {bad or value!r}")
    return value


class ProducerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRODUCER_")

    # Comma-separated source names; `simulated` runs without internet.
    sources: str = "coingecko"
    user_agent: str = "coinstream/0.1 (+https://github.com/coinstream/coinstream)"
    http_timeout_s: float = Field(default=10.0, gt=0)
    # Ticks waiting for the broker (the Kafka client's queue, and as many again to resend).
    buffer_max_ticks: int = Field(default=100_000, ge=100)
    # How long the Kafka client retries a tick before it is reported undelivered and resent.
    delivery_timeout_ms: int = Field(default=300_000, ge=1000)
    checkpoint_topic: str = "coinstream-producer-checkpoints"
    # Hours of history published for a symbol the ticks topic has none of; 0 turns it off.
    backfill_hours: float = Field(default=24.0, ge=0, le=24)
    # If set, every tick from a live source is also appended here (JSONL, for `replay`).
    record_path: Path | None = None
    shutdown_timeout_s: float = Field(default=10.0, gt=0)

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


class HttpRetrySettings(BaseSettings):
    """Retries, backoff and the circuit breaker, the same for every HTTP source."""

    model_config = SettingsConfigDict(env_prefix="HTTP_RETRY_")

    max_attempts: int = Field(default=4, ge=1, le=20)
    backoff_base_s: float = Field(default=1.0, gt=0)
    backoff_cap_s: float = Field(default=60.0, gt=0)
    breaker_failures: int = Field(default=5, ge=1)
    breaker_cooldown_s: float = Field(default=60.0, gt=0)


class SimulatedSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIMULATED_")

    symbols: str = "BTC-USD"
    seed: int = 42
    trades_per_second: float = Field(default=5.0, gt=0, le=10_000)
    poll_interval_s: float = Field(default=0.25, gt=0)
    # Seeded history for the backfill; off by default, the simulated market starts now.
    backfill: bool = False

    @field_validator("symbols")
    @classmethod
    def _valid_symbols(cls, value: str) -> str:
        return _check_symbols(value)

    @property
    def symbol_list(self) -> list[str]:
        return _split(self.symbols)


CoinGeckoPlan = Literal["keyless", "demo", "pro"]
_GECKO_HOSTS = {
    "keyless": "https://api.coingecko.com/api/v3",
    "demo": "https://api.coingecko.com/api/v3",
    "pro": "https://pro-api.coingecko.com/api/v3",
}
# Under the published limits (keyless 5-15 calls/min per IP, demo 30, paid 500+), counting
# the burst of one: keyless makes at most 5 calls in any minute.
_GECKO_CALLS_PER_MINUTE = {"keyless": 4.0, "demo": 25.0, "pro": 250.0}


class CoinGeckoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COINGECKO_")

    plan: CoinGeckoPlan = "keyless"
    api_key: SecretStr | None = None
    # Overrides the plan's host (tests, proxies).
    base_url: HttpUrl | None = None
    # coin id = symbol pairs; the symbol is what the rest of the pipeline sees.
    coins: str = "bitcoin=BTC-USD,ethereum=ETH-USD"
    vs_currency: str = "usd"
    # Keyless and demo plans refresh /simple/price once a minute; polling faster returns the same.
    poll_interval_s: float = Field(default=60.0, ge=10)
    requests_per_minute: float | None = Field(default=None, gt=0)

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

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_is_no_key(cls, value: object) -> object:
        # Compose passes an unset variable as an empty string.
        return None if value == "" else value

    @model_validator(mode="after")
    def _key_matches_plan(self) -> Self:
        if (self.plan == "keyless") != (self.api_key is None):
            raise ValueError("COINGECKO_API_KEY is needed for the demo and pro plans, only then")
        return self

    @property
    def coin_symbols(self) -> dict[str, str]:
        pairs = (item.partition("=") for item in _split(self.coins))
        return {coin.strip(): symbol.strip() for coin, _, symbol in pairs}

    @property
    def url(self) -> str:
        return str(self.base_url) if self.base_url else _GECKO_HOSTS[self.plan]

    @property
    def key_header(self) -> dict[str, str]:
        if self.api_key is None:
            return {}
        return {f"x-cg-{self.plan}-api-key": self.api_key.get_secret_value()}

    @property
    def requests_per_s(self) -> float:
        return (self.requests_per_minute or _GECKO_CALLS_PER_MINUTE[self.plan]) / 60


class ExchangeSettings(BaseSettings):
    """What each exchange adapter needs; the subclasses set the prefix and the defaults."""

    base_url: HttpUrl
    symbols: str = "BTC-USD,ETH-USD"
    poll_interval_s: float = Field(default=1.0, gt=0)
    # Requests a second, kept under the exchange's documented public limit.
    requests_per_second: float = Field(default=5.0, gt=0)

    @field_validator("symbols")
    @classmethod
    def _valid_symbols(cls, value: str) -> str:
        return _check_symbols(value)

    @property
    def symbol_list(self) -> list[str]:
        return _split(self.symbols)


class CoinbaseSettings(ExchangeSettings):
    """Coinbase Exchange: public limit about 10 requests/s per IP."""

    model_config = SettingsConfigDict(env_prefix="COINBASE_")

    base_url: HttpUrl = HttpUrl("https://api.exchange.coinbase.com")


class KrakenSettings(ExchangeSettings):
    """Kraken: public limit about 1 request/s."""

    model_config = SettingsConfigDict(env_prefix="KRAKEN_")

    base_url: HttpUrl = HttpUrl("https://api.kraken.com/0")
    poll_interval_s: float = Field(default=5.0, gt=0)
    requests_per_second: float = Field(default=0.5, gt=0)


class BinanceSettings(ExchangeSettings):
    """Binance: 6000 request weight a minute per IP; the calls used weigh 2 to 4."""

    model_config = SettingsConfigDict(env_prefix="BINANCE_")

    base_url: HttpUrl = HttpUrl("https://api.binance.com")
    symbols: str = "BTC-USDT,ETH-USDT"


class ReplaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REPLAY_")

    path: Path = Path("ticks.jsonl")
    # 1 keeps the recorded pace, 10 is ten times faster, 0 as fast as the producer goes.
    speed: float = Field(default=1.0, ge=0)
    batch_size: int = Field(default=5000, ge=1)
