"""The alerter's Kafka and HTTP clients, as `python -m alerter` runs them."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from confluent_kafka import Consumer, Producer
from pymongo.database import Database

from alerter.health_watch import HealthSources, HealthWatch, health_rules
from alerter.index_feed import IndexFeed
from alerter.repository import AlertRepository
from alerter.rules import Rule
from alerter.settings import AlerterSettings, IndexSettings
from alerter.webhook import WebhookNotifier
from coinstream_common.backoff import Backoff
from coinstream_common.mongo import Document
from coinstream_common.settings import KafkaSettings, comma_separated, topic_reader_config


def consumer_config(kafka: KafkaSettings, settings: AlerterSettings) -> dict[str, Any]:
    return topic_reader_config(kafka, settings.group_id, settings.session_timeout_ms)


def producer_config(kafka: KafkaSettings) -> dict[str, Any]:
    return kafka.client_config() | {"enable.idempotence": True, "acks": "all", "linger.ms": 5}


def build_notifier(
    settings: AlerterSettings, repository: AlertRepository
) -> WebhookNotifier | None:
    if settings.webhook_url is None:
        return None
    return WebhookNotifier(
        str(settings.webhook_url),
        repository,
        httpx.Client(timeout=settings.webhook_timeout_s),
        Backoff(settings.webhook_retry_base_s, settings.webhook_retry_cap_s, random.Random()),  # noqa: S311 - jitter
    )


def build_health_watch(
    kafka: KafkaSettings,
    settings: AlerterSettings,
    db: Database[Document],
    repository: AlertRepository,
    rules: Sequence[Rule],
    *,
    on_stored: Callable[[], None],
) -> HealthWatch | None:
    if not health_rules(rules):
        return None
    probe = Consumer(
        kafka.client_config()
        | {"group.id": settings.consumer_group_id, "enable.auto.commit": False}
    )
    sources = HealthSources(
        db,
        probe,
        kafka.ticks_topic,
        comma_separated(settings.consumer_metrics_urls),
        httpx.Client(timeout=settings.check_interval_s),
    )
    return HealthWatch(rules, sources, repository, on_stored=on_stored)


def build_index_feed(
    kafka: KafkaSettings, settings: IndexSettings, producer: Producer
) -> IndexFeed | None:
    if not settings.enabled:
        return None
    return IndexFeed(
        producer, kafka.ticks_topic, round(settings.max_age_s * 1000), settings.max_deviation_pct
    )
