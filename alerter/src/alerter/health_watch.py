"""Takes the pipeline's health readings every few seconds and stores what they raise.

Each measure comes from where the pipeline already keeps it:
- a series' newest tick: `last_event_time` of its documents in `candle_series`, which
  the candle consumer writes;
- the consumer's lag: its group's committed offsets against the ticks topic's ends, from
  the broker, so a consumer that died still shows its lag growing;
- its watermark's delay: the largest `consumer_watermark_delay_seconds` its metrics
  endpoints report.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence

import httpx
from confluent_kafka import Consumer, KafkaException, TopicPartition
from prometheus_client.parser import text_string_to_metric_families
from pymongo.database import Database
from pymongo.errors import PyMongoError

from alerter.health_alerts import HealthAlerts, HealthReading, HealthRule
from alerter.repository import AlertRepository
from alerter.rules import ConsumerLagRule, Rule, StaleFeedRule
from coinstream_common.candle_buckets import SERIES_COLLECTION
from coinstream_common.epoch import to_epoch_ms
from coinstream_common.mongo import Document

log = logging.getLogger(__name__)
WATERMARK_DELAY_METRIC = "consumer_watermark_delay_seconds"
KAFKA_TIMEOUT_S = 10.0


class HealthSources:
    def __init__(
        self,
        db: Database[Document],
        lag_probe: Consumer,
        topic: str,
        metrics_urls: Sequence[str],
        http: httpx.Client,
    ) -> None:
        self._series = db[SERIES_COLLECTION]
        self._probe, self._topic = lag_probe, topic
        self._urls, self._http = tuple(metrics_urls), http

    def last_ticks(self) -> dict[tuple[str, str], int]:
        newest: dict[tuple[str, str], int] = {}
        fields = {"source": 1, "symbol": 1, "last_event_time": 1}
        for doc in self._series.find({}, fields):
            pair, at_ms = (
                (doc["source"], doc["symbol"]),
                to_epoch_ms(doc["last_event_time"]),
            )
            newest[pair] = max(newest.get(pair, at_ms), at_ms)
        return newest

    def lag_messages(self) -> int | None:
        try:
            topics = self._probe.list_topics(self._topic, timeout=KAFKA_TIMEOUT_S).topics
            partitions = [TopicPartition(self._topic, p) for p in topics[self._topic].partitions]
            lag = 0
            for tp in self._probe.committed(partitions, timeout=KAFKA_TIMEOUT_S):
                low, high = self._probe.get_watermark_offsets(tp, timeout=KAFKA_TIMEOUT_S)
                # Nothing committed yet: all that is still in the topic is behind.
                lag += high - (tp.offset if tp.offset >= 0 else low)
        except KafkaException as error:
            log.warning("consumer lag not read", extra={"error": str(error)})
            return None
        return lag

    def watermark_delay_s(self) -> float | None:
        delays = []
        for url in self._urls:
            try:
                text = self._http.get(url).raise_for_status().text
            except httpx.HTTPError as error:
                log.warning("consumer metrics not read", extra={"url": url, "error": str(error)})
                continue
            for family in text_string_to_metric_families(text):
                if family.name == WATERMARK_DELAY_METRIC:
                    delays += [sample.value for sample in family.samples]
        return max(delays, default=None)


class HealthWatch:
    def __init__(
        self,
        rules: Sequence[Rule],
        sources: HealthSources,
        repository: AlertRepository,
        *,
        on_stored: Callable[[], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._rules: Mapping[str, Rule] = {rule.name: rule for rule in rules}
        self._health_rules = health_rules(rules)
        self._sources, self._repository = sources, repository
        self._on_stored, self._clock = on_stored, clock
        self._alerts = HealthAlerts(self._health_rules)
        self._alerts.restore(repository.last_events())

    def run(self, stop: threading.Event, interval_s: float) -> None:
        while not stop.wait(interval_s):
            try:
                self.check()
            except PyMongoError as error:
                # Nothing stored, so nothing lost: the next check measures again.
                log.warning("health check failed", extra={"error": str(error)})

    def check(self) -> None:
        events = self._alerts.observe(self.reading())
        if events:
            self._repository.store(events, self._rules)
            for event in events:
                log.info(
                    "alert raised" if event.state == "active" else "alert resolved",
                    extra={"alert_id": event.alert_id, "value": event.value},
                )
            self._on_stored()

    def reading(self) -> HealthReading:
        rules = self._health_rules
        lag = [r for r in rules if isinstance(r, ConsumerLagRule)]
        return HealthReading(
            at_ms=round(self._clock() * 1000),
            last_tick_ms=(
                self._sources.last_ticks()
                if any(isinstance(r, StaleFeedRule) for r in rules)
                else {}
            ),
            lag_messages=(
                self._sources.lag_messages() if any(r.metric == "messages" for r in lag) else None
            ),
            watermark_delay_s=(
                self._sources.watermark_delay_s()
                if any(r.metric == "watermark_delay_s" for r in lag)
                else None
            ),
        )


def health_rules(rules: Sequence[Rule]) -> list[HealthRule]:
    return [rule for rule in rules if isinstance(rule, StaleFeedRule | ConsumerLagRule)]
