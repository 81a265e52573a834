"""The simulated market's settings, from SIMULATED_* environment variables."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from producer.settings import SymbolSettings
from producer.sources.jumps import Jump, parse_jumps


class SimulatedSettings(SymbolSettings):
    model_config = SettingsConfigDict(env_prefix="SIMULATED_")

    symbols: str = "BTC-USD"
    seed: int = 42
    trades_per_second: float = Field(default=5.0, gt=0, le=10_000)
    poll_interval_s: float = Field(default=0.25, gt=0)
    # Seeded history for the backfill; off by default, the simulated market starts now.
    backfill: bool = False
    # Scripted jumps, e.g. "BTC-USD:+10%@60s" (producer/sources/jumps.py); empty: none.
    jumps: str = ""

    @field_validator("jumps")
    @classmethod
    def _valid_jumps(cls, value: str) -> str:
        parse_jumps(value)
        return value

    @property
    def jump_list(self) -> tuple[Jump, ...]:
        return parse_jumps(self.jumps)
