"""The topics of the compose file's one-shot `topics` service, created the way it creates them.

Its environment is the one place topics are configured: TOPICS (`name:partitions,...`),
REPLICATION_FACTOR and MIN_INSYNC_REPLICAS (from KAFKA_REPLICATION_FACTOR and
KAFKA_MIN_INSYNC_REPLICAS). Like the service, a topic that exists is left as it is, and a
replication factor larger than the brokers that answer is refused before anything is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from devstack.compose import ServiceSpec

TOPICS_SERVICE = "topics"


class TopicSettingsError(ValueError):
    """Topic settings that the brokers could not honour."""


@dataclass(frozen=True)
class TopicPlan:
    partitions: Mapping[str, int]
    replication_factor: int = 1
    min_insync_replicas: int = 1

    def check(self, brokers: int) -> None:
        if self.replication_factor > brokers:
            raise TopicSettingsError(
                f"replication factor {self.replication_factor} is more than the {brokers} "
                f"broker(s) that answer: set KAFKA_REPLICATION_FACTOR to at most {brokers}"
            )
        if not 1 <= self.min_insync_replicas <= self.replication_factor:
            raise TopicSettingsError(
                f"min.insync.replicas {self.min_insync_replicas} must be between 1 and the "
                f"replication factor {self.replication_factor} (KAFKA_MIN_INSYNC_REPLICAS)"
            )

    def new_topics(self, names: list[str]) -> list[NewTopic]:
        config = {"min.insync.replicas": str(self.min_insync_replicas)}
        return [
            NewTopic(name, self.partitions[name], self.replication_factor, config=config)
            for name in names
        ]


def topic_plan(services: Mapping[str, ServiceSpec]) -> TopicPlan:
    environment = services[TOPICS_SERVICE].environment
    specs = (spec.partition(":") for spec in environment["TOPICS"].split(","))
    return TopicPlan(
        partitions={name: int(parts) for name, _, parts in specs},
        replication_factor=int(environment.get("REPLICATION_FACTOR") or 1),
        min_insync_replicas=int(environment.get("MIN_INSYNC_REPLICAS") or 1),
    )


def ensure_topics(bootstrap: str, plan: TopicPlan, timeout_s: float = 30.0) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    metadata = admin.list_topics(timeout=timeout_s)
    plan.check(len(metadata.brokers))
    missing = [name for name in plan.partitions if name not in metadata.topics]
    if not missing:
        return
    for future in admin.create_topics(plan.new_topics(missing), request_timeout=timeout_s).values():
        future.result(timeout=timeout_s)
