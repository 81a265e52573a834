"""TopicPlan's checks, before any broker is asked to create anything."""

from __future__ import annotations

import pytest

from devstack.topics import TopicPlan, TopicSettingsError


@pytest.mark.parametrize(("replicas", "brokers"), [(1, 1), (3, 3), (2, 3)])
def test_a_replication_factor_up_to_the_brokers_passes(replicas: int, brokers: int) -> None:
    TopicPlan({"ticks": 3}, replicas, 1).check(brokers)


def test_more_replicas_than_brokers_names_both_numbers_and_the_setting() -> None:
    with pytest.raises(TopicSettingsError) as refused:
        TopicPlan({"ticks": 3}, 3, 2).check(1)
    message = str(refused.value)
    assert "replication factor 3" in message
    assert "the 1 broker(s)" in message
    assert "KAFKA_REPLICATION_FACTOR" in message


@pytest.mark.parametrize("min_insync", [0, 4])
def test_min_insync_outside_one_to_the_replicas_is_refused(min_insync: int) -> None:
    with pytest.raises(TopicSettingsError, match="KAFKA_MIN_INSYNC_REPLICAS"):
        TopicPlan({"ticks": 3}, 3, min_insync).check(3)


def test_new_topics_carry_the_replicas_and_min_insync() -> None:
    (topic,) = TopicPlan({"ticks": 6}, 3, 2).new_topics(["ticks"])
    assert (topic.topic, topic.num_partitions, topic.replication_factor) == ("ticks", 6, 3)
    assert topic.config == {"min.insync.replicas": "2"}
