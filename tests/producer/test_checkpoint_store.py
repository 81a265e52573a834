"""The checkpoint topic on the real broker: read back whole, per namespace. Checked before,
its check tells a broker that does not answer (retried) from a wrong topic (refused)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from confluent_kafka import KafkaException, Producer

from devstack.net import free_port
from producer.checkpoint_store import CheckpointStore
from producer.checkpoints import Checkpoint

pytestmark = pytest.mark.integration


def store(bootstrap: str, topic: str, namespace: str = "ticks") -> tuple[Producer, CheckpointStore]:
    config = {"bootstrap.servers": bootstrap}
    producer = Producer(config)
    return producer, CheckpointStore(producer, config, topic, namespace, replication_factor=1)


def test_checkpoints_written_are_read_back_by_the_next_producer(
    kafka_bootstrap: str, new_checkpoint_topic: Callable[[], str]
) -> None:
    topic = new_checkpoint_topic()
    producer, first = store(kafka_bootstrap, topic)
    first.check_topic()
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


def test_an_empty_checkpoint_topic_means_no_history(
    kafka_bootstrap: str, new_checkpoint_topic: Callable[[], str]
) -> None:
    _, empty = store(kafka_bootstrap, new_checkpoint_topic())
    empty.check_topic()
    assert empty.load() == {}


def test_a_broker_that_does_not_answer_is_no_verdict_on_the_topic() -> None:
    # KafkaException, which the producer retries; a CheckpointTopicError would stop it.
    _, unreachable = store(f"127.0.0.1:{free_port()}", "checkpoints")
    with pytest.raises(KafkaException):
        unreachable.check_topic(timeout_s=1)
