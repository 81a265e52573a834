"""The consumer as a real process (`python -m consumer`), and waiting for it to catch up."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from confluent_kafka import Consumer, KafkaException, TopicPartition

from consumer.partition_clock import DELIVERY_MARGIN_MS
from consumer.settings import ConsumerSettings
from devstack.net import free_port
from devstack.processes import ManagedProcess
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


def consumer_process(
    name: str,
    *,
    bootstrap: str,
    mongo_uri: str,
    database: str,
    topic: str,
    group: str,
    log_dir: Path,
    log_level: str = "WARNING",
    metrics_port: int | None = None,
    settings: Mapping[str, str] | None = None,
) -> ManagedProcess:
    """`settings` become CONSUMER_<NAME> variables."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(Path.home()),
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TICKS_TOPIC": topic,
        "MONGO_URI": mongo_uri,
        "MONGO_DATABASE": database,
        "CONSUMER_GROUP_ID": group,
        "CONSUMER_LATE_TOPIC": f"{topic}.late",
        "CONSUMER_DEAD_LETTER_TOPIC": f"{topic}.dlq",
        # Runs are compared raw offset by raw offset, so retention must delete none of them.
        "CONSUMER_RAW_RETENTION_HOURS": str(10**6),
        "METRICS_PORT": str(metrics_port or free_port()),
        "LOG_LEVEL": log_level,
        **{f"CONSUMER_{k.upper()}": v for k, v in (settings or {}).items()},
    }
    return ManagedProcess(
        name,
        [sys.executable, "-m", "consumer"],
        env=env,
        cwd=ROOT,
        log_path=log_dir / f"{name}.log",
    )


def committed_lag(bootstrap: str, group: str, topic: str) -> int:
    """Messages of `topic` the group has not committed yet."""
    probe = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False}
    )
    try:
        partitions = probe.list_topics(topic, timeout=10).topics[topic].partitions
        tps = [TopicPartition(topic, p) for p in partitions]
        committed = probe.committed(tps, timeout=10)
        lag = 0
        for tp in committed:
            _, high = probe.get_watermark_offsets(TopicPartition(topic, tp.partition), timeout=10)
            lag += high - max(tp.offset, 0)
        return lag
    finally:
        probe.close()


def committed_lag_or_none(bootstrap: str, group: str, topic: str) -> int | None:
    try:
        return committed_lag(bootstrap, group, topic)
    except KafkaException:
        return None  # e.g. the group coordinator is still loading: ask again


def wait_caught_up(
    bootstrap: str, group: str, topic: str, processes: list[ManagedProcess], timeout_s: float = 120
) -> None:
    wait_until(
        lambda: committed_lag_or_none(bootstrap, group, topic),
        lambda lag: lag == 0,
        what=f"group {group} to catch up (its committed lag to be 0)",
        timeout_s=timeout_s,
        interval_s=0.5,
        watching=processes,
    )


# At the end of the log the wall clock runs the log clock on (consumer/partition_clock.py),
# so a consumer that sits there longer than the idle timeout closes windows that one
# stopped sooner leaves open: a run whose last partitions took 18 s to catch up differed
# from the steady run in one window's `final`. So every run stays caught up until each
# idle window has closed and been written, and all end in the same state.
IDLE_SETTLE_S = (
    ConsumerSettings.model_fields["idle_timeout_ms"].default + DELIVERY_MARGIN_MS
) / 1000 + 3


def settle(bootstrap: str, group: str, topic: str, processes: list[ManagedProcess]) -> None:
    wait_caught_up(bootstrap, group, topic, processes)
    time.sleep(IDLE_SETTLE_S)
