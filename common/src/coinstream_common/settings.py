"""Settings shared by more than one service, one class per concern, all from the environment."""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def comma_separated(text: str) -> list[str]:
    """The items of a comma-separated variable, stripped, blank ones dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


def check_names(text: str, pattern: str, what: str) -> str:
    """`text` if it lists at least one name and each matches `pattern`, else a ValueError
    that starts with `what` ("symbols must look like BTC-USD") and names the bad ones."""
    names = comma_separated(text)
    bad = [name for name in names if not re.fullmatch(pattern, name)]
    if bad or not names:
        raise ValueError(f"{what}, got {bad or text!r}")
    return text


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAFKA_")

    bootstrap_servers: str = "127.0.0.1:9092"
    ticks_topic: str = "ticks"
    # The replicas every topic is made with (the topics service, `make run`); the producer
    # refuses to start on a checkpoint topic with fewer.
    replication_factor: int = Field(default=1, ge=1)

    def client_config(self) -> dict[str, Any]:
        # librdkafka's own messages go through `logging`, so they come out as JSON too.
        return {
            "bootstrap.servers": self.bootstrap_servers,
            "logger": logging.getLogger("librdkafka"),
        }


def topic_reader_config(
    kafka: KafkaSettings, group_id: str, session_timeout_ms: int
) -> dict[str, Any]:
    """A group member that reads the ticks topic as fast as it can (the candle consumer,
    the alerter): it commits only what it has handled, and starts from the beginning."""
    return kafka.client_config() | {
        "group.id": group_id,
        "session.timeout.ms": session_timeout_ms,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        # librdkafka pauses fetching for this long whenever its queue is full. Its default
        # (1 s) starves a fast consumer; 0 makes its fetch thread spin while a slower one
        # catches up (measured: 6-10 s of CPU per million messages, against 0.5 s at 10 ms).
        "fetch.queue.backoff.ms": 10,
        # Prefetch deeply (still capped at queued.max.messages.kbytes, 64 MB by default),
        # so a backlog is read while the last batch is being handled.
        "queued.min.messages": 500_000,
        # Larger fetches than librdkafka's 1 MB a partition: fewer requests for the broker
        # to serve on the same cores (docs/consumer.md, "Fetch sizes").
        "max.partition.fetch.bytes": 8 * 1024 * 1024,
        "fetch.max.bytes": 64 * 1024 * 1024,
    }


class MongoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MONGO_")

    uri: str = "mongodb://127.0.0.1:27017"
    database: str = "coinstream"
    timeout_ms: int = Field(default=5000, gt=0)


class LogSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOG_")

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class MetricsSettings(BaseSettings):
    """Where a worker serves its Prometheus metrics (the API serves them on its own port)."""

    model_config = SettingsConfigDict(env_prefix="METRICS_")

    host: str = "127.0.0.1"
    port: int = Field(default=9100, ge=0, le=65535)
