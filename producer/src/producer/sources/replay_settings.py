"""The replay source's settings, from REPLAY_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ReplaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REPLAY_")

    path: Path = Path("ticks.jsonl")
    # 1 keeps the recorded pace, 10 is ten times faster, 0 as fast as the producer goes.
    speed: float = Field(default=1.0, ge=0)
    batch_size: int = Field(default=5000, ge=1)
