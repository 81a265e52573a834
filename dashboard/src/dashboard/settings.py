"""Dashboard settings, from DASHBOARD_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DashboardSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DASHBOARD_")

    api_url: str = "http://127.0.0.1:8000"
    refresh_s: float = Field(default=2.0, ge=0.5)
    default_source: str = "coingecko"
    default_symbol: str = "BTC-USD"
    api_timeout_s: float = Field(default=5.0, gt=0)
