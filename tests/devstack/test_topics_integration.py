"""devstack's ensure_topics on real brokers: the settings it applies, and what it refuses.

The single broker refuses a replication factor of 3 before creating anything; the
three-broker cluster gets every topic with three replicas and min.insync.replicas=2, and
the checkpoint topic compacted too, as the brokers themselves describe them.
"""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import ConfigResource

from devstack.kafka_cluster import KafkaCluster
from devstack.topics import TopicPlan, TopicSettingsError, ensure_topics

pytestmark = pytest.mark.integration


def plan(replication_factor: int, min_insync_replicas: int) -> TopicPlan:
    name = f"plan-{uuid.uuid4().hex[:8]}"
    return TopicPlan(
        {name: 3, f"{name}.late": 1, f"{name}-checkpoints": 1},
        replication_factor,
        min_insync_replicas,
        compacted=frozenset({f"{name}-checkpoints"}),
    )


def test_a_replication_factor_above_the_brokers_is_refused(kafka_bootstrap: str) -> None:
    refused = plan(replication_factor=3, min_insync_replicas=2)
    with pytest.raises(TopicSettingsError, match=r"replication factor 3 .* the 1 broker\(s\)"):
        ensure_topics(kafka_bootstrap, refused)
    existing = AdminClient({"bootstrap.servers": kafka_bootstrap}).list_topics(timeout=10).topics
    assert not set(refused.partitions) & set(existing), "a topic was created before refusing"


def test_min_insync_above_the_replication_factor_is_refused(kafka_cluster: KafkaCluster) -> None:
    with pytest.raises(TopicSettingsError, match=r"min.insync.replicas 3 .* factor 2"):
        ensure_topics(kafka_cluster.bootstrap, plan(replication_factor=2, min_insync_replicas=3))


def test_the_cluster_gets_the_replicas_and_min_insync_asked_for(
    kafka_cluster: KafkaCluster,
) -> None:
    wanted = plan(replication_factor=3, min_insync_replicas=2)
    ensure_topics(kafka_cluster.bootstrap, wanted)
    ensure_topics(kafka_cluster.bootstrap, wanted)  # a second run leaves them as they are

    admin = AdminClient({"bootstrap.servers": kafka_cluster.bootstrap})
    topics = admin.list_topics(timeout=10).topics
    resources = [ConfigResource(ConfigResource.Type.TOPIC, name) for name in wanted.partitions]
    described = admin.describe_configs(resources)
    for name, partitions in wanted.partitions.items():
        assert len(topics[name].partitions) == partitions
        assert all(len(p.replicas) == 3 for p in topics[name].partitions.values()), name
    for resource, future in described.items():
        config = future.result(timeout=10)
        assert config["min.insync.replicas"].value == "2", resource.name
        policy = "compact" if resource.name in wanted.compacted else "delete"
        assert config["cleanup.policy"].value == policy, resource.name
