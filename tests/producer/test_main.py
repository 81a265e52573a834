"""`python -m producer` as a process: SIGTERM flushes and exits cleanly; a configuration
error, a checkpoint topic that is missing or made wrong among them, exits with status 2
and says why. Logs are JSON lines on stdout."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from confluent_kafka.admin import AdminClient
from pytest_httpserver import HTTPServer

from coinstream_common.ticks import encode_tick
from devstack.kafka_cluster import KafkaCluster
from devstack.net import free_port
from devstack.processes import ManagedProcess
from producer.sources.simulated import SimulatedSource
from tests.support.ticks import T0
from tests.support.topics import create_checkpoint_topic, create_topic, read_ticks
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def start_producer(tmp_path: Path, **env: str) -> ManagedProcess:
    return ManagedProcess(
        "producer",
        [sys.executable, "-m", "producer"],
        env={"PATH": os.environ["PATH"], "METRICS_PORT": str(free_port()), **env},
        cwd=ROOT,
        log_path=tmp_path / "producer.log",
    )


def log_lines(process: ManagedProcess) -> list[dict[str, object]]:
    lines = process.log_path.read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def logged(process: ManagedProcess, message: str) -> list[dict[str, object]]:
    return [line for line in log_lines(process) if line["message"] == message]


def refusal(producer: ManagedProcess) -> dict[str, object]:
    """The one configuration error the producer logged, once it exited with status 2."""
    try:
        wait_until(lambda: not producer.alive(), what="the producer to give up", timeout_s=60)
    finally:
        code = producer.stop()
    assert code == 2
    (error,) = logged(producer, "configuration error: the producer cannot start")
    assert error["level"] == "CRITICAL"
    return error


def test_sigterm_flushes_every_tick_and_exits_cleanly(
    tmp_path: Path,
    kafka_bootstrap: str,
    new_topic: Callable[..., str],
    new_checkpoint_topic: Callable[[], str],
) -> None:
    market = SimulatedSource(
        ["BTC-USD", "ETH-USD"], seed=5, trades_per_second=100, poll_interval_s=1, clock=lambda: T0
    )
    ticks = market.trades_until(T0 + 60_000).ticks
    recording = tmp_path / "ticks.jsonl"
    recording.write_bytes(b"".join(encode_tick(t) + b"\n" for t in ticks))
    topic = new_topic()
    metrics_port = free_port()
    producer = start_producer(
        tmp_path,
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        KAFKA_TICKS_TOPIC=topic,
        PRODUCER_SOURCES="replay",
        PRODUCER_CHECKPOINT_TOPIC=new_checkpoint_topic(),
        REPLAY_PATH=str(recording),
        REPLAY_SPEED="0",
        METRICS_PORT=str(metrics_port),
    )
    try:
        wait_until(lambda: logged(producer, "replay finished"), what="the replay", timeout_s=60)
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
        assert (
            f'producer_ticks_published_total{{source="simulated"}} {float(len(ticks))}' in metrics
        )
        producer.signal(signal.SIGTERM)  # at once: deliveries may still be on their way
        wait_until(lambda: not producer.alive(), what="the producer to exit", timeout_s=30)
    finally:
        code = producer.stop()
    assert code == 0
    (stopped,) = logged(producer, "producer stopped")
    assert stopped["undelivered"] == 0
    arrived = read_ticks(kafka_bootstrap, topic)
    assert sorted(t.event_id for t in arrived) == sorted(t.event_id for t in ticks)


def test_an_unknown_coin_stops_the_producer_with_a_clear_error(
    tmp_path: Path,
    kafka_bootstrap: str,
    new_checkpoint_topic: Callable[[], str],
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/api/v3/simple/price").respond_with_json({})
    producer = start_producer(
        tmp_path,
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        PRODUCER_SOURCES="coingecko",
        PRODUCER_CHECKPOINT_TOPIC=new_checkpoint_topic(),
        COINGECKO_BASE_URL=httpserver.url_for("/api/v3"),
        COINGECKO_COINS="bitcoin=BTC-USD,bitcoinn=BTCN-USD",
    )
    error = refusal(producer)
    assert (error["reason"], error["detail"]) == (
        "unknown_coin",
        "CoinGecko knows no coin id bitcoin, bitcoinn",
    )
    assert len(httpserver.log) == 1  # asked once, not retried in a loop


def test_a_setting_out_of_range_stops_the_producer_with_a_clear_error(tmp_path: Path) -> None:
    producer = start_producer(tmp_path, PRODUCER_SOURCES="coinbase,bitstamp")
    error = refusal(producer)
    assert error["reason"] == "invalid_settings"
    assert "bitstamp" in str(error["detail"])


def test_a_missing_checkpoint_topic_stops_the_producer_and_says_what_makes_it(
    tmp_path: Path,
    kafka_bootstrap: str,
    new_topic: Callable[..., str],
    new_group: Callable[[], str],
) -> None:
    missing = new_group().replace("group", "checkpoints")
    producer = start_producer(
        tmp_path,
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        KAFKA_TICKS_TOPIC=new_topic(),
        PRODUCER_SOURCES="simulated",
        PRODUCER_CHECKPOINT_TOPIC=missing,
    )
    error = refusal(producer)
    assert (error["reason"], error["topic"]) == ("checkpoint_topic_missing", missing)
    detail = str(error["detail"])
    assert f"the checkpoint topic {missing} does not exist" in detail
    assert "the topics service (docker compose) and `make run` create it" in detail
    existing = AdminClient({"bootstrap.servers": kafka_bootstrap}).list_topics(timeout=10).topics
    assert missing not in existing  # not made by the producer either


def test_a_checkpoint_topic_that_is_not_compacted_stops_the_producer(
    tmp_path: Path,
    kafka_bootstrap: str,
    new_topic: Callable[..., str],
    new_group: Callable[[], str],
) -> None:
    plain = new_group().replace("group", "checkpoints")
    create_topic(kafka_bootstrap, plain)
    producer = start_producer(
        tmp_path,
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        KAFKA_TICKS_TOPIC=new_topic(),
        PRODUCER_SOURCES="simulated",
        PRODUCER_CHECKPOINT_TOPIC=plain,
    )
    error = refusal(producer)
    assert (error["reason"], error["topic"]) == ("checkpoint_topic_not_compacted", plain)
    detail = str(error["detail"])
    assert f"the checkpoint topic {plain} has cleanup.policy=delete, not compact" in detail
    assert "Set cleanup.policy=compact on it" in detail


def test_a_checkpoint_topic_with_fewer_replicas_than_the_setting_stops_the_producer(
    tmp_path: Path, kafka_cluster: KafkaCluster, new_group: Callable[[], str]
) -> None:
    ticks = new_group().replace("group", "ticks")
    single = new_group().replace("group", "checkpoints")
    create_topic(kafka_cluster.bootstrap, ticks)
    create_checkpoint_topic(kafka_cluster.bootstrap, single, replication_factor=1)
    producer = start_producer(
        tmp_path,
        KAFKA_BOOTSTRAP_SERVERS=kafka_cluster.bootstrap,
        KAFKA_TICKS_TOPIC=ticks,
        KAFKA_REPLICATION_FACTOR="3",
        PRODUCER_SOURCES="simulated",
        PRODUCER_CHECKPOINT_TOPIC=single,
    )
    error = refusal(producer)
    assert (error["reason"], error["topic"]) == ("checkpoint_topic_under_replicated", single)
    detail = str(error["detail"])
    assert f"the checkpoint topic {single} has 1 replica(s)" in detail
    assert "fewer than KAFKA_REPLICATION_FACTOR=3" in detail
