"""API settings, from API_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="API_")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    default_limit: int = Field(default=500, gt=0)
    max_limit: int = Field(default=1500, gt=0)
