"""The checkpoint topic on the real broker: compacted, read back whole, per namespace."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import ConfigResource

from producer.checkpoint_store import CheckpointStore
from producer.checkpoints import Checkpoint

pytestmark = pytest.mark.integration


def store(bootstrap: str, topic: str, namespace: str = "ticks") -> tuple[Producer, CheckpointStore]:
    config = {"bootstrap.servers": bootstrap}
    producer = Producer(config)
    return producer, CheckpointStore(producer, config, topic, namespace)


def test_checkpoints_written_are_read_back_by_the_next_producer(
    kafka_bootstrap: str, new_group: Callable[[], str]
) -> None:
    topic = new_group().replace("group", "checkpoints")
    producer, first = store(kafka_bootstrap, topic)
    first.ensure_topic()
    first.ensure_topic()  # idempotent
    first.save(("coinbase", "BTC-USD"), Checkpoint("100"))
    first.save(("coinbase", "BTC-USD"), Checkpoint("250", backfilled=True))
    first.save(("kraken", "BTC-USD"), Checkpoint("1688671969993150842/61044956"))
    _, other_namespace = store(kafka_bootstrap, topic, namespace="other-ticks")
    other_namespace.save(("coinbase", "BTC-USD"), Checkpoint("999"))
    producer.produce(topic, key=b"ticks/coinbase/ETH-USD", value=b"not a checkpoint")
    assert producer.flush(30) == 0
    assert first.unsaved == 0

    _, second = store(kafka_bootstrap, topic)
    assert second.load() == {
        ("coinbase", "BTC-USD"): Checkpoint("250", backfilled=True),
        ("kraken", "BTC-USD"): Checkpoint("1688671969993150842/61044956"),
    }

    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    configs = admin.describe_configs([resource])[resource].result(timeout=30)
    assert configs["cleanup.policy"].value == "compact"


def test_an_empty_checkpoint_topic_means_no_history(
    kafka_bootstrap: str, new_group: Callable[[], str]
) -> None:
    _, empty = store(kafka_bootstrap, new_group().replace("group", "checkpoints"))
    empty.ensure_topic()
    assert empty.load() == {}
