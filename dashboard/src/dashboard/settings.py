"""Dashboard settings, from DASHBOARD_* environment variables."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class DashboardSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DASHBOARD_")

    api_url: str = "http://127.0.0.1:8000"
    api_timeout_s: float = Field(default=5.0, gt=0)
    refresh_s: float = Field(default=2.0, ge=0.5)
    default_source: str = "coingecko"
    default_symbol: str = "BTC-USD"
    # API answers are shared by every session for this long.
    cache_ttl_s: float = Field(default=1.0, gt=0)
    # Candles per chart at most (the API's default maximum page is 1500).
    max_points: int = Field(default=1440, gt=1)
    # Age of the newest tick: up to fresh_s "fresh", past stale_s "stale", "delayed" between.
    # CoinGecko refreshes once a minute, so its quotes are often a minute or two old.
    fresh_s: float = Field(default=90.0, gt=0)
    stale_s: float = Field(default=300.0, gt=0)

    @model_validator(mode="after")
    def _fresh_before_stale(self) -> Self:
        if self.fresh_s >= self.stale_s:
            raise ValueError("fresh_s must be less than stale_s")
        return self
