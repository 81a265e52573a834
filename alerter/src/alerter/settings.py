"""Alerter settings, from ALERT_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, HttpUrl, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coinstream_common.alerts import ALERTS_TOPIC


class AlerterSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALERT_")

    rules_file: Path = Path("deploy/alert-rules.example.yml")
    group_id: str = "coinstream-alerter"
    topic: str = ALERTS_TOPIC
    # Events are stored, published and the offsets committed this often.
    flush_interval_ms: int = Field(default=500, gt=0)
    batch_size: int = Field(default=5000, gt=0)
    session_timeout_ms: int = Field(default=10_000, ge=6_000)
    # A restart reads again this long (of message time) beyond its price rules' longest
    # window's twice, before its committed offset, to rebuild the windows (docs/alerts.md).
    warm_margin_s: float = Field(default=60, ge=0)
    # Health rules (stale_feed, consumer_lag) are measured this often, by the wall clock.
    check_interval_s: float = Field(default=5, gt=0)
    # The candle consumer whose lag consumer_lag rules watch, and its metrics endpoints
    # (comma-separated), read for its watermark's delay.
    consumer_group_id: str = "coinstream-consumer"
    consumer_metrics_urls: str = "http://127.0.0.1:9102/metrics"
    # POSTed every transition when set; retried with backoff, never blocking the ticks.
    webhook_url: HttpUrl | None = None
    webhook_timeout_s: float = Field(default=5, gt=0)
    webhook_retry_base_s: float = Field(default=0.5, gt=0)
    webhook_retry_cap_s: float = Field(default=60, gt=0)

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # Compose passes an unset ALERT_WEBHOOK_URL as "".
        return value or None


class IndexSettings(BaseSettings):
    """The composite index price (docs/alerts.md), from INDEX_* variables."""

    model_config = SettingsConfigDict(env_prefix="INDEX_")

    enabled: bool = True
    # A source whose newest tick is older than this (behind the symbol's newest) is not live.
    max_age_s: float = Field(default=60, gt=0)
    # With three live sources or more, one this far from the median of the others is out.
    max_deviation_pct: float = Field(default=2, gt=0)
