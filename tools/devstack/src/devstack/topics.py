"""The topics of the compose file's one-shot `topics` service, created the way it creates them.

Its environment is the one place topics are configured: TOPICS
(`name:partitions[:compact],...`), REPLICATION_FACTOR and MIN_INSYNC_REPLICAS (from
KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS). A topic marked `compact` gets
cleanup.policy=compact: it keeps the newest record of each key for good (the producer's
checkpoints). Like the service, a topic that exists is left as it is, and a replication
factor larger than the brokers that answer is refused before anything is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from devstack.compose import ServiceSpec
from devstack.net import wait_until

TOPICS_SERVICE = "topics"
COMPACT = "compact"


class TopicSettingsError(ValueError):
    """Topic settings that the brokers could not honour."""


@dataclass(frozen=True)
class TopicPlan:
    partitions: Mapping[str, int]
    replication_factor: int = 1
    min_insync_replicas: int = 1
    compacted: frozenset[str] = frozenset()

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
        return [
            NewTopic(
                name, self.partitions[name], self.replication_factor, config=self._config(name)
            )
            for name in names
        ]

    def _config(self, name: str) -> dict[str, str]:
        config = {"min.insync.replicas": str(self.min_insync_replicas)}
        if name in self.compacted:
            config["cleanup.policy"] = COMPACT
        return config


def topic_plan(services: Mapping[str, ServiceSpec]) -> TopicPlan:
    environment = services[TOPICS_SERVICE].environment
    partitions: dict[str, int] = {}
    compacted: set[str] = set()
    for spec in environment["TOPICS"].split(","):
        name, _, rest = spec.partition(":")
        count, _, policy = rest.partition(":")
        if policy not in ("", COMPACT):
            raise TopicSettingsError(
                f"TOPICS entry {spec!r}: want name:partitions or name:partitions:{COMPACT}"
            )
        partitions[name] = int(count)
        if policy:
            compacted.add(name)
    return TopicPlan(
        partitions=partitions,
        replication_factor=int(environment.get("REPLICATION_FACTOR") or 1),
        min_insync_replicas=int(environment.get("MIN_INSYNC_REPLICAS") or 1),
        compacted=frozenset(compacted),
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
    # Made by the controller; the services started next look for them in a broker's
    # metadata, which learns of them a moment later.
    wait_until(lambda: _listed(admin, missing, timeout_s), timeout_s, f"brokers to list {missing}")


def _listed(admin: AdminClient, names: list[str], timeout_s: float) -> bool:
    topics = admin.list_topics(timeout=timeout_s).topics
    return all(name in topics and topics[name].error is None for name in names)
