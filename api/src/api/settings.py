"""API settings, one class per concern, from API_* environment variables."""

from __future__ import annotations

from functools import cached_property
from typing import Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coinstream_common.settings import check_names, comma_separated
from coinstream_common.ticks import SOURCE_PATTERN

DEFAULT_SOURCES = "coingecko,coinbase,kraken,binance,simulated,replay,index"


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="API_")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # The closed set of sources clients may ask for, comma-separated.
    sources: str = DEFAULT_SOURCES
    # Origins allowed to call the API from a browser, comma-separated; empty: none.
    cors_origins: str = ""
    default_limit: int = Field(default=500, gt=0)
    max_limit: int = Field(default=1500, gt=0)
    # The widest start..end one request may span, counted in candles of its interval
    # (10080: a week of 1m candles, 35 days of 5m, 420 days of 1h).
    max_range_candles: int = Field(default=10_080, gt=0)
    # /ready fails when the newest candle's last tick is older than this.
    ready_max_age_s: float = Field(default=300.0, gt=0)
    # Identical queries within this many seconds share one Mongo query; 0 turns caching off.
    # Also the answers' Cache-Control max-age, in whole seconds (http_caching.py).
    cache_ttl_s: float = Field(default=1.0, ge=0)
    # The oldest cached result still served while a background query refreshes it; past
    # this, requests wait for the refresh. Bounds how stale an answer can be when the
    # database is slower than the TTL (FerretDB under load: about a second per refresh).
    cache_max_stale_s: float = Field(default=10.0, gt=0)
    cache_max_entries: int = Field(default=256, gt=0)
    # A database reply slower than this fails its query (pymongo retries a read once) and
    # the request gets a 503, instead of holding it and every request sharing its query.
    query_timeout_s: float = Field(default=10.0, gt=0)

    @field_validator("sources")
    @classmethod
    def _valid_sources(cls, value: str) -> str:
        return check_names(value, SOURCE_PATTERN, "sources must be names like 'coingecko'")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.default_limit > self.max_limit:
            raise ValueError("default_limit must not exceed max_limit")
        if self.cache_max_stale_s < self.cache_ttl_s:
            raise ValueError("cache_max_stale_s must be at least cache_ttl_s")
        return self

    @cached_property  # checked on every request that names a source
    def source_names(self) -> tuple[str, ...]:
        return tuple(comma_separated(self.sources))

    @property
    def cors_origin_list(self) -> list[str]:
        return comma_separated(self.cors_origins)


class StreamSettings(BaseSettings):
    """Server-Sent Events: one poller shared by every client."""

    model_config = SettingsConfigDict(env_prefix="API_STREAM_")

    poll_s: float = Field(default=1.0, gt=0)
    heartbeat_s: float = Field(default=15.0, gt=0)
    # Updates queued per client; a client that falls further behind loses the oldest.
    queue_size: int = Field(default=100, gt=0)
