"""The alerter as a process (`python -m alerter`) on the real broker and Mongo-wire server."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition
from pymongo import MongoClient
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from alerter.repository import NOTIFIED, AlertRepository
from coinstream_common.alerts import AlertRecord, alert_from_document, decode_alert
from coinstream_common.mongo import Document
from coinstream_common.ticks import Tick
from devstack.processes import ManagedProcess
from tests.support.consumer_process import wait_caught_up
from tests.support.pipeline import publish
from tests.support.servers import ServerAddresses
from tests.support.ticks import T0, trade
from tests.support.topics import create_topic, read_topic
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
RULES = """
rules:
  - {name: move, kind: price_move, symbol: BTC-USD, change_pct: 3, window_minutes: 1,
     clear_pct: 1, cooldown_s: 0}
  - {name: above, kind: price_cross, symbol: BTC-USD, level: 105, direction: up,
     hysteresis_pct: 1, cooldown_s: 0}
"""
SECOND = 1000
# BTC-USD by event time: a 3 % drop at 10 s raises `move`; once the drop has left the
# 1-minute window (71 s) it resolves. Up to 106 at 100 s raises `above` (and `move`:
# 97 -> 106 within the window); back to 103 at 200 s resolves both.
PATH = [(0, 100.0), (10, 97.0), (40, 97.5), (71, 97.0), (100, 106.0), (200, 103.0)]
EXPECTED = {
    (f"move/simulated/BTC-USD/{T0 + 10 * SECOND}", "resolved", T0 + 71 * SECOND),
    (f"move/simulated/BTC-USD/{T0 + 100 * SECOND}", "resolved", T0 + 200 * SECOND),
    (f"above/simulated/BTC-USD/{T0 + 100 * SECOND}", "resolved", T0 + 200 * SECOND),
}


def stored_alerts(mongo_client: MongoClient[Document], database: str) -> list[AlertRecord]:
    return [alert_from_document(d) for d in mongo_client[database]["alerts"].find()]


def ticks_of(path: list[tuple[int, float]]) -> list[Tick]:
    return [trade(price, T0 + s * SECOND) for s, price in path]


def test_a_price_path_raises_and_resolves_exactly_the_expected_alerts_through_a_sigkill(
    run_alerter: Callable[..., ManagedProcess],
    servers: ServerAddresses,
    new_topic: Callable[..., str],
    new_group: Callable[[], str],
    mongo_client: MongoClient[Document],
) -> None:
    topic, group, database = new_topic(), new_group(), f"alerts_{new_group()}"
    alerts_topic = f"{topic}.alerts"
    create_topic(servers.kafka_bootstrap, alerts_topic)
    bootstrap = servers.kafka_bootstrap

    # Up to 106: `move` raised and resolved, `move` and `above` raised again.
    publish(bootstrap, topic, ticks_of(PATH[:5]))
    first = run_alerter(
        topic=topic, group=group, database=database, alerts_topic=alerts_topic, rules=RULES
    )
    wait_caught_up(bootstrap, group, topic, [first], timeout_s=60)
    active = {(a.rule, a.state) for a in stored_alerts(mongo_client, database)}
    assert active == {("move", "resolved"), ("move", "active"), ("above", "active")}
    first.signal(signal.SIGKILL)
    first.stop()

    # The restart resumes both active alerts and resolves them at 200 s.
    publish(bootstrap, topic, ticks_of(PATH[5:]))
    second = run_alerter(
        topic=topic, group=group, database=database, alerts_topic=alerts_topic, rules=RULES
    )
    wait_caught_up(bootstrap, group, topic, [second], timeout_s=60)
    assert {
        (a.id, a.state, a.resolved_at) for a in stored_alerts(mongo_client, database)
    } == EXPECTED
    # It read the five ticks before its committed offset again, to rebuild the window.
    assert re.search(r'"read_again":\{"\d+":5\}', second.tail(200)), second.tail(20)
    # A third in a new group reads every tick again: it raises nothing twice.
    again = new_group()
    third = run_alerter(
        topic=topic, group=again, database=database, alerts_topic=alerts_topic, rules=RULES
    )
    wait_caught_up(bootstrap, again, topic, [third], timeout_s=60)
    second.stop()
    third.stop()

    alerts = stored_alerts(mongo_client, database)
    assert {(a.id, a.state, a.resolved_at) for a in alerts} == EXPECTED
    published = [decode_alert(value) for value in read_topic(bootstrap, alerts_topic)]
    # Each transition published once: 3 raises, 3 resolves.
    assert sorted((a.id, a.state) for a in published) == sorted(
        [(i, "active") for i, _, _ in EXPECTED] + [(i, "resolved") for i, _, _ in EXPECTED]
    )


def test_a_webhook_that_fails_first_gets_every_transition_once_after_retries(
    run_alerter: Callable[..., ManagedProcess],
    servers: ServerAddresses,
    new_topic: Callable[..., str],
    new_group: Callable[[], str],
    mongo_client: MongoClient[Document],
    httpserver: HTTPServer,
) -> None:
    topic, group = new_topic(), new_group()
    alerts_topic, database = f"{topic}.alerts", f"alerts_{group}"
    create_topic(servers.kafka_bootstrap, alerts_topic)
    answers: list[tuple[str, int]] = []

    def receive(request: Request) -> Response:
        # The first POST fails, as a receiver that is down would.
        status = 500 if not answers else 200
        answers.append((request.headers["Idempotency-Key"], status))
        assert decode_alert(request.get_data()).id in request.headers["Idempotency-Key"]
        return Response("down" if status == 500 else "ok", status=status)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(receive)
    publish(servers.kafka_bootstrap, topic, ticks_of(PATH))
    alerter = run_alerter(
        topic=topic,
        group=group,
        database=database,
        alerts_topic=alerts_topic,
        rules=RULES,
        webhook_url=httpserver.url_for("/hook"),
        webhook_retry_base_s="0.2",
    )

    expected = {f"{i}/{state}" for i, _, _ in EXPECTED for state in ("active", "resolved")}
    wait_until(
        lambda: list(answers),
        lambda got: {key for key, status in got if status == 200} == expected,
        what="every transition delivered",
        timeout_s=60,
        interval_s=0.2,
        watching=[alerter],
    )
    # Sent only from the outbox: once it is empty, nothing more goes out.
    outbox = AlertRepository(mongo_client[database], (NOTIFIED,))
    wait_until(
        lambda: outbox.outbox(NOTIFIED, len(expected)),
        lambda due: due == [],
        what="the webhook's outbox to empty",
        watching=[alerter],
    )
    alerter.stop()

    delivered = [key for key, status in answers if status == 200]
    assert sorted(delivered) == sorted(expected)
    failed = [key for key, status in answers if status == 500]
    assert len(failed) == 1
    assert failed[0] in delivered
    assert "webhook failed; retried" in alerter.tail(200)


HEALTH_RULES = """
rules:
  - {name: stale, kind: stale_feed, max_age_s: 30, cooldown_s: 0}
  - {name: lag, kind: consumer_lag, max_messages: 3, cooldown_s: 0}
  - {name: behind, kind: consumer_lag, max_watermark_delay_s: 60, cooldown_s: 0}
"""


def test_health_rules_read_what_the_consumer_writes_commits_and_reports(
    run_alerter: Callable[..., ManagedProcess],
    servers: ServerAddresses,
    new_topic: Callable[..., str],
    new_group: Callable[[], str],
    mongo_client: MongoClient[Document],
    httpserver: HTTPServer,
) -> None:
    topic, group, candle_group = new_topic(), new_group(), new_group()
    database = f"alerts_{group}"
    create_topic(servers.kafka_bootstrap, f"{topic}.alerts")
    # A series whose newest tick is a minute old; five ticks the candle consumer's group
    # has not committed; a consumer whose metrics say its watermark is 100 s behind.
    series = mongo_client[database]["candle_series"]
    minute_ago = datetime.now(UTC) - timedelta(minutes=1)
    series.insert_one(
        {"_id": "s", "source": "simulated", "symbol": "BTC-USD", "last_event_time": minute_ago}
    )
    publish(servers.kafka_bootstrap, topic, ticks_of(PATH[:5]))
    delay = ["100.0"]
    httpserver.expect_request("/metrics").respond_with_handler(
        lambda _: Response(
            f'consumer_watermark_delay_seconds{{source="simulated",symbol="BTC-USD"}} {delay[0]}\n'
        )
    )
    alerter = run_alerter(
        topic=topic,
        group=group,
        database=database,
        alerts_topic=f"{topic}.alerts",
        rules=HEALTH_RULES,
        check_interval_s="0.2",
        consumer_group_id=candle_group,
        consumer_metrics_urls=f"http://127.0.0.1:1/metrics,{httpserver.url_for('/metrics')}",
    )

    def states() -> dict[str, str]:
        return {a.rule: a.state for a in stored_alerts(mongo_client, database)}

    wait_until(
        states,
        lambda now: now == {"stale": "active", "lag": "active", "behind": "active"},
        what="the three health alerts to be raised",
        interval_s=0.2,
        watching=[alerter],
    )
    # The feed ticks again, the consumer catches up and commits, its watermark follows.
    series.update_one({"_id": "s"}, {"$set": {"last_event_time": datetime.now(UTC)}})
    commit_all(servers.kafka_bootstrap, candle_group, topic)
    delay[0] = "2.0"
    wait_until(
        states,
        lambda now: set(now.values()) == {"resolved"},
        what="every health alert to be resolved",
        interval_s=0.2,
        watching=[alerter],
    )

    alerts = stored_alerts(mongo_client, database)
    assert sorted((a.rule, a.subject) for a in alerts) == [
        ("behind", "consumer"),
        ("lag", "consumer"),
        ("stale", "simulated/BTC-USD"),
    ]
    lag = next(a for a in alerts if a.rule == "lag")
    assert (lag.raise_value, lag.resolve_value) == (5, 0)
    # One of the two metrics endpoints does not answer: the other one is enough.
    assert "consumer metrics not read" in alerter.tail(400)


def commit_all(bootstrap: str, group: str, topic: str) -> None:
    """Commit the ends of every partition for `group`, as a caught-up consumer would."""
    client = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False}
    )
    try:
        partitions = client.list_topics(topic, timeout=10).topics[topic].partitions
        ends = [
            TopicPartition(
                topic, p, client.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            )
            for p in partitions
        ]
        client.commit(offsets=ends, asynchronous=False)
    finally:
        client.close()
