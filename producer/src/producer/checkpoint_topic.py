"""The checkpoint topic, checked before the producer reads it: it must exist, be compacted
and have the replicas that every topic is made with (KAFKA_REPLICATION_FACTOR).

The producer does not create it: the topics service (docker compose) and `make run` do,
from their TOPICS, with the other topics. A topic that is missing or made otherwise is a
configuration error, which waiting does not mend. A broker that does not answer is not:
the check then raises KafkaException, which the producer retries.
"""

from __future__ import annotations

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import ConfigResource

# Only compaction: a `delete` policy too would drop the cursor of a stream quiet for longer
# than the retention, and that stream would restart at the exchange's newest trade.
COMPACT = "compact"
CREATED_BY = "the topics service (docker compose) and `make run` create it"


class CheckpointTopicError(Exception):
    """The checkpoint topic is missing or made wrong; `reason` is a short, bounded label."""

    def __init__(self, reason: str, topic: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.topic = topic
        self.detail = detail


def check_checkpoint_topic(
    admin: AdminClient, topic: str, replication_factor: int, timeout_s: float
) -> None:
    """Raise CheckpointTopicError if the topic is wrong, KafkaException if no broker says."""
    found = admin.list_topics(timeout=timeout_s).topics.get(topic)
    if found is None:
        raise CheckpointTopicError(
            "checkpoint_topic_missing",
            topic,
            f"the checkpoint topic {topic} does not exist: {CREATED_BY} (compacted, with "
            f"KAFKA_REPLICATION_FACTOR replicas); run it, or set PRODUCER_CHECKPOINT_TOPIC "
            "to the topic it made",
        )
    if found.error is not None:  # e.g. no leader yet: the brokers may settle it
        raise KafkaException(found.error)
    replicas = min(len(partition.replicas) for partition in found.partitions.values())
    if replicas < replication_factor:
        raise CheckpointTopicError(
            "checkpoint_topic_under_replicated",
            topic,
            f"the checkpoint topic {topic} has {replicas} replica(s), fewer than "
            f"KAFKA_REPLICATION_FACTOR={replication_factor}: losing a broker would lose the "
            f"cursors. Reassign it to {replication_factor} replicas, or delete it so that "
            f"{CREATED_BY} again (its cursors are then lost)",
        )
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    configs = admin.describe_configs([resource], request_timeout=timeout_s)[resource]
    policy = configs.result(timeout=timeout_s)["cleanup.policy"].value
    if policy != COMPACT:
        raise CheckpointTopicError(
            "checkpoint_topic_not_compacted",
            topic,
            f"the checkpoint topic {topic} has cleanup.policy={policy}, not {COMPACT}: "
            f"retention would delete cursors. Set cleanup.policy={COMPACT} on it "
            f"(kafka-configs.sh --alter --add-config, or rpk topic alter-config --set)",
        )
