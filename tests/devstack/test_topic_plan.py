"""The topics service's TOPICS, read as it reads them, and TopicPlan's checks, before any
broker is asked to create anything."""

from __future__ import annotations

import pytest

from devstack.compose import ServiceSpec
from devstack.topics import TopicPlan, TopicSettingsError, topic_plan


def plan_of(topics: str) -> TopicPlan:
    environment = {"TOPICS": topics, "REPLICATION_FACTOR": "3", "MIN_INSYNC_REPLICAS": "2"}
    service = ServiceSpec("topics", [], environment, [], None, None)
    return topic_plan({"topics": service})


def test_topics_are_name_partitions_and_compact_marks_a_compacted_one() -> None:
    assert plan_of("ticks:6,ticks.late:1,checkpoints:1:compact") == TopicPlan(
        partitions={"ticks": 6, "ticks.late": 1, "checkpoints": 1},
        replication_factor=3,
        min_insync_replicas=2,
        compacted=frozenset({"checkpoints"}),
    )


@pytest.mark.parametrize("entry", ["checkpoints:1:compacted", "checkpoints:1:delete"])
def test_anything_but_compact_after_the_partitions_is_refused(entry: str) -> None:
    with pytest.raises(TopicSettingsError, match=f"TOPICS entry '{entry}'"):
        plan_of(f"ticks:3,{entry}")


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


def test_a_compacted_topic_is_made_compacted_and_the_others_are_not() -> None:
    plan = TopicPlan({"ticks": 3, "checkpoints": 1}, 3, 2, frozenset({"checkpoints"}))
    ticks, checkpoints = plan.new_topics(["ticks", "checkpoints"])
    assert ticks.config == {"min.insync.replicas": "2"}
    assert checkpoints.config == {"min.insync.replicas": "2", "cleanup.policy": "compact"}
    assert (checkpoints.num_partitions, checkpoints.replication_factor) == (1, 3)
