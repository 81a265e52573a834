"""What the producer as a whole reads from the environment, and what every source that
follows symbols shares; each source's own settings sit beside it in sources/."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coinstream_common.settings import check_names, comma_separated
from coinstream_common.ticks import SYMBOL_PATTERN

KNOWN_SOURCES = ("simulated", "coingecko", "coinbase", "kraken", "binance", "replay")


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
        names = comma_separated(value)
        unknown = sorted(set(names) - set(KNOWN_SOURCES))
        if not names or unknown:
            raise ValueError(f"unknown or no sources {unknown or value!r}; known: {KNOWN_SOURCES}")
        return value

    @property
    def source_names(self) -> list[str]:
        return comma_separated(self.sources)


class HttpRetrySettings(BaseSettings):
    """Retries, backoff and the circuit breaker, the same for every HTTP source."""

    model_config = SettingsConfigDict(env_prefix="HTTP_RETRY_")

    max_attempts: int = Field(default=4, ge=1, le=20)
    backoff_base_s: float = Field(default=1.0, gt=0)
    backoff_cap_s: float = Field(default=60.0, gt=0)
    breaker_failures: int = Field(default=5, ge=1)
    breaker_cooldown_s: float = Field(default=60.0, gt=0)


class SymbolSettings(BaseSettings):
    """The symbols a source follows, comma-separated; each source's subclass sets its
    variables' prefix and its default."""

    symbols: str

    @field_validator("symbols")
    @classmethod
    def _valid_symbols(cls, value: str) -> str:
        return check_names(value, SYMBOL_PATTERN, "symbols must look like BTC-USD")

    @property
    def symbol_list(self) -> list[str]:
        return comma_separated(self.symbols)
