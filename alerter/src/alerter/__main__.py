"""Run the alerter: `python -m alerter`. Exit status 2 means a bad setting or rule."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from confluent_kafka import Consumer, Producer
from pydantic import ValidationError

from alerter.app import PriceAlerter, price_rules
from alerter.clients import (
    build_health_watch,
    build_index_feed,
    build_notifier,
    consumer_config,
    producer_config,
)
from alerter.repository import NOTIFIED, PUBLISHED, AlertRepository
from alerter.rule_file import RuleFileError, load_rules
from alerter.settings import AlerterSettings, IndexSettings
from coinstream_common.logs import configure_logging
from coinstream_common.metrics import serve_metrics
from coinstream_common.mongo import connect, database
from coinstream_common.settings import KafkaSettings, LogSettings, MetricsSettings, MongoSettings
from coinstream_common.shutdown import exit_after_grace

log = logging.getLogger("alerter")
CONFIG_ERROR_EXIT = 2
DB_TIMEOUT_MS = 15_000


def main() -> int:
    configure_logging(LogSettings().level)
    try:
        settings, index_settings = AlerterSettings(), IndexSettings()
        rules = load_rules(settings.rules_file)
    except ValidationError as error:
        log.critical(
            "configuration error: the alerter cannot start",
            extra={"reason": "invalid_settings", "detail": str(error)},
        )
        return CONFIG_ERROR_EXIT
    except RuleFileError as error:
        log.critical(
            "configuration error: the alerter cannot start",
            extra={"reason": "invalid_rule", "rule": error.rule, "field": error.field,
                   "detail": error.reason, "file": str(settings.rules_file)},
        )  # fmt: skip
        return CONFIG_ERROR_EXIT
    kafka, mongo = KafkaSettings(), MongoSettings()
    serve_metrics(MetricsSettings())
    stop = threading.Event()

    def request_stop(*_: object) -> None:
        if not stop.is_set():
            stop.set()
            exit_after_grace()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, request_stop)
    client = connect(mongo, "coinstream-alerter", operation_timeout_ms=DB_TIMEOUT_MS)
    outboxes = (PUBLISHED, NOTIFIED) if settings.webhook_url else (PUBLISHED,)
    db = database(client, mongo)
    repository = AlertRepository(db, outboxes)
    repository.prepare()
    notifier = build_notifier(settings, repository)
    wake = notifier.wake if notifier is not None else lambda: None
    producer = Producer(producer_config(kafka))
    alerter = PriceAlerter(
        Consumer(consumer_config(kafka, settings)),
        producer,
        repository,
        rules,
        settings,
        on_stored=wake,
        index=build_index_feed(kafka, index_settings, producer),
    )

    def stored_elsewhere() -> None:
        alerter.outbox_due()
        wake()

    watch = build_health_watch(kafka, settings, db, repository, rules, on_stored=stored_elsewhere)
    if notifier is not None:
        threading.Thread(target=notifier.run, args=(stop,), name="webhook", daemon=True).start()
    if watch is not None:
        interval = settings.check_interval_s
        threading.Thread(
            target=watch.run, args=(stop, interval), name="health", daemon=True
        ).start()
    log.info(
        "alerter starting",
        extra={
            "topic": kafka.ticks_topic,
            "group": settings.group_id,
            "rules": len(rules),
            "price_rules": len(price_rules(rules)),
            "webhook": notifier is not None,
        },
    )
    try:
        alerter.run(kafka.ticks_topic, stop)
    finally:
        client.close()
    log.info("alerter stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
