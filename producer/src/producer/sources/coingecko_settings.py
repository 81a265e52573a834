"""CoinGecko's settings, from COINGECKO_* environment variables: the plan picks the host,
the key's header and the request budget."""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import Field, HttpUrl, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coinstream_common.settings import comma_separated
from coinstream_common.ticks import SYMBOL_PATTERN

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
        for item in comma_separated(value):
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
        pairs = (item.partition("=") for item in comma_separated(self.coins))
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
