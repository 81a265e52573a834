"""Consumer settings, from CONSUMER_* environment variables."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coinstream_common.intervals import Interval, parse_intervals


class ConsumerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSUMER_")

    group_id: str = "coinstream-consumer"
    # Comma-separated; kept as text so the environment variable reads naturally.
    intervals: str = "1m,5m,1h,1d"
    allowed_lateness_ms: int = Field(default=5000, ge=0)
    flush_interval_ms: int = Field(default=500, gt=0)
    batch_size: int = Field(default=1000, gt=0)

    @field_validator("intervals")
    @classmethod
    def _known_intervals(cls, value: str) -> str:
        parse_intervals(value)
        return value

    @property
    def interval_set(self) -> tuple[Interval, ...]:
        return parse_intervals(self.intervals)
