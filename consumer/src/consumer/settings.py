"""Consumer settings, from CONSUMER_* environment variables."""

from __future__ import annotations

from typing import Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coinstream_common.intervals import Interval, parse_intervals


class ConsumerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSUMER_")

    group_id: str = "coinstream-consumer"
    # Comma-separated; kept as text so the environment variable reads naturally.
    intervals: str = "1m,5m,1h,1d"
    allowed_lateness_ms: int = Field(default=5000, ge=0)
    # A series with no ticks for this long lets its windows close anyway; timed by the
    # ingest times read from its partition (consumer/partition_clock.py).
    idle_timeout_ms: int = Field(default=10_000, gt=0)
    flush_interval_ms: int = Field(default=500, gt=0)
    # Any one database operation (a write of a flush, a restore's read) fails after this
    # long, and a failed write is retried: a stalled server pauses the consumer, never
    # freezes it.
    db_timeout_ms: int = Field(default=15_000, gt=0)
    batch_size: int = Field(default=5000, gt=0)
    # Flush once this many messages are unwritten, however far behind: bounds memory.
    max_unflushed: int = Field(default=100_000, gt=0)
    # How soon a crashed member's partitions move on (librdkafka's default is 45 s).
    session_timeout_ms: int = Field(default=10_000, ge=6_000)
    # Event ids remembered per series to recognise re-sent ticks: those ingested in this
    # window's multiple of epoch time holding the newest tick, and in the one before.
    dedup_window_ms: int = Field(default=10 * 60_000, ge=10 * 60_000)
    # Raw buckets are kept this long before the newest tick's ingest time; dedup across a
    # restart reads them, so this covers two dedup windows at least.
    raw_retention_hours: float = Field(default=7 * 24, gt=0)
    # Retention's delete reads the whole collection on FerretDB, and the flush waits for
    # it: it runs this often, and first this long after start, never while a restart
    # catches up.
    raw_retention_every_s: float = Field(default=300, gt=0)
    late_topic: str = "ticks.late"
    dead_letter_topic: str = "ticks.dlq"

    @field_validator("intervals")
    @classmethod
    def _known_intervals(cls, value: str) -> str:
        parse_intervals(value)
        return value

    @model_validator(mode="after")
    def _retention_covers_dedup(self) -> Self:
        if self.raw_retention_ms < 2 * self.dedup_window_ms:
            raise ValueError("raw_retention_hours must cover twice dedup_window_ms")
        return self

    @property
    def raw_retention_ms(self) -> int:
        return int(self.raw_retention_hours * 3_600_000)

    @property
    def interval_set(self) -> tuple[Interval, ...]:
        return parse_intervals(self.intervals)
